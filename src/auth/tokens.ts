import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const USER_TOKEN_PREFIX = 'sntryu_';
export const ORG_TOKEN_PREFIX = 'sntrys_';

/** SHA-256 hex of the whole token string: what the stores keep instead of the token itself. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The last four characters, kept for display ("…a1b2"). */
export function lastCharacters(token: string): string {
  return token.slice(-4);
}

/** A personal token: `sntryu_` and 64 lowercase hex characters (32 random bytes), as Sentry mints them. */
export function generateUserToken(): string {
  return USER_TOKEN_PREFIX + randomBytes(32).toString('hex');
}

export interface OrgTokenPayload {
  readonly iat: number;
  readonly url: string;
  readonly region_url: string;
  readonly org: string;
}

/**
 * An organization token: `sntrys_` + padded standard base64 of the JSON payload + `_` + 43
 * characters of unpadded base64 (32 random bytes). sentry-cli decodes the payload and sends
 * every call to its `url`, so that must be this server's public base URL.
 *
 * @example generateOrgToken({ iat: 1732800000.5, url: 'https://errata.example', region_url: 'https://errata.example', org: 'acme' })
 */
export function generateOrgToken(payload: OrgTokenPayload): string {
  const json = JSON.stringify({
    iat: payload.iat,
    url: payload.url,
    region_url: payload.region_url,
    org: payload.org,
  });
  let secret = randomBytes(32).toString('base64').replace(/=+$/, '');
  // Standard base64 has no '_', so the token has exactly two: the prefix's and the separator.
  while (secret.includes('_')) secret = randomBytes(32).toString('base64').replace(/=+$/, '');
  return `${ORG_TOKEN_PREFIX}${Buffer.from(json, 'utf8').toString('base64')}_${secret}`;
}

/** Decodes an organization token's payload; null when the token is not well formed. */
export function parseOrgToken(token: string): OrgTokenPayload | null {
  if (!token.startsWith(ORG_TOKEN_PREFIX) || token.split('_').length !== 3) return null;
  const encoded = token.slice(ORG_TOKEN_PREFIX.length, token.lastIndexOf('_'));
  try {
    const payload = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Partial<OrgTokenPayload>;
    if (!payload.iat || typeof payload.org !== 'string') return null;
    return payload as OrgTokenPayload;
  } catch {
    return null;
  }
}

/** A random opaque secret for sessions, CSRF and invites (URL-safe). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
