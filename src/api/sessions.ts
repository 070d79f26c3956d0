import { verifyPassword } from '../auth/password.js';
import { hashToken, randomSecret } from '../auth/tokens.js';
import { AppError } from '../lib/app-error.js';
import { deleteSessionByHash, insertSession } from '../store/control/sessions.js';
import { findPasswordHash, findUserByEmail, updateUserLastLogin } from '../store/control/users.js';
import { CSRF_COOKIE, SESSION_COOKIE } from './authenticate.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { object, str } from './schema.js';
import { serializeUser } from './serializers/user.js';

const WRONG = 'Please enter a correct email and password. Note that both fields may be case-sensitive.';

// A hash to check against when the email is unknown, so that both failures take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

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
  const user = await findUserByEmail(call.ctx.db.control, body.username.trim());
  const stored = user ? await findPasswordHash(call.ctx.db.control, user.id) : null;
  const ok = await verifyPassword(body.password, stored ?? DUMMY_HASH);
  if (!user || !stored || !ok || !user.isActive) throw new AppError('bad_request', WRONG);
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
