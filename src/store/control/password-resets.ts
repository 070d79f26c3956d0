import { type Kysely, sql } from 'kysely';
import type { ControlSchema } from '../schema.js';

type Db = Kysely<ControlSchema>;

export async function insertPasswordReset(
  db: Db,
  reset: { userId: number; tokenHash: string; now: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('password_resets')
    .values({
      user_id: reset.userId,
      token_hash: reset.tokenHash,
      date_created: reset.now,
      expires_at: reset.expiresAt,
    })
    .execute();
}

/** The user a reset link is for and when it expires, without using it up. */
export async function findPasswordReset(
  db: Db,
  tokenHash: string,
): Promise<{ userId: number; expiresAt: number } | undefined> {
  const row = await db
    .selectFrom('password_resets')
    .select(['user_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && { userId: Number(row.user_id), expiresAt: Number(row.expires_at) };
}

/**
 * Uses a reset link up: deletes it and returns its user, or undefined when it is unknown, already
 * used or expired. One statement, so two requests racing with one link cannot both get the user.
 */
export async function consumePasswordReset(
  db: Db,
  tokenHash: string,
  now: number,
): Promise<{ userId: number } | undefined> {
  const row = await db
    .deleteFrom('password_resets')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row && { userId: Number(row.user_id) };
}

export async function deletePasswordResetsOfUser(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('password_resets').where('user_id', '=', userId).execute();
}

export async function deleteExpiredPasswordResets(db: Db, now: number): Promise<void> {
  await db.deleteFrom('password_resets').where('expires_at', '<=', now).execute();
}

/**
 * Counts one request for a reset link to `email`, unless the address already had `max` in the
 * window of `windowMs` that its first request opened; one statement, so that requests racing on any
 * number of nodes are each counted. A window that has passed starts again at one. Returns the new
 * count, or null when the address must wait (nothing changed).
 */
export async function claimPasswordResetRequest(
  db: Db,
  email: string,
  now: number,
  windowMs: number,
  max: number,
): Promise<number | null> {
  const expiredBefore = now - windowMs;
  const row = await db
    .insertInto('password_reset_requests')
    .values({ email, requests: 1, window_start: now })
    .onConflict((oc) =>
      oc
        .column('email')
        .doUpdateSet({
          requests: sql<number>`case when password_reset_requests.window_start <= ${expiredBefore} then 1 else password_reset_requests.requests + 1 end`,
          window_start: sql<number>`case when password_reset_requests.window_start <= ${expiredBefore} then ${now} else password_reset_requests.window_start end`,
        })
        .where((eb) =>
          eb.or([
            eb('password_reset_requests.window_start', '<=', expiredBefore),
            eb('password_reset_requests.requests', '<', max),
          ]),
        ),
    )
    .returning('requests')
    .executeTakeFirst();
  return row ? Number(row.requests) : null;
}

/** When the address's current window began, if it has one. */
export async function findPasswordResetWindow(db: Db, email: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('password_reset_requests')
    .select('window_start')
    .where('email', '=', email)
    .executeTakeFirst();
  return row && Number(row.window_start);
}

/** Drops counts whose window began before `before` (they limit no one any more). */
export async function deletePasswordResetRequestsBefore(db: Db, before: number): Promise<void> {
  await db.deleteFrom('password_reset_requests').where('window_start', '<', before).execute();
}
