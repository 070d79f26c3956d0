import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { big } from '../column-types.js';

/**
 * Triage reads: who an event's user key (`id:…`, `email:…`, …) stands for, per project, so that
 * `user.email:` finds a user whose key is their id and the `user` tag can show a name or an email;
 * and an index that counts an issue's events in a time window, per environment and user, from the
 * index alone (issue lists with `statsPeriod` and `environment`, the graphs).
 */
export function eventUsers(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('event_users')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('user_key', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('email', 'text')
        .addColumn('username', 'text')
        .addColumn('ip_address', 'text')
        .addColumn('name', 'text')
        .addPrimaryKeyConstraint('event_users_pk', ['project_id', 'user_key'])
        .execute();
      for (const column of ['user_id', 'email', 'username', 'ip_address']) {
        await db.schema
          .createIndex(`event_users_project_${column}`)
          .on('event_users')
          .columns(['project_id', column])
          .execute();
      }
      await db.schema
        .createIndex('events_issue_timestamp_environment_user')
        .on('events')
        .columns(['issue_id', 'timestamp', 'environment', 'user_key'])
        .execute();
    },
  };
}
