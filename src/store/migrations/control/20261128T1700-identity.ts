import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/** Users, their personal tokens and web sessions, organization tokens, and the organization→region map. */
export function identity(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('users'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('is_superuser', 'integer', (c) => c.notNull())
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('date_joined', big, (c) => c.notNull())
        .addColumn('last_login', big)
        .execute();

      await withId(engine, db.schema.createTable('user_tokens'))
        .addColumn('user_id', big, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text')
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('last_chars', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('expires_at', big)
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('date_last_used', big)
        .execute();
      await db.schema.createIndex('user_tokens_user_id').on('user_tokens').column('user_id').execute();

      await withId(engine, db.schema.createTable('org_mappings'))
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .execute();

      await withId(engine, db.schema.createTable('org_tokens'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('org_mappings.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('last_chars', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_by_id', big)
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('date_last_used', big)
        .addColumn('project_last_used_id', big)
        .addColumn('date_deactivated', big)
        .execute();
      await db.schema.createIndex('org_tokens_org_id').on('org_tokens').column('organization_id').execute();

      await withId(engine, db.schema.createTable('sessions'))
        .addColumn('session_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', big, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
