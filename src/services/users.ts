import { hashPassword } from '../auth/password.js';
import { AppError, badRequest } from '../lib/app-error.js';
import { isUniqueViolation } from '../store/conflict.js';
import { insertUser } from '../store/control/users.js';
import type { User } from '../store/types.js';
import type { ServiceContext } from './context.js';

export const MIN_PASSWORD_LENGTH = 8;

export function normalizeEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(value) || value.length > 254)
    throw badRequest({ email: ['Enter a valid email address.'], detail: 'Enter a valid email address.' });
  return value;
}

/** Creates a user with a hashed password; 409 when the email is taken. */
export async function createUser(
  ctx: ServiceContext,
  input: { email: string; password: string | null; name?: string; isSuperuser?: boolean },
): Promise<User> {
  const email = normalizeEmail(input.email);
  if (input.password !== null && input.password.length < MIN_PASSWORD_LENGTH) {
    throw badRequest({
      password: [`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`],
      detail: `The password must contain at least ${MIN_PASSWORD_LENGTH} characters.`,
    });
  }
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  try {
    return await insertUser(ctx.db.control, {
      email,
      name: input.name?.trim() || email,
      passwordHash,
      isSuperuser: input.isSuperuser ?? false,
      now: ctx.now(),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'A user with this email already exists.');
    throw error;
  }
}
