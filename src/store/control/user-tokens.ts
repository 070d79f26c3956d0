import type { Kysely, Selectable } from 'kysely';
import type { ControlSchema, UserTokenTable } from '../schema.js';
import type { UserToken } from '../types.js';

type Db = Kysely<ControlSchema>;

function toUserToken(row: Selectable<UserTokenTable>): UserToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    lastChars: row.last_chars,
    scopes: row.scopes ? row.scopes.split(' ') : [],
    expiresAt: row.expires_at,
    dateCreated: row.date_created,
    dateLastUsed: row.date_last_used,
  };
}

export async function insertUserToken(
  db: Db,
  token: {
    userId: number;
    name: string | null;
    tokenHash: string;
    lastChars: string;
    scopes: readonly string[];
    expiresAt: number | null;
    now: number;
  },
): Promise<UserToken> {
  const row = await db
    .insertInto('user_tokens')
    .values({
      user_id: token.userId,
      name: token.name,
      token_hash: token.tokenHash,
      last_chars: token.lastChars,
      scopes: token.scopes.join(' '),
      expires_at: token.expiresAt,
      date_created: token.now,
      date_last_used: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUserToken(row);
}

/** Looks a token up by the SHA-256 of its text; returns the hash too, for a constant-time re-check. */
export async function findUserTokenByHash(
  db: Db,
  tokenHash: string,
): Promise<{ token: UserToken; tokenHash: string } | undefined> {
  const row = await db
    .selectFrom('user_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && { token: toUserToken(row), tokenHash: row.token_hash };
}

export async function findUserTokenById(db: Db, userId: number, id: number): Promise<UserToken | undefined> {
  const row = await db
    .selectFrom('user_tokens')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && toUserToken(row);
}

export async function listUserTokens(db: Db, userId: number): Promise<UserToken[]> {
  const rows = await db
    .selectFrom('user_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('date_created', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toUserToken);
}

export async function renameUserToken(
  db: Db,
  userId: number,
  id: number,
  name: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('user_tokens')
    .set({ name })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteUserToken(db: Db, userId: number, id: number): Promise<boolean> {
  const result = await db
    .deleteFrom('user_tokens')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function touchUserToken(db: Db, id: number, now: number): Promise<void> {
  await db.updateTable('user_tokens').set({ date_last_used: now }).where('id', '=', id).execute();
}
