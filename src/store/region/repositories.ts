import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { RegionSchema, RepositoryTable } from '../schema.js';
import type { PageRequest, Repository } from '../types.js';

type Db = Kysely<RegionSchema>;

/** Sentry's status of a repository in use; the others (disabled, pending deletion…) hide it. */
export const ACTIVE = 'active';

function toRepository(row: Selectable<RepositoryTable>): Repository {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    provider: row.provider,
    url: row.url,
    externalId: row.external_id,
    status: row.status,
    dateCreated: row.date_created,
  };
}

export async function findRepositoryById(
  db: Db,
  organizationId: number,
  id: number,
): Promise<Repository | undefined> {
  const row = await db
    .selectFrom('repositories')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRepository(row);
}

/** The active repository of the organization with this external id (its id at the provider). */
export async function findRepositoryByExternalId(
  db: Db,
  organizationId: number,
  externalId: string,
): Promise<Repository | undefined> {
  const row = await db
    .selectFrom('repositories')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('external_id', '=', externalId)
    .where('status', '=', ACTIVE)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row && toRepository(row);
}

/** Active repositories of the organization by exact name (names are case-sensitive, as Sentry's). */
export async function findRepositoriesByNames(
  db: Db,
  organizationId: number,
  names: readonly string[],
): Promise<Map<string, Repository>> {
  if (names.length === 0) return new Map();
  const rows = await db
    .selectFrom('repositories')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('name', 'in', [...new Set(names)])
    .where('status', '=', ACTIVE)
    .execute();
  return new Map(rows.map((row) => [row.name, toRepository(row)]));
}

export async function findRepositoriesByIds(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, Repository>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('repositories')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, toRepository(row)]));
}

/**
 * The organization's repositories of these names, adding the missing ones with no provider (as
 * Sentry does for commits that name a repository it does not know).
 */
export async function ensureRepositories(
  db: Db,
  organizationId: number,
  names: readonly string[],
  now: number,
): Promise<Map<string, Repository>> {
  const found = await findRepositoriesByNames(db, organizationId, names);
  const missing = [...new Set(names)].filter((name) => !found.has(name));
  if (missing.length === 0) return found;
  await db
    .insertInto('repositories')
    .values(
      missing.map((name) => ({
        organization_id: organizationId,
        name,
        provider: null,
        url: null,
        external_id: null,
        status: ACTIVE,
        date_created: now,
      })),
    )
    // Another request may add the same one meanwhile; its row does as well.
    .onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing())
    .execute();
  return findRepositoriesByNames(db, organizationId, names);
}

/**
 * The organization's repositories by name: the active ones, the others (`inactive`), or all; `query`
 * keeps names containing it, in any case.
 */
export async function listRepositories(
  db: Db,
  organizationId: number,
  page: PageRequest,
  filter: { status: 'active' | 'inactive' | 'all'; query?: string },
): Promise<Repository[]> {
  let q = db.selectFrom('repositories').selectAll().where('organization_id', '=', organizationId);
  if (filter.status !== 'all') q = q.where('status', filter.status === 'active' ? '=' : '<>', ACTIVE);
  if (filter.query) {
    const pattern = `%${filter.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<SqlBool>`lower(name) like lower(${pattern}) escape '\\'`);
  }
  const rows = await q.orderBy('name').orderBy('id').limit(page.limit).offset(page.offset).execute();
  return rows.map(toRepository);
}
