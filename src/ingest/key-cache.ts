import type { Kysely } from 'kysely';
import { findProjectKeyByPublicKey } from '../store/region/project-keys.js';
import type { RegionSchema } from '../store/schema.js';
import type { ProjectKey } from '../store/types.js';

/**
 * What a public key can look like at all (Errata's are 32 hex digits): anything else is unknown
 * without a query, and PostgreSQL would refuse a NUL in it with an error rather than no row.
 */
const KEY_SHAPE = /^[\x21-\x7e]{1,200}$/;

/**
 * DSN keys by public key, cached for a few seconds so that ingest does not query the database on
 * every request. A key disabled or deleted through the API stops working within the TTL, on every
 * node; unknown keys are cached too, so a flood with a bad DSN costs no queries either.
 */
export class KeyCache {
  private readonly entries = new Map<string, { key: ProjectKey | null; expires: number }>();

  constructor(
    private readonly db: Kysely<RegionSchema>,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(publicKey: string): Promise<ProjectKey | null> {
    if (!KEY_SHAPE.test(publicKey)) return null;
    const now = this.now();
    const hit = this.entries.get(publicKey);
    if (hit && hit.expires > now) return hit.key;
    const key = (await findProjectKeyByPublicKey(this.db, publicKey)) ?? null;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    if (this.ttlMs > 0) this.entries.set(publicKey, { key, expires: now + this.ttlMs });
    return key;
  }
}
