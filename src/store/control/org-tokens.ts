import type { Kysely, Selectable } from 'kysely';
import type { ControlSchema, OrgTokenTable } from '../schema.js';
import type { OrgToken } from '../types.js';

type Db = Kysely<ControlSchema>;

function toOrgToken(row: Selectable<OrgTokenTable>): OrgToken {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    lastChars: row.last_chars,
    scopes: row.scopes ? row.scopes.split(' ') : [],
    createdById: row.created_by_id,
    dateCreated: row.date_created,
    dateLastUsed: row.date_last_used,
    projectLastUsedId: row.project_last_used_id,
    dateDeactivated: row.date_deactivated,
  };
}

export async function insertOrgToken(
  db: Db,
  token: {
    organizationId: number;
    name: string;
    tokenHash: string;
    lastChars: string;
    scopes: readonly string[];
    createdById: number | null;
    now: number;
  },
): Promise<OrgToken> {
  const row = await db
    .insertInto('org_tokens')
    .values({
      organization_id: token.organizationId,
      name: token.name,
      token_hash: token.tokenHash,
      last_chars: token.lastChars,
      scopes: token.scopes.join(' '),
      created_by_id: token.createdById,
      date_created: token.now,
      date_last_used: null,
      project_last_used_id: null,
      date_deactivated: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrgToken(row);
}

/** Finds a token by hash, revoked ones included (the caller tells them apart). */
export async function findOrgTokenByHash(
  db: Db,
  tokenHash: string,
): Promise<{ token: OrgToken; tokenHash: string } | undefined> {
  const row = await db
    .selectFrom('org_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && { token: toOrgToken(row), tokenHash: row.token_hash };
}

export async function findActiveOrgToken(
  db: Db,
  organizationId: number,
  id: number,
): Promise<OrgToken | undefined> {
  const row = await db
    .selectFrom('org_tokens')
    .selectAll()
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('date_deactivated', 'is', null)
    .executeTakeFirst();
  return row && toOrgToken(row);
}

/** Active tokens, most recently used first, never-used last, then by name and newest (as Sentry orders them). */
export async function listActiveOrgTokens(db: Db, organizationId: number): Promise<OrgToken[]> {
  const rows = await db
    .selectFrom('org_tokens')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('date_deactivated', 'is', null)
    .execute();
  return rows
    .map(toOrgToken)
    .sort(
      (a, b) =>
        (b.dateLastUsed ?? -1) - (a.dateLastUsed ?? -1) ||
        a.name.localeCompare(b.name) ||
        b.dateCreated - a.dateCreated,
    );
}

export async function renameOrgToken(
  db: Db,
  organizationId: number,
  id: number,
  name: string,
): Promise<boolean> {
  const result = await db
    .updateTable('org_tokens')
    .set({ name })
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('date_deactivated', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deactivateOrgToken(
  db: Db,
  organizationId: number,
  id: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('org_tokens')
    .set({ date_deactivated: now })
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('date_deactivated', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchOrgToken(
  db: Db,
  id: number,
  now: number,
  projectId: number | null,
): Promise<void> {
  await db
    .updateTable('org_tokens')
    .set(
      projectId === null ? { date_last_used: now } : { date_last_used: now, project_last_used_id: projectId },
    )
    .where('id', '=', id)
    .execute();
}
