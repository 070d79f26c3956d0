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
 * Claims one sign-in attempt for a username, counting it as a failure in advance, in one
 * statement: the row is inserted, or updated only while the wait its streak earned is over, so
 * attempts racing on any number of nodes are each counted and none slips past the wait. A streak
 * whose last failure is older than `forgetBefore` starts again at one. `delaysMs[n]` is the wait
 * after `n` failures (the last entry for any count past the list). Returns the new count, or
 * null when the username must still wait (nothing changed).
 */
export async function claimLoginAttempt(
  db: Db,
  username: string,
  now: number,
  forgetBefore: number,
  delaysMs: readonly number[],
): Promise<number | null> {
  const row = await db
    .insertInto('login_failures')
    .values({ username, failures: 1, last_failure_at: now })
    .onConflict((oc) =>
      oc
        .column('username')
        .doUpdateSet({
          failures: sql<number>`case when login_failures.last_failure_at < ${forgetBefore} then 1 else login_failures.failures + 1 end`,
          last_failure_at: now,
        })
        .where((eb) =>
          eb.or([
            eb('login_failures.last_failure_at', '<', forgetBefore),
            eb(sql<number>`login_failures.last_failure_at + ${delayCase(delaysMs)}`, '<=', now),
          ]),
        ),
    )
    .returning('failures')
    .executeTakeFirst();
  return row ? Number(row.failures) : null;
}

/** The wait after the row's failure count, as SQL: the schedule is inlined (integers from code). */
function delayCase(delaysMs: readonly number[]) {
  const last = delaysMs.length - 1;
  if (last < 0) throw new Error('claimLoginAttempt needs at least one delay');
  if (last === 0) return sql.lit(delaysMs[0] as number);
  const steps = delaysMs
    .slice(0, last)
    .map((ms, n) => sql`when login_failures.failures = ${sql.lit(n)} then ${sql.lit(ms)}`);
  return sql`(case ${sql.join(steps, sql` `)} else ${sql.lit(delaysMs[last] as number)} end)`;
}

export async function deleteLoginFailures(db: Db, username: string): Promise<void> {
  await db.deleteFrom('login_failures').where('username', '=', username).execute();
}

/** Drops streaks that ended before `before` (they no longer delay anyone). */
export async function deleteLoginFailuresBefore(db: Db, before: number): Promise<void> {
  await db.deleteFrom('login_failures').where('last_failure_at', '<', before).execute();
}
