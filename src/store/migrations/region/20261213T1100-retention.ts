import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/**
 * Retention (jobs/retention.ts): indexes that find the oldest rows of each kind without a scan,
 * when each event user was last seen (coarsely, so that digest seldom writes it), and one lease
 * row per background job, so that on several nodes one of them runs it.
 *
 * On SQLite the file is also switched to incremental auto-vacuum, so that the pages retention
 * frees can be given back to the file system. A new file has it from its first connection
 * (store/db.ts); a file made before needs one full VACUUM to switch, done here once: it rewrites
 * the whole file, holds the database for as long as that takes (about a second per 100 MB) and
 * needs as much free disk again while it runs.
 */
export function retention(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      if (engine === 'sqlite') {
        const mode = await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(db);
        if (mode.rows[0]?.auto_vacuum !== 2) {
          await sql`pragma auto_vacuum = incremental`.execute(db);
          await sql`vacuum`.execute(db);
        }
      }
      await db.schema.createIndex('attachments_created').on('attachments').column('date_created').execute();
      await db.schema.createIndex('spans_timestamp').on('spans').column('timestamp').execute();
      await db.schema
        .createIndex('check_ins_project_created')
        .on('check_ins')
        .columns(['project_id', 'date_created'])
        .execute();
      await db.schema.createIndex('user_reports_created').on('user_reports').column('date_created').execute();

      await db.schema.alterTable('event_users').addColumn('last_seen', big).execute();
      // Users known before this have no time: they count as seen now, and go a retention period later.
      await db.updateTable('event_users').set({ last_seen: Date.now() }).execute();
      await db.schema.createIndex('event_users_last_seen').on('event_users').column('last_seen').execute();

      await db.schema
        .createTable('job_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
