import type { Kysely } from 'kysely';
import type { ControlSchema } from '../schema.js';
import type { Session } from '../types.js';

type Db = Kysely<ControlSchema>;

export async function insertSession(
  db: Db,
  session: { sessionHash: string; userId: number; csrfToken: string; now: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      session_hash: session.sessionHash,
      user_id: session.userId,
      csrf_token: session.csrfToken,
      date_created: session.now,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function findSessionByHash(
  db: Db,
  sessionHash: string,
): Promise<{ session: Session; sessionHash: string } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('session_hash', '=', sessionHash)
    .executeTakeFirst();
  return (
    row && {
      session: { id: row.id, userId: row.user_id, csrfToken: row.csrf_token, expiresAt: row.expires_at },
      sessionHash: row.session_hash,
    }
  );
}

export async function deleteSessionByHash(db: Db, sessionHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('session_hash', '=', sessionHash).execute();
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
}

/** Ends every web session of a user (after their password changed). */
export async function deleteSessionsOfUser(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}
