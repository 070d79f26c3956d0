import { verifyPassword } from '../auth/password.js';
import { hashToken, randomSecret } from '../auth/tokens.js';
import { AppError } from '../lib/app-error.js';
import {
  claimLoginAttempt,
  deleteLoginFailures,
  deleteLoginFailuresBefore,
  findLoginFailures,
} from '../store/control/login-failures.js';
import { deleteSessionByHash, insertSession } from '../store/control/sessions.js';
import { findPasswordHash, findUserByEmail, updateUserLastLogin } from '../store/control/users.js';
import { CSRF_COOKIE, SESSION_COOKIE } from './authenticate.js';
import { forgetIdentities } from './credential-cache.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { object, str } from './schema.js';
import { serializeUser } from './serializers/user.js';

const WRONG = 'Please enter a correct email and password. Note that both fields may be case-sensitive.';

// A hash to check against when the email is unknown, so that both failures take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

// Failed sign-ins per username: the first few are free, then each one doubles the wait before the
// next attempt is even checked, up to a ceiling; a streak is forgotten a day after its last failure.
// Kept in the control store so that every node enforces the same wait, and each attempt is counted
// before its password is checked.
const FREE_FAILURES = 3;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15 * 60 * 1000;
const FORGET_AFTER_MS = 24 * 3600 * 1000;

/** How long a username must wait after its `failures`-th failure in a row. */
export function loginDelayMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(failures - FREE_FAILURES, 30), MAX_DELAY_MS);
}

function tooManyFailures(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError(
    'rate_limited',
    `Too many failed sign-in attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
    { 'Retry-After': String(seconds) },
  );
}

/** The schedule as a list, up to the first failure count that reaches the ceiling. */
const DELAY_STEPS: readonly number[] = (() => {
  const steps: number[] = [];
  for (let n = 0; steps.at(-1) !== MAX_DELAY_MS; n++) steps.push(loginDelayMs(n));
  return steps;
})();

/**
 * Counts the attempt as a failure before any password is checked, or refuses it while the
 * username's delay runs. The count and the check are one statement in the control store, so
 * attempts sent at once (to one node or several) cannot all pass before any failure is written.
 */
async function claimAttempt(call: ApiCall, username: string): Promise<void> {
  const now = call.ctx.now();
  const claimed = await claimLoginAttempt(
    call.ctx.db.control,
    username,
    now,
    now - FORGET_AFTER_MS,
    DELAY_STEPS,
  );
  if (claimed !== null) return;
  const streak = await findLoginFailures(call.ctx.db.control, username);
  throw tooManyFailures(streak ? streak.lastFailureAt + loginDelayMs(streak.failures) - now : 0);
}

function cookieOptions(call: ApiCall, httpOnly: boolean, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly,
    sameSite: 'lax' as const,
    secure: call.ctx.config.url.startsWith('https:'),
    maxAge: maxAgeSeconds,
  };
}

/**
 * `POST /api/0/auth/login/` with `{"username": email, "password": …}`: starts a web session (an
 * HttpOnly cookie) and sets a readable CSRF cookie whose value must come back in `X-CSRFToken`
 * on every unsafe request made with the session.
 */
async function login(call: ApiCall) {
  const body = call.body as { username: string; password: string };
  // Unknown usernames earn delays too, so a delay says nothing about whether an account exists.
  const username = body.username.trim().toLowerCase();
  await claimAttempt(call, username);
  const user = await findUserByEmail(call.ctx.db.control, body.username.trim());
  const stored = user ? await findPasswordHash(call.ctx.db.control, user.id) : null;
  const ok = await verifyPassword(body.password, stored ?? DUMMY_HASH);
  if (!user || !stored || !ok || !user.isActive) {
    // The failure was counted when the attempt was claimed; only old streaks are left to drop.
    await deleteLoginFailuresBefore(call.ctx.db.control, call.ctx.now() - FORGET_AFTER_MS);
    throw new AppError('bad_request', WRONG);
  }
  await deleteLoginFailures(call.ctx.db.control, username);
  const session = randomSecret();
  const csrf = randomSecret(24);
  const now = call.ctx.now();
  const ttlSeconds = call.ctx.config.sessionTtlHours * 3600;
  await insertSession(call.ctx.db.control, {
    sessionHash: hashToken(session),
    userId: user.id,
    csrfToken: csrf,
    now,
    expiresAt: now + ttlSeconds * 1000,
  });
  await updateUserLastLogin(call.ctx.db.control, user.id, now);
  call.reply.setCookie(SESSION_COOKIE, session, cookieOptions(call, true, ttlSeconds));
  call.reply.setCookie(CSRF_COOKIE, csrf, cookieOptions(call, false, ttlSeconds));
  return { user: serializeUser({ ...user, lastLogin: now }), csrfToken: csrf };
}

/** `DELETE /api/0/auth/`: ends the session. */
async function logout(call: ApiCall) {
  const cookie = call.request.cookies[SESSION_COOKIE];
  if (cookie) await deleteSessionByHash(call.ctx.db.control, hashToken(cookie));
  forgetIdentities(call.ctx);
  call.reply.clearCookie(SESSION_COOKIE, { path: '/' });
  call.reply.clearCookie(CSRF_COOKIE, { path: '/' });
  return noContent(call);
}

export const sessionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/auth/login/',
    auth: 'public',
    body: object({ username: str(254, 1), password: str(1024, 1) }, ['username', 'password']),
    handler: login,
  },
  { method: 'DELETE', url: '/auth/', auth: 'session', handler: logout },
];
