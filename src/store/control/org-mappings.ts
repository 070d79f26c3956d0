import type { Kysely } from 'kysely';
import { parseId } from '../../lib/ids.js';
import type { ControlSchema } from '../schema.js';
import type { OrgMapping, OrgSummary, PageRequest } from '../types.js';

type Db = Kysely<ControlSchema>;

const MAPPING = ['id', 'slug', 'region'] as const;

/** Reserves an organization's id and slug in the control store and records its region. */
export async function insertOrgMapping(
  db: Db,
  mapping: { slug: string; region: string; name: string; now: number },
): Promise<OrgMapping> {
  const row = await db
    .insertInto('org_mappings')
    .values({ slug: mapping.slug, region: mapping.region, name: mapping.name, date_created: mapping.now })
    .returning([...MAPPING])
    .executeTakeFirstOrThrow();
  return row;
}

/** Finds an organization by slug, or by numeric id when the text is all digits (as Sentry's URLs allow). */
export async function findOrgMapping(db: Db, idOrSlug: string): Promise<OrgMapping | undefined> {
  const query = db.selectFrom('org_mappings').select([...MAPPING]);
  if (!/^\d+$/.test(idOrSlug)) return query.where('slug', '=', idOrSlug).executeTakeFirst();
  const id = parseId(idOrSlug);
  return id === null ? undefined : query.where('id', '=', id).executeTakeFirst();
}

export async function findOrgMappingById(db: Db, id: number): Promise<OrgMapping | undefined> {
  return db
    .selectFrom('org_mappings')
    .select([...MAPPING])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Copies a region's changes to an organization's slug, name or flags into its mapping. */
export async function updateOrgMapping(
  db: Db,
  id: number,
  changes: { slug?: string; name?: string; isEarlyAdopter?: boolean },
): Promise<void> {
  const set = {
    ...(changes.slug === undefined ? {} : { slug: changes.slug }),
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.isEarlyAdopter === undefined ? {} : { is_early_adopter: changes.isEarlyAdopter ? 1 : 0 }),
  };
  if (Object.keys(set).length === 0) return;
  await db.updateTable('org_mappings').set(set).where('id', '=', id).execute();
}

export async function deleteOrgMapping(db: Db, id: number): Promise<void> {
  await db.deleteFrom('org_mappings').where('id', '=', id).execute();
}

/** Records that a user belongs to an organization (a second time changes nothing). */
export async function addMemberMapping(
  db: Db,
  organizationId: number,
  userId: number,
  now: number,
): Promise<void> {
  await db
    .insertInto('org_member_mappings')
    .values({ organization_id: organizationId, user_id: userId, date_created: now })
    .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
    .execute();
}

export async function removeMemberMapping(db: Db, organizationId: number, userId: number): Promise<void> {
  await db
    .deleteFrom('org_member_mappings')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .execute();
}

const SUMMARY = [
  'org_mappings.id',
  'org_mappings.slug',
  'org_mappings.region',
  'org_mappings.name',
  'org_mappings.date_created',
  'org_mappings.is_early_adopter',
] as const;

function toSummary(row: {
  id: number;
  slug: string;
  region: string;
  name: string;
  date_created: number;
  is_early_adopter: number;
}): OrgSummary {
  return {
    id: row.id,
    slug: row.slug,
    region: row.region,
    name: row.name,
    dateCreated: row.date_created,
    isEarlyAdopter: row.is_early_adopter === 1,
  };
}

/** The organizations a user belongs to, in every region, newest first. */
export async function listOrgMappingsOfUser(
  db: Db,
  userId: number,
  page: PageRequest,
): Promise<OrgSummary[]> {
  const rows = await db
    .selectFrom('org_mappings')
    .innerJoin('org_member_mappings', 'org_member_mappings.organization_id', 'org_mappings.id')
    .select([...SUMMARY])
    .where('org_member_mappings.user_id', '=', userId)
    .orderBy('org_mappings.date_created', 'desc')
    .orderBy('org_mappings.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toSummary);
}

export async function findOrgSummaryById(db: Db, id: number): Promise<OrgSummary | undefined> {
  const row = await db
    .selectFrom('org_mappings')
    .select([...SUMMARY])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toSummary(row);
}

/** The regions in which a user belongs to at least one organization. */
export async function listRegionsOfUser(db: Db, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('org_mappings')
    .innerJoin('org_member_mappings', 'org_member_mappings.organization_id', 'org_mappings.id')
    .select('org_mappings.region')
    .distinct()
    .where('org_member_mappings.user_id', '=', userId)
    .execute();
  return rows.map((row) => row.region).sort();
}

/** Every mapping of one region with its members, to reconcile against the region's own rows. */
export async function listRegionMappings(
  db: Db,
  region: string,
): Promise<{ id: number; slug: string; name: string; isEarlyAdopter: boolean; userIds: number[] }[]> {
  const orgs = await db
    .selectFrom('org_mappings')
    .select(['id', 'slug', 'name', 'is_early_adopter'])
    .where('region', '=', region)
    .execute();
  const members = await db
    .selectFrom('org_member_mappings')
    .innerJoin('org_mappings', 'org_mappings.id', 'org_member_mappings.organization_id')
    .select(['org_member_mappings.organization_id', 'org_member_mappings.user_id'])
    .where('org_mappings.region', '=', region)
    .execute();
  const byOrg = new Map<number, number[]>();
  for (const m of members) {
    const list = byOrg.get(m.organization_id);
    if (list) list.push(m.user_id);
    else byOrg.set(m.organization_id, [m.user_id]);
  }
  return orgs.map((o) => ({
    id: o.id,
    slug: o.slug,
    name: o.name,
    isEarlyAdopter: o.is_early_adopter === 1,
    userIds: byOrg.get(o.id) ?? [],
  }));
}
