import type { Kysely } from 'kysely';
import { parseId } from '../../lib/ids.js';
import type { ControlSchema } from '../schema.js';
import type { OrgMapping } from '../types.js';

type Db = Kysely<ControlSchema>;

/** Reserves an organization's id and slug in the control store and records its region. */
export async function insertOrgMapping(
  db: Db,
  mapping: { slug: string; region: string; now: number },
): Promise<OrgMapping> {
  const row = await db
    .insertInto('org_mappings')
    .values({ slug: mapping.slug, region: mapping.region, date_created: mapping.now })
    .returning(['id', 'slug', 'region'])
    .executeTakeFirstOrThrow();
  return row;
}

/** Finds an organization by slug, or by numeric id when the text is all digits (as Sentry's URLs allow). */
export async function findOrgMapping(db: Db, idOrSlug: string): Promise<OrgMapping | undefined> {
  const query = db.selectFrom('org_mappings').select(['id', 'slug', 'region']);
  if (!/^\d+$/.test(idOrSlug)) return query.where('slug', '=', idOrSlug).executeTakeFirst();
  const id = parseId(idOrSlug);
  return id === null ? undefined : query.where('id', '=', id).executeTakeFirst();
}

export async function findOrgMappingById(db: Db, id: number): Promise<OrgMapping | undefined> {
  return db
    .selectFrom('org_mappings')
    .select(['id', 'slug', 'region'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateOrgMappingSlug(db: Db, id: number, slug: string): Promise<void> {
  await db.updateTable('org_mappings').set({ slug }).where('id', '=', id).execute();
}

export async function deleteOrgMapping(db: Db, id: number): Promise<void> {
  await db.deleteFrom('org_mappings').where('id', '=', id).execute();
}
