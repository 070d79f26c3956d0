import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * An event's stored document is now brotli-compressed, not gzipped: its column is named
 * for what it holds, a packed document (lib/compression.ts reads both, by the gzip magic).
 */
export function packedDocuments(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('events').renameColumn('data_gz', 'data_packed').execute();
    },
  };
}
