import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Finds a trace's errors: the trace view and its counts read the events of one trace id across
 * the organization's projects, which no other index of `events` narrows.
 */
export function eventsTrace(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('events_trace').on('events').column('trace_id').execute();
    },
  };
}
