import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The process that committed a raw envelope: its digest claims its own envelopes first,
 * for which it holds what ingest computed, and another node's only once they are old enough to be
 * orphans. Rows written before have none, and any node may claim them.
 */
export function rawEnvelopeNode(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('raw_envelopes').addColumn('node_id', 'text').execute();
    },
  };
}
