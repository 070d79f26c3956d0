import type { Kysely } from 'kysely';
import { isValidSlug } from '../services/slugs.js';
import { findOrgMapping } from '../store/control/org-mappings.js';
import type { ControlSchema } from '../store/schema.js';

/**
 * What an organization in a URL can be at all: a slug, or a numeric id. Anything else names no
 * organization without a query (and PostgreSQL would answer a NUL in it with an error, not no row).
 */
function couldNameOrg(idOrSlug: string): boolean {
  return isValidSlug(idOrSlug) || /^\d{1,15}$/.test(idOrSlug);
}

/**
 * The region of each organization (by slug or id, as URLs name it), from the control database,
 * remembered for a few seconds so that a node does not query the control database on every request.
 *
 * Only organizations that exist are remembered: one created on another region's node a moment ago
 * is then forwarded at once rather than answered 404 here for the TTL, and an unknown one costs
 * one query, which the local route that answers its 404 makes anyway. A renamed or deleted
 * organization may be forwarded for up to the TTL under its old slug; its region answers that.
 */
export class OrgRegionCache {
  private readonly entries = new Map<string, { region: string; expires: number }>();

  constructor(
    private readonly db: Kysely<ControlSchema>,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The organization's region, or undefined when no organization has that slug or id. */
  async regionOf(idOrSlug: string): Promise<string | undefined> {
    if (!couldNameOrg(idOrSlug)) return undefined;
    const now = this.now();
    const hit = this.entries.get(idOrSlug);
    if (hit && hit.expires > now) return hit.region;
    const mapping = await findOrgMapping(this.db, idOrSlug);
    if (!mapping) {
      this.entries.delete(idOrSlug);
      return undefined;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    if (this.ttlMs > 0) this.entries.set(idOrSlug, { region: mapping.region, expires: now + this.ttlMs });
    return mapping.region;
  }
}
