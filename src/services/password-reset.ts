import { hashPassword } from '../auth/password.js';
import { hashToken, randomSecret } from '../auth/tokens.js';
import { AppError, badRequest } from '../lib/app-error.js';
import { deleteLoginFailures } from '../store/control/login-failures.js';
import {
  claimPasswordResetRequest,
  consumePasswordReset,
  deletePasswordResetRequestsBefore,
  deletePasswordResetsOfUser,
  findPasswordReset,
  findPasswordResetWindow,
  insertPasswordReset,
} from '../store/control/password-resets.js';
import { deleteSessionsOfUser } from '../store/control/sessions.js';
import { findUserByEmail, findUserById, updatePasswordHash } from '../store/control/users.js';
import type { User } from '../store/types.js';
import type { ServiceContext } from './context.js';
import { passwordResetEmail } from './emails.js';
import { MIN_PASSWORD_LENGTH } from './users.js';

// Sentry's "recover" flow as services: ask for a link by email address, then trade the link's
// secret for a new password. Only the secret's SHA-256 is stored; a link works once, until
// ERRATA_PASSWORD_RESET_MINUTES have passed.

/**
 * Reset links one address may be sent per window: enough for a mail that went astray and a second
 * try, too few to flood a mailbox (or the outbox) through this form.
 */
export const RESET_REQUESTS_PER_WINDOW = 3;
export const RESET_REQUEST_WINDOW_MS = 60 * 60_000;

/** What `randomSecret()` makes: 32 bytes in unpadded base64url. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const RESET_LINK_INVALID =
  'This password reset link is invalid or has already been used. Ask for a new one.';
export const RESET_LINK_EXPIRED = 'This password reset link has expired. Ask for a new one.';

const invalid = (detail: string) => badRequest({ token: [detail], detail });

/**
 * Counts a request for a reset link to `email` (a normalized address, whether or not an account
 * uses it, so that the limit says nothing about accounts); 429 once the address had its share in
 * the current window.
 */
export async function claimResetRequest(ctx: ServiceContext, email: string): Promise<void> {
  const now = ctx.now();
  const db = ctx.db.control;
  const claimed = await claimPasswordResetRequest(
    db,
    email,
    now,
    RESET_REQUEST_WINDOW_MS,
    RESET_REQUESTS_PER_WINDOW,
  );
  await deletePasswordResetRequestsBefore(db, now - RESET_REQUEST_WINDOW_MS);
  if (claimed !== null) return;
  const since = (await findPasswordResetWindow(db, email)) ?? now;
  const minutes = Math.max(1, Math.ceil((since + RESET_REQUEST_WINDOW_MS - now) / 60_000));
  throw new AppError(
    'rate_limited',
    `Too many password reset requests for this address. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    { 'Retry-After': String(minutes * 60) },
  );
}

/**
 * Sends a reset link to `email` if an active account uses it, and does nothing otherwise: the
 * caller answers the same either way. The email goes to this node's region's outbox.
 */
export async function sendPasswordReset(ctx: ServiceContext, email: string): Promise<void> {
  const user = await findUserByEmail(ctx.db.control, email);
  if (!user?.isActive) return;
  const secret = randomSecret();
  const now = ctx.now();
  const minutes = ctx.config.passwordResetMinutes;
  await insertPasswordReset(ctx.db.control, {
    userId: user.id,
    tokenHash: hashToken(secret),
    now,
    expiresAt: now + minutes * 60_000,
  });
  const link = `${ctx.config.url}/auth/reset/${secret}/`;
  await ctx.mailer.queue(
    ctx.db.region,
    passwordResetEmail({ to: user.email, link, minutes, siteUrl: ctx.config.url }),
    now,
  );
}

/**
 * Sets a new password with a reset link's secret, which is then used up, with every other reset
 * link of the user and every web session (personal tokens stay). 400 for a short password or a
 * link that is unknown, used or expired.
 */
export async function resetPassword(ctx: ServiceContext, secret: string, password: string): Promise<User> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    const message = `This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`;
    throw badRequest({ password: [message], detail: message });
  }
  if (!SECRET_SHAPE.test(secret)) throw invalid(RESET_LINK_INVALID);
  const tokenHash = hashToken(secret);
  // Looked at before the (slow) password hash, so that junk costs no scrypt.
  const found = await findPasswordReset(ctx.db.control, tokenHash);
  if (!found) throw invalid(RESET_LINK_INVALID);
  if (found.expiresAt <= ctx.now()) throw invalid(RESET_LINK_EXPIRED);
  const passwordHash = await hashPassword(password);
  return ctx.db.control.transaction().execute(async (trx) => {
    const used = await consumePasswordReset(trx, tokenHash, ctx.now());
    const user = used && (await findUserById(trx, used.userId));
    if (!user?.isActive) throw invalid(RESET_LINK_INVALID);
    await updatePasswordHash(trx, user.id, passwordHash);
    await deletePasswordResetsOfUser(trx, user.id);
    await deleteSessionsOfUser(trx, user.id);
    // A streak of failed sign-ins would otherwise make the owner wait to use the new password.
    await deleteLoginFailures(trx, user.email);
    return user;
  });
}
