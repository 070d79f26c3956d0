import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Raw envelopes no longer name the process that committed them: digest reads every envelope from
 * the queue alike, so any node claims the oldest one first.
 */
export function rawEnvelopeDropNode(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('raw_envelopes').dropColumn('node_id').execute();
    },
  };
}
