import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ProjectKeyTable, RegionSchema } from '../schema.js';
import type { PageRequest, ProjectKey } from '../types.js';

type Db = Kysely<RegionSchema>;

function toProjectKey(row: Selectable<ProjectKeyTable>): ProjectKey {
  return {
    id: row.id,
    projectId: row.project_id,
    publicKey: row.public_key,
    secretKey: row.secret_key,
    name: row.name,
    isActive: row.is_active === 1,
    rateLimit:
      row.rate_limit_count !== null && row.rate_limit_window !== null
        ? { count: row.rate_limit_count, window: row.rate_limit_window }
        : null,
    dateCreated: row.date_created,
  };
}

export async function insertProjectKey(
  db: Db,
  key: {
    projectId: number;
    publicKey: string;
    secretKey: string;
    name: string;
    rateLimit: { count: number; window: number } | null;
    now: number;
  },
): Promise<ProjectKey> {
  const row = await db
    .insertInto('project_keys')
    .values({
      project_id: key.projectId,
      public_key: key.publicKey,
      secret_key: key.secretKey,
      name: key.name,
      is_active: 1,
      rate_limit_count: key.rateLimit?.count ?? null,
      rate_limit_window: key.rateLimit?.window ?? null,
      date_created: key.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProjectKey(row);
}

export async function findProjectKey(
  db: Db,
  projectId: number,
  publicKey: string,
): Promise<ProjectKey | undefined> {
  const row = await db
    .selectFrom('project_keys')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('public_key', '=', publicKey)
    .executeTakeFirst();
  return row && toProjectKey(row);
}

/** Finds a key by its public part alone: what ingest authenticates with. */
export async function findProjectKeyByPublicKey(db: Db, publicKey: string): Promise<ProjectKey | undefined> {
  const row = await db
    .selectFrom('project_keys')
    .selectAll()
    .where('public_key', '=', publicKey)
    .executeTakeFirst();
  return row && toProjectKey(row);
}

export async function listProjectKeys(
  db: Db,
  projectId: number,
  page: PageRequest,
  status?: 'active' | 'inactive',
): Promise<ProjectKey[]> {
  let q = db.selectFrom('project_keys').selectAll().where('project_id', '=', projectId);
  if (status) q = q.where('is_active', '=', status === 'active' ? 1 : 0);
  const rows = await q.orderBy('date_created').orderBy('id').limit(page.limit).offset(page.offset).execute();
  return rows.map(toProjectKey);
}

export async function updateProjectKey(
  db: Db,
  id: number,
  changes: { name?: string; isActive?: boolean; rateLimit?: { count: number; window: number } | null },
): Promise<void> {
  const set: Updateable<ProjectKeyTable> = {};
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.isActive !== undefined) set.is_active = changes.isActive ? 1 : 0;
  if (changes.rateLimit !== undefined) {
    set.rate_limit_count = changes.rateLimit?.count ?? null;
    set.rate_limit_window = changes.rateLimit?.window ?? null;
  }
  if (Object.keys(set).length === 0) return;
  await db.updateTable('project_keys').set(set).where('id', '=', id).execute();
}

export async function deleteProjectKey(db: Db, id: number): Promise<void> {
  await db.deleteFrom('project_keys').where('id', '=', id).execute();
}
