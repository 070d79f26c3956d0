import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Environments an organization's events and deploys have named, which projects saw each (and
 * whether a project hides it), and which environments each release of a project was seen in.
 */
export function environments(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('environments'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addUniqueConstraint('environments_organization_name', ['organization_id', 'name'])
        .execute();

      await db.schema
        .createTable('environment_projects')
        .addColumn('environment_id', big, (c) =>
          c.notNull().references('environments.id').onDelete('cascade'),
        )
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('is_hidden', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('environment_projects_pk', ['project_id', 'environment_id'])
        .execute();

      // Keyed by the version text, as events name releases, so that recording one needs no
      // release row first.
      await db.schema
        .createTable('release_environments')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('first_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('release_environments_pk', ['project_id', 'release', 'environment'])
        .execute();
    },
  };
}
