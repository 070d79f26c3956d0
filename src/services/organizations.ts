import { AppError } from '../lib/app-error.js';
import { isUniqueViolation } from '../store/conflict.js';
import {
  addMemberMapping,
  deleteOrgMapping,
  insertOrgMapping,
  updateOrgMapping,
} from '../store/control/org-mappings.js';
import { insertMember } from '../store/region/members.js';
import { insertOrganization, updateOrganization } from '../store/region/organizations.js';
import { addTeamMember, insertTeam } from '../store/region/teams.js';
import type { Member, Organization, Team } from '../store/types.js';
import type { ServiceContext } from './context.js';
import { requireSlug, slugify } from './slugs.js';

const SLUG_TAKEN = 'An organization with this slug already exists.';

/**
 * Creates an organization in this node's region, owned by a user, with a first team the owner
 * belongs to. The slug and id are reserved in the control store first (with the region and the
 * owner's membership mapping); if the region write fails, the reservation is released.
 */
export async function createOrganization(
  ctx: ServiceContext,
  input: { name: string; slug?: string; owner: { id: number; email: string }; defaultTeam?: boolean },
): Promise<{ organization: Organization; owner: Member; team: Team | null }> {
  const slug = input.slug === undefined ? slugify(input.name) : requireSlug(input.slug);
  const now = ctx.now();
  let mapping: Awaited<ReturnType<typeof insertOrgMapping>>;
  try {
    mapping = await insertOrgMapping(ctx.db.control, {
      slug,
      region: ctx.config.region,
      name: input.name,
      now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', SLUG_TAKEN);
    throw error;
  }
  try {
    await addMemberMapping(ctx.db.control, mapping.id, input.owner.id, now);
    return await ctx.db.region.transaction().execute(async (trx) => {
      const organization = await insertOrganization(trx, { id: mapping.id, slug, name: input.name, now });
      const owner = await insertMember(trx, {
        organizationId: organization.id,
        userId: input.owner.id,
        email: input.owner.email,
        role: 'owner',
        inviteTokenHash: null,
        inviterId: null,
        now,
      });
      let team: Team | null = null;
      if (input.defaultTeam !== false) {
        team = await insertTeam(trx, { organizationId: organization.id, slug, name: input.name, now });
        await addTeamMember(trx, team.id, owner.id, 'admin');
      }
      return { organization, owner, team };
    });
  } catch (error) {
    await deleteOrgMapping(ctx.db.control, mapping.id);
    if (isUniqueViolation(error)) throw new AppError('conflict', SLUG_TAKEN);
    throw error;
  }
}

/**
 * Renames an organization or changes its settings; a new slug is reserved in the control store
 * first, and the name and flags the control side lists are copied there after the region's write.
 */
export async function updateOrganizationSettings(
  ctx: ServiceContext,
  org: Organization,
  changes: Parameters<typeof updateOrganization>[2],
): Promise<void> {
  if (changes.slug !== undefined && changes.slug !== org.slug) {
    requireSlug(changes.slug);
    try {
      await updateOrgMapping(ctx.db.control, org.id, { slug: changes.slug });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('conflict', SLUG_TAKEN);
      throw error;
    }
  }
  try {
    await updateOrganization(ctx.db.region, org.id, changes);
  } catch (error) {
    if (changes.slug !== undefined && changes.slug !== org.slug)
      await updateOrgMapping(ctx.db.control, org.id, { slug: org.slug });
    if (isUniqueViolation(error)) throw new AppError('conflict', SLUG_TAKEN);
    throw error;
  }
  await updateOrgMapping(ctx.db.control, org.id, {
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.isEarlyAdopter === undefined ? {} : { isEarlyAdopter: changes.isEarlyAdopter }),
  });
}
