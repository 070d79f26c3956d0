import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { expandScopes, type Scope } from '../auth/scopes.js';
import { hashToken, ORG_TOKEN_PREFIX, sameDigest } from '../auth/tokens.js';
import { AppError } from '../lib/app-error.js';
import type { ServiceContext } from '../services/context.js';
import { findOrgTokenByHash, touchOrgToken } from '../store/control/org-tokens.js';
import { findSessionByHash } from '../store/control/sessions.js';
import { findUserTokenByHash, touchUserToken } from '../store/control/user-tokens.js';
import { findUserById } from '../store/control/users.js';
import { cachedIdentity, rememberIdentity } from './credential-cache.js';
import { ANONYMOUS, type Identity } from './identity.js';

export const SESSION_COOKIE = 'errata_session';
export const CSRF_COOKIE = 'errata_csrf';
export const CSRF_HEADER = 'x-csrftoken';

/** The challenge Sentry sends with every 401 (the `x` keeps browsers from showing a login box). */
export const CHALLENGE = { 'WWW-Authenticate': 'xBasic realm="api"' } as const;

export function unauthenticated(detail: string): AppError {
  return new AppError('not_authenticated', detail, CHALLENGE);
}

/** Parses `Authorization` the way Sentry does: scheme case-insensitive, exactly one credential. */
function bearerToken(header: string): string | null {
  const parts = header.trim().split(/\s+/);
  if (parts[0]?.toLowerCase() !== 'bearer') {
    if (parts[0]?.toLowerCase() === 'basic') throw unauthenticated('API key is not valid');
    return null;
  }
  if (parts.length === 1) throw unauthenticated('Invalid token header. No credentials provided.');
  if (parts.length > 2)
    throw unauthenticated('Invalid token header. Token string should not contain spaces.');
  return parts[1] as string;
}

async function orgTokenIdentity(ctx: ServiceContext, token: string): Promise<Identity> {
  const hash = hashToken(token);
  const cached = cachedIdentity(ctx, hash);
  if (cached) return cached;
  const found = await findOrgTokenByHash(ctx.db.control, hash);
  if (!found || !sameDigest(found.tokenHash, hash) || found.token.dateDeactivated !== null) {
    throw unauthenticated('Invalid org token');
  }
  const now = ctx.now();
  if (
    found.token.dateLastUsed === null ||
    now - found.token.dateLastUsed >= ctx.config.tokenTouchSeconds * 1000
  ) {
    await touchOrgToken(ctx.db.control, found.token.id, now, null);
  }
  const identity: Identity = {
    kind: 'org-token',
    tokenId: found.token.id,
    organizationId: found.token.organizationId,
    // Stored as given (Sentry shows them so); a scope stands for those it implies, as on user tokens.
    scopes: new Set(expandScopes(found.token.scopes as Scope[])),
  };
  rememberIdentity(ctx, hash, identity, null);
  return identity;
}

async function userTokenIdentity(ctx: ServiceContext, token: string): Promise<Identity> {
  const hash = hashToken(token);
  const cached = cachedIdentity(ctx, hash);
  if (cached) return cached;
  const found = await findUserTokenByHash(ctx.db.control, hash);
  if (!found || !sameDigest(found.tokenHash, hash)) throw unauthenticated('Invalid token');
  const now = ctx.now();
  if (found.token.expiresAt !== null && now >= found.token.expiresAt) throw unauthenticated('Token expired');
  const user = await findUserById(ctx.db.control, found.token.userId);
  if (!user?.isActive) throw unauthenticated('User inactive or deleted');
  // Last use is recorded at most once a minute per token: a write per request would cost throughput.
  if (
    found.token.dateLastUsed === null ||
    now - found.token.dateLastUsed >= ctx.config.tokenTouchSeconds * 1000
  ) {
    await touchUserToken(ctx.db.control, found.token.id, now);
  }
  const identity: Identity = {
    kind: 'user-token',
    user,
    tokenId: found.token.id,
    scopes: new Set(found.token.scopes as Scope[]),
  };
  rememberIdentity(ctx, hash, identity, found.token.expiresAt);
  return identity;
}

async function sessionIdentity(ctx: ServiceContext, cookie: string): Promise<Identity> {
  const hash = hashToken(cookie);
  // Keyed apart from tokens: a cookie's hash and a token's never meet, but the kinds stay distinct.
  const key = `session:${hash}`;
  const cached = cachedIdentity(ctx, key);
  if (cached) return cached;
  const found = await findSessionByHash(ctx.db.control, hash);
  if (!found || !sameDigest(found.sessionHash, hash) || found.session.expiresAt <= ctx.now())
    return ANONYMOUS;
  const user = await findUserById(ctx.db.control, found.session.userId);
  if (!user?.isActive) return ANONYMOUS;
  const identity: Identity = { kind: 'session', user, session: found.session };
  rememberIdentity(ctx, key, identity, found.session.expiresAt);
  return identity;
}

/**
 * Establishes who is calling. A bearer token is checked and its failures are 401s with Sentry's
 * texts; without an Authorization header the session cookie is tried; otherwise the caller is
 * anonymous (and routes that need a caller answer 401).
 */
export async function authenticate(ctx: ServiceContext, request: FastifyRequest): Promise<Identity> {
  const header = request.headers.authorization;
  if (header !== undefined && header !== '') {
    const token = bearerToken(header);
    if (token === null) return ANONYMOUS;
    return token.startsWith(ORG_TOKEN_PREFIX) ? orgTokenIdentity(ctx, token) : userTokenIdentity(ctx, token);
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie ? sessionIdentity(ctx, cookie) : ANONYMOUS;
}
