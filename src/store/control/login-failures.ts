import { type Kysely, sql } from 'kysely';
import type { ControlSchema } from '../schema.js';

type Db = Kysely<ControlSchema>;

export interface LoginFailures {
  readonly failures: number;
  readonly lastFailureAt: number;
}

export async function findLoginFailures(db: Db, username: string): Promise<LoginFailures | undefined> {
  const row = await db
    .selectFrom('login_failures')
    .select(['failures', 'last_failure_at'])
    .where('username', '=', username)
    .executeTakeFirst();
  return row && { failures: row.failures, lastFailureAt: row.last_failure_at };
}

/**
 * Counts one more failure for a username and returns the new count, in one upsert so that nodes
 * failing together count every attempt. A streak whose last failure is older than `forgetBefore`
 * starts again at one.
 */
export async function recordLoginFailure(
  db: Db,
  username: string,
  now: number,
  forgetBefore: number,
): Promise<number> {
  const row = await db
    .insertInto('login_failures')
    .values({ username, failures: 1, last_failure_at: now })
    .onConflict((oc) =>
      oc.column('username').doUpdateSet({
        failures: sql<number>`case when login_failures.last_failure_at < ${forgetBefore} then 1 else login_failures.failures + 1 end`,
        last_failure_at: now,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

export async function deleteLoginFailures(db: Db, username: string): Promise<void> {
  await db.deleteFrom('login_failures').where('username', '=', username).execute();
}

/** Drops streaks that ended before `before` (they no longer delay anyone). */
export async function deleteLoginFailuresBefore(db: Db, before: number): Promise<void> {
  await db.deleteFrom('login_failures').where('last_failure_at', '<', before).execute();
}
