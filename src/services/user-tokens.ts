import { expandScopes, isScope, type Scope, USER_TOKEN_SCOPES } from '../auth/scopes.js';
import { generateUserToken, hashToken, lastCharacters } from '../auth/tokens.js';
import { badRequest } from '../lib/app-error.js';
import { insertUserToken } from '../store/control/user-tokens.js';
import type { UserToken } from '../store/types.js';
import type { ServiceContext } from './context.js';

/** Checks requested scopes against the list a personal token may hold; returns them expanded. */
export function parseUserTokenScopes(scopes: readonly unknown[]): Scope[] {
  if (scopes.length === 0)
    throw badRequest({ scopes: ['This field is required.'], detail: 'At least one scope is required.' });
  const bad = scopes.filter((s) => !isScope(s) || !USER_TOKEN_SCOPES.has(s));
  if (bad.length > 0) {
    throw badRequest({
      scopes: [`Invalid scopes: ${bad.join(', ')}`],
      detail: `Invalid scopes: ${bad.map(String).join(', ')}`,
    });
  }
  return expandScopes(scopes as Scope[]);
}

/**
 * Mints a personal token. The plaintext is returned here once and never stored: the store keeps
 * its SHA-256 and last four characters.
 */
export async function createUserToken(
  ctx: ServiceContext,
  input: { userId: number; scopes: readonly unknown[]; name?: string | null; expiresInDays?: number | null },
): Promise<{ token: string; record: UserToken }> {
  const scopes = parseUserTokenScopes(input.scopes);
  const name = input.name?.trim() || null;
  if (name !== null && name.length > 255)
    throw badRequest({
      name: ['Ensure this field has no more than 255 characters.'],
      detail: 'The name cannot be longer than 255 characters.',
    });
  const now = ctx.now();
  const days = input.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > 36_500)) {
    throw badRequest('expiresInDays must be a whole number of days between 1 and 36500.');
  }
  const token = generateUserToken();
  const record = await insertUserToken(ctx.db.control, {
    userId: input.userId,
    name,
    tokenHash: hashToken(token),
    lastChars: lastCharacters(token),
    scopes,
    expiresAt: days === null ? null : now + days * 86_400_000,
    now,
  });
  return { token, record };
}
