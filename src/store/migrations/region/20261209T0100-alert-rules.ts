import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Issue alert rules of a project (Sentry's `Rule`: conditions, filters and actions as JSON text,
 * checked when saved), and the legacy webhooks plugin of a project: whether it is enabled and its
 * callback URLs, one per line as Sentry's plugin keeps them.
 */
export function alertRules(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('alert_rules'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('action_match', 'text', (c) => c.notNull())
        .addColumn('filter_match', 'text', (c) => c.notNull())
        .addColumn('frequency', 'integer', (c) => c.notNull())
        .addColumn('environment', 'text')
        .addColumn('conditions', 'text', (c) => c.notNull())
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        // A user of the control database, which a region's foreign keys cannot reach.
        .addColumn('created_by_id', big)
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('date_modified', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_rules_project').on('alert_rules').column('project_id').execute();

      await db.schema
        .createTable('webhook_plugins')
        .addColumn('project_id', big, (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('urls', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('date_modified', big, (c) => c.notNull())
        .execute();
    },
  };
}
