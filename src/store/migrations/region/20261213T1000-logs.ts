import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Log records SDKs send in `log` items, one row each. `item_id` is derived from the record, so
 * an envelope sent twice keeps its logs once. Searches read a project's newest logs first.
 */
export function logs(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('logs'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'double precision', (c) => c.notNull())
        .addColumn('observed_timestamp', big, (c) => c.notNull())
        .addColumn('trace_id', 'text', (c) => c.notNull())
        .addColumn('span_id', 'text')
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('severity_number', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('release', 'text')
        .addColumn('environment', 'text')
        .addColumn('sdk', 'text')
        .addUniqueConstraint('logs_project_item', ['project_id', 'item_id'])
        .execute();
      await db.schema
        .createIndex('logs_project_timestamp')
        .on('logs')
        .columns(['project_id', 'timestamp'])
        .execute();
      await db.schema.createIndex('logs_trace').on('logs').columns(['trace_id']).execute();
    },
  };
}
