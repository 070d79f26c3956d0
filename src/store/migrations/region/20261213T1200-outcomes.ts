import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { big } from '../column-types.js';

/**
 * What became of the data each project sent, per hour, outcome, reason and data category: what
 * digest accepted or found invalid, and what ingest refused (rate limited, invalid, too large).
 * Client reports keep their own table (client_outcomes); usage stats read both.
 */
export function outcomes(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('outcomes')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('bucket', big, (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('quantity', big, (c) => c.notNull())
        .addColumn('times_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('outcomes_pk', ['project_id', 'bucket', 'outcome', 'reason', 'category'])
        .execute();
      // Retention deletes by age across projects.
      await db.schema.createIndex('outcomes_bucket').on('outcomes').column('bucket').execute();
    },
  };
}
