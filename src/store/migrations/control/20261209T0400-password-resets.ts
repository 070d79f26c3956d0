import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Password-reset links (only the SHA-256 of each link's secret is kept; a link works once and
 * until it expires) and the count of reset requests per address, so that every node enforces the
 * same limit on how often one address can be sent a link.
 */
export function passwordResets(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('password_resets'))
        .addColumn('user_id', big, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('password_resets_user_id')
        .on('password_resets')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('password_resets_expires_at')
        .on('password_resets')
        .column('expires_at')
        .execute();

      // Keyed by the address as asked for, whether or not an account uses it.
      await db.schema
        .createTable('password_reset_requests')
        .addColumn('email', 'text', (c) => c.primaryKey())
        .addColumn('requests', big, (c) => c.notNull())
        .addColumn('window_start', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('password_reset_requests_window_start')
        .on('password_reset_requests')
        .column('window_start')
        .execute();
    },
  };
}
