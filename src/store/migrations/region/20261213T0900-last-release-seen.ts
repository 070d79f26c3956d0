import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { big } from '../column-types.js';

/**
 * The time of the event that named an issue's last release, so that a late event from an older
 * release (events arrive out of order) no longer replaces a newer one. Rows there already take the
 * newest event of their last release, or their last seen when retention dropped those events.
 */
export function lastReleaseSeen(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('issues').addColumn('last_release_seen', big).execute();
      await backfillLastReleaseSeen(db);
    },
  };
}

/** Dates each issue's last release by its newest event of that release, or by its last seen. */
export async function backfillLastReleaseSeen(db: Kysely<any>): Promise<void> {
  await sql`update issues set last_release_seen = coalesce(
      (select max(e.timestamp) from events e
        where e.issue_id = issues.id and e.release = issues.last_release),
      issues.last_seen)
    where last_release is not null`.execute(db);
}
