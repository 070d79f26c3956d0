import { claimResetRequest, resetPassword, sendPasswordReset } from '../services/password-reset.js';
import { normalizeEmail } from '../services/users.js';
import { afterReply } from './after-reply.js';
import { forgetIdentities } from './credential-cache.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { object, str } from './schema.js';

// Sentry's account recovery as two public endpoints the web UI calls: ask for a link by email, then
// set a new password with the link's secret.

/**
 * `POST /api/0/auth/password-reset/` with `{"email": …}`: 204 whether or not an account uses the
 * address; the link is made and mailed after the answer, so that its timing does not tell either.
 * A malformed address is a 400, and too many requests for one address a 429, for any address.
 */
async function requestReset(call: ApiCall) {
  const email = normalizeEmail((call.body as { email: string }).email);
  await claimResetRequest(call.ctx, email);
  afterReply(call, 'password reset email', () => sendPasswordReset(call.ctx, email));
  return noContent(call);
}

/**
 * `POST /api/0/auth/password-reset/confirm/` with `{"token": …, "password": …}`: sets the password
 * and ends every web session of the account (204); 400 with `detail` for a short password or a link
 * that is unknown, used or expired.
 */
async function confirmReset(call: ApiCall) {
  const body = call.body as { token: string; password: string };
  await resetPassword(call.ctx, body.token, body.password);
  // Sessions this node has cached stop working now; other nodes' within ERRATA_AUTH_CACHE_SECONDS.
  forgetIdentities(call.ctx);
  return noContent(call);
}

export const passwordResetRoutes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/auth/password-reset/',
    auth: 'public',
    body: object({ email: str(254, 1) }, ['email']),
    handler: requestReset,
  },
  {
    method: 'POST',
    url: '/auth/password-reset/confirm/',
    auth: 'public',
    body: object({ token: str(256, 1), password: str(1024, 1) }, ['token', 'password']),
    handler: confirmReset,
  },
];
