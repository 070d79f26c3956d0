import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * Cron monitors: a monitor (slug unique in its organization, one project), its schedule and
 * thresholds; one row per environment it checks in from, with the next expected check-in the
 * clock claims and the consecutive failures and successes that open and resolve its issue. Each
 * check-in names its monitor environment, when it is due to time out, and when it was expected.
 */
export function monitors(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('monitors'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('is_muted', 'integer', (c) => c.notNull())
        .addColumn('schedule_type', 'text', (c) => c.notNull())
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('checkin_margin', 'integer')
        .addColumn('max_runtime', 'integer')
        .addColumn('timezone', 'text')
        .addColumn('failure_issue_threshold', 'integer')
        .addColumn('recovery_threshold', 'integer')
        .addColumn('date_created', big, (c) => c.notNull())
        .addUniqueConstraint('monitors_org_slug', ['organization_id', 'slug'])
        .execute();
      await db.schema.createIndex('monitors_project').on('monitors').column('project_id').execute();

      await withId(engine, db.schema.createTable('monitor_environments'))
        .addColumn('monitor_id', big, (c) => c.notNull().references('monitors.id').onDelete('cascade'))
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('last_checkin', big)
        .addColumn('next_checkin', big)
        .addColumn('next_checkin_latest', big)
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('successes', 'integer', (c) => c.notNull())
        .addColumn('incident_event_id', 'text')
        .addColumn('incident_started', big)
        .addColumn('date_created', big, (c) => c.notNull())
        .addUniqueConstraint('monitor_environments_monitor_env', ['monitor_id', 'environment'])
        .execute();
      // The clock's scan: environments whose expected check-in is overdue.
      await db.schema
        .createIndex('monitor_environments_next_latest')
        .on('monitor_environments')
        .column('next_checkin_latest')
        .execute();

      await db.schema.alterTable('check_ins').addColumn('monitor_environment_id', big).execute();
      await db.schema.alterTable('check_ins').addColumn('date_updated', big).execute();
      await db.schema.alterTable('check_ins').addColumn('expected_time', big).execute();
      await db.schema.alterTable('check_ins').addColumn('timeout_at', big).execute();
      // The clock's scan: runs still in progress, by when they time out.
      await db.schema
        .createIndex('check_ins_status_timeout')
        .on('check_ins')
        .columns(['status', 'timeout_at'])
        .execute();
      await db.schema
        .createIndex('check_ins_monitor_environment')
        .on('check_ins')
        .columns(['monitor_environment_id', 'date_created'])
        .execute();
    },
  };
}
