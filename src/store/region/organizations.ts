import type { Kysely, Selectable, Updateable } from 'kysely';
import type { OrganizationTable, RegionSchema } from '../schema.js';
import type { Organization, PageRequest } from '../types.js';

type Db = Kysely<RegionSchema>;

function toOrganization(row: Selectable<OrganizationTable>): Organization {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    dateCreated: row.date_created,
    defaultRole: row.default_role,
    openMembership: row.open_membership === 1,
    allowSharedIssues: row.allow_shared_issues === 1,
    isEarlyAdopter: row.is_early_adopter === 1,
  };
}

export async function insertOrganization(
  db: Db,
  org: { id: number; slug: string; name: string; now: number },
): Promise<Organization> {
  const row = await db
    .insertInto('organizations')
    .values({
      id: org.id,
      slug: org.slug,
      name: org.name,
      date_created: org.now,
      default_role: 'member',
      open_membership: 1,
      allow_shared_issues: 1,
      is_early_adopter: 0,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrganization(row);
}

export async function findOrganizationById(db: Db, id: number): Promise<Organization | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOrganization(row);
}

/** Organizations with a joined (not pending) membership of the user, newest first. */
export async function listOrganizationsOfUser(
  db: Db,
  userId: number,
  page: PageRequest,
): Promise<Organization[]> {
  const rows = await db
    .selectFrom('organizations')
    .innerJoin('members', 'members.organization_id', 'organizations.id')
    .selectAll('organizations')
    .where('members.user_id', '=', userId)
    .orderBy('organizations.date_created', 'desc')
    .orderBy('organizations.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toOrganization);
}

export async function listAllOrganizations(db: Db, page: PageRequest): Promise<Organization[]> {
  const rows = await db
    .selectFrom('organizations')
    .selectAll()
    .orderBy('date_created', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toOrganization);
}

export async function updateOrganization(
  db: Db,
  id: number,
  changes: Partial<
    Pick<
      Organization,
      'slug' | 'name' | 'defaultRole' | 'openMembership' | 'allowSharedIssues' | 'isEarlyAdopter'
    >
  >,
): Promise<void> {
  const set: Updateable<OrganizationTable> = {};
  if (changes.slug !== undefined) set.slug = changes.slug;
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.defaultRole !== undefined) set.default_role = changes.defaultRole;
  if (changes.openMembership !== undefined) set.open_membership = changes.openMembership ? 1 : 0;
  if (changes.allowSharedIssues !== undefined) set.allow_shared_issues = changes.allowSharedIssues ? 1 : 0;
  if (changes.isEarlyAdopter !== undefined) set.is_early_adopter = changes.isEarlyAdopter ? 1 : 0;
  if (Object.keys(set).length === 0) return;
  await db.updateTable('organizations').set(set).where('id', '=', id).execute();
}
