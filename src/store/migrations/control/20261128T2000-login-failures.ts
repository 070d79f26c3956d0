import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/**
 * Consecutive failed sign-ins per username, so that the delay they earn holds on every node of a
 * deployment. One row per username that failed recently; a success deletes it.
 */
export function loginFailures(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('login_failures')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('failures', big, (c) => c.notNull())
        .addColumn('last_failure_at', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('login_failures_last_failure_at')
        .on('login_failures')
        .column('last_failure_at')
        .execute();
    },
  };
}
