import {
  addMemberMapping,
  listRegionMappings,
  removeMemberMapping,
  updateOrgMapping,
} from '../store/control/org-mappings.js';
import { listJoinedMemberships } from '../store/region/members.js';
import { listAllOrganizations } from '../store/region/organizations.js';
import type { ServiceContext } from './context.js';

export interface ReconcileReport {
  readonly added: number;
  readonly removed: number;
  readonly renamed: number;
}

/**
 * Brings the control store's picture of this region (organization names and flags, who belongs to
 * which organization) in line with the region's own rows. Every change writes both sides as it
 * happens; this repairs what a failure between the two writes left behind, and fills the mappings
 * of an install that had none. Run at start, before requests are served.
 */
export async function reconcileRegionMappings(ctx: ServiceContext): Promise<ReconcileReport> {
  const mappings = await listRegionMappings(ctx.db.control, ctx.config.region);
  const orgs = await listAllOrganizations(ctx.db.region, { limit: Number.MAX_SAFE_INTEGER, offset: 0 });
  const memberships = await listJoinedMemberships(ctx.db.region);
  const now = ctx.now();
  let added = 0;
  let removed = 0;
  let renamed = 0;
  const mapped = new Map(mappings.map((m) => [m.id, m]));
  const wanted = new Map<number, Set<number>>();
  for (const m of memberships) {
    const set = wanted.get(m.organizationId) ?? new Set<number>();
    set.add(m.userId);
    wanted.set(m.organizationId, set);
  }
  for (const org of orgs) {
    const mapping = mapped.get(org.id);
    // An organization of this region always has a mapping (it is reserved first); one without is
    // not this region's to claim.
    if (!mapping) continue;
    if (mapping.name !== org.name || mapping.isEarlyAdopter !== org.isEarlyAdopter) {
      await updateOrgMapping(ctx.db.control, org.id, { name: org.name, isEarlyAdopter: org.isEarlyAdopter });
      renamed++;
    }
    const users = wanted.get(org.id) ?? new Set<number>();
    const known = new Set(mapping.userIds);
    for (const userId of users) {
      if (!known.has(userId)) {
        await addMemberMapping(ctx.db.control, org.id, userId, now);
        added++;
      }
    }
    for (const userId of mapping.userIds) {
      if (!users.has(userId)) {
        await removeMemberMapping(ctx.db.control, org.id, userId);
        removed++;
      }
    }
  }
  return { added, removed, renamed };
}
