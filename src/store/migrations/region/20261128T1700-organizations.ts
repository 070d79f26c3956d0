import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/** Organizations with their members, teams, projects and project keys (DSNs). */
export function organizations(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', big, (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('default_role', 'text', (c) => c.notNull())
        .addColumn('open_membership', 'integer', (c) => c.notNull())
        .addColumn('allow_shared_issues', 'integer', (c) => c.notNull())
        .addColumn('is_early_adopter', 'integer', (c) => c.notNull())
        .execute();

      await withId(engine, db.schema.createTable('members'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('user_id', big)
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('invite_token_hash', 'text')
        .addColumn('inviter_id', big)
        .addColumn('date_created', big, (c) => c.notNull())
        .addUniqueConstraint('members_org_email', ['organization_id', 'email'])
        .addUniqueConstraint('members_org_user', ['organization_id', 'user_id'])
        .execute();
      await db.schema.createIndex('members_user_id').on('members').column('user_id').execute();

      await withId(engine, db.schema.createTable('teams'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addUniqueConstraint('teams_org_slug', ['organization_id', 'slug'])
        .execute();

      await db.schema
        .createTable('team_members')
        .addColumn('team_id', big, (c) => c.notNull().references('teams.id').onDelete('cascade'))
        .addColumn('member_id', big, (c) => c.notNull().references('members.id').onDelete('cascade'))
        .addColumn('role', 'text')
        .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'member_id'])
        .execute();
      await db.schema.createIndex('team_members_member_id').on('team_members').column('member_id').execute();

      await withId(engine, db.schema.createTable('projects'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('platform', 'text')
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('first_event', big)
        .addUniqueConstraint('projects_org_slug', ['organization_id', 'slug'])
        .execute();

      await db.schema
        .createTable('project_teams')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('team_id', big, (c) => c.notNull().references('teams.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('project_teams_pk', ['project_id', 'team_id'])
        .execute();
      await db.schema.createIndex('project_teams_team_id').on('project_teams').column('team_id').execute();

      await withId(engine, db.schema.createTable('project_keys'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('secret_key', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('rate_limit_count', 'integer')
        .addColumn('rate_limit_window', 'integer')
        .addColumn('date_created', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('project_keys_project_id')
        .on('project_keys')
        .column('project_id')
        .execute();
    },
  };
}
