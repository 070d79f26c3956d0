import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/**
 * Issue triage and search: assignee, public flag and priority on issues; per-user bookmarks and
 * "seen" marks; and the indexes the issue list's sorts and filters seek on (reference §5.4).
 */
export function issueTriage(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
      await db.schema.alterTable('issues').addColumn('assignee_user_id', big).execute();
      await db.schema
        .alterTable('issues')
        .addColumn('assignee_team_id', big, (c) => c.references('teams.id').onDelete('set null'))
        .execute();
      // The default fills the rows that exist already; new rows get their value from code.
      await db.schema
        .alterTable('issues')
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('issues').addColumn('priority', 'text').execute();

      await db.schema
        .createTable('issue_bookmarks')
        .addColumn('issue_id', big, (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('user_id', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('issue_bookmarks_pk', ['issue_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('issue_bookmarks_user_issue')
        .on('issue_bookmarks')
        .columns(['user_id', 'issue_id'])
        .execute();

      await db.schema
        .createTable('issue_seen')
        .addColumn('issue_id', big, (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('user_id', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('issue_seen_pk', ['issue_id', 'user_id'])
        .execute();

      // The list seeks on (project, [status,] sort key); (project, status, last_seen) and
      // (project, last_seen) exist since 20261128T1800-events.
      const issueIndexes: [string, string[]][] = [
        ['issues_project_status_first_seen', ['project_id', 'status', 'first_seen']],
        ['issues_project_status_times_seen', ['project_id', 'status', 'times_seen']],
        ['issues_project_status_user_count', ['project_id', 'status', 'user_count']],
        ['issues_project_first_seen', ['project_id', 'first_seen']],
        ['issues_project_times_seen', ['project_id', 'times_seen']],
        ['issues_project_user_count', ['project_id', 'user_count']],
        ['issues_project_assignee_user', ['project_id', 'assignee_user_id']],
        ['issues_project_assignee_team', ['project_id', 'assignee_team_id']],
      ];
      for (const [name, columns] of issueIndexes) {
        await db.schema.createIndex(name).on('issues').columns(columns).execute();
      }
      // Tag, environment and release filters find their issues here instead of scanning events.
      await db.schema
        .createIndex('issue_tags_key_value_issue')
        .on('issue_tags')
        .columns(['key', 'value', 'issue_id'])
        .execute();
    },
  };
}
