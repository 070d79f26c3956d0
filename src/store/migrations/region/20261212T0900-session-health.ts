import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { big } from '../column-types.js';

/**
 * Release health beyond plain counters: each individual session's state while it may still be
 * updated (so a session counts once and its last word wins), the distinct users of each hourly
 * bucket with the worst outcome of their sessions (so users add up across buckets without being
 * counted twice), and an index for the time ranges the sessions endpoint reads.
 */
export function sessionHealth(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('session_states')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('sid', 'text', (c) => c.notNull())
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('bucket', big, (c) => c.notNull())
        .addColumn('user_hash', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('errors', big, (c) => c.notNull())
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('timestamp', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('session_states_pk', ['project_id', 'sid'])
        .execute();
      await db.schema
        .createIndex('session_states_last_seen')
        .on('session_states')
        .column('last_seen')
        .execute();

      await db.schema
        .createTable('release_health_users')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('bucket', big, (c) => c.notNull())
        .addColumn('user_hash', 'text', (c) => c.notNull())
        .addColumn('severity', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('release_health_users_pk', [
          'project_id',
          'release',
          'environment',
          'bucket',
          'user_hash',
        ])
        .execute();
      await db.schema
        .createIndex('release_health_users_project_bucket')
        .on('release_health_users')
        .columns(['project_id', 'bucket'])
        .execute();
      await db.schema
        .createIndex('release_health_project_bucket')
        .on('release_health')
        .columns(['project_id', 'bucket'])
        .execute();
    },
  };
}
