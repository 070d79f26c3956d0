import type { ServiceContext } from '../services/context.js';
import type { Identity } from './identity.js';

interface Entry {
  readonly identity: Identity;
  readonly until: number;
}

/** Entries kept per node at most; beyond it the oldest go (a burst of distinct tokens cannot grow it). */
const MAX_ENTRIES = 10_000;

/**
 * Identities this node established from the control database, by the hash of the credential, for
 * ERRATA_AUTH_CACHE_SECONDS: with several regions the control database may be far away, and a
 * request should not pay a round trip there for a token checked a moment ago. A credential revoked
 * here is forgotten at once; one revoked on another node stops working here within that time.
 * Only successes are kept: an unknown token costs a lookup every time, as before.
 */
const caches = new WeakMap<object, Map<string, Entry>>();

function cacheOf(ctx: ServiceContext): Map<string, Entry> {
  let cache = caches.get(ctx.db);
  if (!cache) {
    cache = new Map();
    caches.set(ctx.db, cache);
  }
  return cache;
}

export function cachedIdentity(ctx: ServiceContext, key: string): Identity | undefined {
  if (ctx.config.authCacheSeconds === 0) return undefined;
  const cache = cacheOf(ctx);
  const entry = cache.get(key);
  if (!entry) return undefined;
  if (entry.until <= ctx.now()) {
    cache.delete(key);
    return undefined;
  }
  return entry.identity;
}

/** Keeps an identity until the cache time passes, or until `expiresAt` (the credential's own end) if sooner. */
export function rememberIdentity(
  ctx: ServiceContext,
  key: string,
  identity: Identity,
  expiresAt: number | null,
): void {
  if (ctx.config.authCacheSeconds === 0) return;
  const cache = cacheOf(ctx);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  const until = ctx.now() + ctx.config.authCacheSeconds * 1000;
  cache.set(key, { identity, until: expiresAt === null ? until : Math.min(until, expiresAt) });
}

/** Forgets every identity this node keeps: called when a credential is revoked or a user changes here. */
export function forgetIdentities(ctx: ServiceContext): void {
  caches.get(ctx.db)?.clear();
}
