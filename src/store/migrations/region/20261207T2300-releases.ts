import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Releases of an organization (a version names one release per organization), the projects each
 * belongs to, and its deploys. Dates are epoch milliseconds set by the code.
 */
export function releases(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('releases'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('ref', 'text')
        .addColumn('url', 'text')
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('date_started', big)
        .addColumn('date_released', big)
        .addUniqueConstraint('releases_organization_version', ['organization_id', 'version'])
        .execute();

      await db.schema
        .createTable('release_projects')
        .addColumn('release_id', big, (c) => c.notNull().references('releases.id').onDelete('cascade'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('release_projects_pk', ['release_id', 'project_id'])
        .execute();
      await db.schema
        .createIndex('release_projects_project')
        .on('release_projects')
        .column('project_id')
        .execute();

      await withId(engine, db.schema.createTable('deploys'))
        .addColumn('release_id', big, (c) => c.notNull().references('releases.id').onDelete('cascade'))
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('url', 'text')
        .addColumn('date_started', big)
        .addColumn('date_finished', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('deploys_release_finished')
        .on('deploys')
        .columns(['release_id', 'date_finished'])
        .execute();

      // New issues per release, and the check that keeps a release with issues from deletion.
      await db.schema
        .createIndex('issues_project_first_release')
        .on('issues')
        .columns(['project_id', 'first_release'])
        .execute();
    },
  };
}
