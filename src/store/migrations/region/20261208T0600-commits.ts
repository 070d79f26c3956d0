import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Source repositories of an organization, their commits with authors and changed files, and the
 * commits of each release in order (0 is the newest). A commit belongs to one repository; a release
 * lists commits of any of the organization's repositories.
 */
export function commits(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('repositories'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('provider', 'text')
        .addColumn('url', 'text')
        .addColumn('external_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addUniqueConstraint('repositories_organization_name', ['organization_id', 'name'])
        .execute();

      await withId(engine, db.schema.createTable('commit_authors'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text')
        .addColumn('email', 'text', (c) => c.notNull())
        .addUniqueConstraint('commit_authors_organization_email', ['organization_id', 'email'])
        .execute();

      await withId(engine, db.schema.createTable('commits'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('repository_id', big, (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('author_id', big, (c) => c.references('commit_authors.id').onDelete('set null'))
        .addColumn('date_created', big, (c) => c.notNull())
        .addUniqueConstraint('commits_repository_key', ['repository_id', 'key'])
        .execute();
      // A repository's commits, newest first.
      await db.schema
        .createIndex('commits_repository_date')
        .on('commits')
        .columns(['repository_id', 'date_created'])
        .execute();
      await db.schema.createIndex('commits_author').on('commits').column('author_id').execute();

      await withId(engine, db.schema.createTable('commit_file_changes'))
        .addColumn('commit_id', big, (c) => c.notNull().references('commits.id').onDelete('cascade'))
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addUniqueConstraint('commit_file_changes_commit_filename', ['commit_id', 'filename'])
        .execute();

      await db.schema
        .createTable('release_commits')
        .addColumn('release_id', big, (c) => c.notNull().references('releases.id').onDelete('cascade'))
        .addColumn('commit_id', big, (c) => c.notNull().references('commits.id').onDelete('cascade'))
        .addColumn('sort_order', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('release_commits_pk', ['release_id', 'commit_id'])
        .execute();
      await db.schema
        .createIndex('release_commits_release_order')
        .on('release_commits')
        .columns(['release_id', 'sort_order'])
        .execute();
      // The releases a commit is in.
      await db.schema
        .createIndex('release_commits_commit')
        .on('release_commits')
        .column('commit_id')
        .execute();
    },
  };
}
