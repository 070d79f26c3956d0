import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Issues resolved in a release or a commit: the kind of resolution, the release it names (for
 * "in the next release" also the release that was current when it was resolved), the commit, and
 * who resolved it. And the activity of an issue (status changes, regressions), one row each.
 */
export function releaseEvents(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
      await db.schema.alterTable('issues').addColumn('resolution_type', 'text').execute();
      for (const [column, target] of [
        ['resolution_release_id', 'releases.id'],
        ['resolution_current_release_id', 'releases.id'],
        ['resolution_commit_id', 'commits.id'],
      ] as const) {
        await db.schema
          .alterTable('issues')
          .addColumn(column, big, (c) => c.references(target).onDelete('set null'))
          .execute();
        // Deleting a release (or commit) finds the issues that name it here; most issues name
        // none, so the index holds only those that do.
        await db.schema
          .createIndex(`issues_${column.replace(/_id$/, '')}`)
          .on('issues')
          .column(column)
          .where(sql.ref(column), 'is not', null)
          .execute();
      }
      await db.schema.alterTable('issues').addColumn('resolution_actor_id', big).execute();

      await withId(engine, db.schema.createTable('issue_activity'))
        .addColumn('issue_id', big, (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('user_id', big)
        .addColumn('date_created', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('issue_activity_issue_created')
        .on('issue_activity')
        .columns(['issue_id', 'date_created'])
        .execute();
    },
  };
}
