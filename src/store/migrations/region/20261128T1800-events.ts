import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, binary, withId } from '../column-types.js';

/**
 * Ingest and digest: raw envelopes waiting for digest, issues with their grouping hashes, events,
 * per-issue tag values and users, attachments, spans, release health, client outcomes, user
 * reports and cron check-ins.
 */
export function events(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('raw_envelopes'))
        .addColumn('project_id', big, (c) => c.notNull())
        .addColumn('key_id', big, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('received_at', big, (c) => c.notNull())
        .addColumn('event_id', 'text')
        .addColumn('client_ip', 'text')
        .addColumn('payload', binary(engine), (c) => c.notNull())
        .addColumn('digest_error', 'text')
        .execute();

      await db.schema
        .createTable('project_counters')
        .addColumn('project_id', big, (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
        .addColumn('next_short_id', big, (c) => c.notNull())
        .execute();

      await withId(engine, db.schema.createTable('issues'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('short_id', big, (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('culprit', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('logger', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('substatus', 'text')
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addColumn('times_seen', big, (c) => c.notNull())
        .addColumn('user_count', big, (c) => c.notNull())
        .addColumn('first_release', 'text')
        .addColumn('last_release', 'text')
        .addColumn('resolved_at', big)
        .addColumn('ignore_until', big)
        .addColumn('ignore_count', big)
        .addColumn('ignore_count_base', big)
        .addColumn('ignore_user_count', big)
        .addColumn('ignore_user_base', big)
        .addUniqueConstraint('issues_project_short_id', ['project_id', 'short_id'])
        .execute();
      await db.schema
        .createIndex('issues_project_last_seen')
        .on('issues')
        .columns(['project_id', 'last_seen'])
        .execute();
      await db.schema
        .createIndex('issues_project_status_last_seen')
        .on('issues')
        .columns(['project_id', 'status', 'last_seen'])
        .execute();

      await db.schema
        .createTable('group_hashes')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('mechanism', 'text', (c) => c.notNull())
        .addColumn('issue_id', big, (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('group_hashes_pk', ['project_id', 'hash'])
        .execute();
      await db.schema.createIndex('group_hashes_issue_id').on('group_hashes').column('issue_id').execute();

      await withId(engine, db.schema.createTable('events'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('issue_id', big, (c) => c.references('issues.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('timestamp', big, (c) => c.notNull())
        .addColumn('received_at', big, (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('culprit', 'text')
        .addColumn('release', 'text')
        .addColumn('environment', 'text')
        .addColumn('platform', 'text')
        .addColumn('transaction_name', 'text')
        .addColumn('trace_id', 'text')
        .addColumn('user_key', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addUniqueConstraint('events_project_event_id', ['project_id', 'event_id'])
        .execute();
      await db.schema
        .createIndex('events_issue_timestamp')
        .on('events')
        .columns(['issue_id', 'timestamp'])
        .execute();
      await db.schema
        .createIndex('events_project_timestamp')
        .on('events')
        .columns(['project_id', 'timestamp'])
        .execute();

      await db.schema
        .createTable('issue_tags')
        .addColumn('issue_id', big, (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('times_seen', big, (c) => c.notNull())
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('issue_tags_pk', ['issue_id', 'key', 'value'])
        .execute();

      await db.schema
        .createTable('issue_users')
        .addColumn('issue_id', big, (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('user_key', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('issue_users_pk', ['issue_id', 'user_key'])
        .execute();

      await withId(engine, db.schema.createTable('attachments'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('attachment_type', 'text', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('data', binary(engine), (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('attachments_event')
        .on('attachments')
        .columns(['project_id', 'event_id'])
        .execute();

      await withId(engine, db.schema.createTable('spans'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('trace_id', 'text', (c) => c.notNull())
        .addColumn('span_id', 'text', (c) => c.notNull())
        .addColumn('parent_span_id', 'text')
        .addColumn('transaction_event_id', 'text')
        .addColumn('op', 'text')
        .addColumn('description', 'text')
        .addColumn('status', 'text')
        .addColumn('start_timestamp', 'double precision', (c) => c.notNull())
        .addColumn('timestamp', 'double precision', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addUniqueConstraint('spans_project_trace_span', ['project_id', 'trace_id', 'span_id'])
        .execute();

      await db.schema
        .createTable('release_health')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('bucket', big, (c) => c.notNull())
        .addColumn('started', big, (c) => c.notNull())
        .addColumn('exited', big, (c) => c.notNull())
        .addColumn('errored', big, (c) => c.notNull())
        .addColumn('crashed', big, (c) => c.notNull())
        .addColumn('abnormal', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('release_health_pk', ['project_id', 'release', 'environment', 'bucket'])
        .execute();

      await db.schema
        .createTable('client_outcomes')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('bucket', big, (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('quantity', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('client_outcomes_pk', [
          'project_id',
          'bucket',
          'outcome',
          'reason',
          'category',
        ])
        .execute();

      await withId(engine, db.schema.createTable('user_reports'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('event_id', 'text')
        .addColumn('name', 'text')
        .addColumn('email', 'text')
        .addColumn('comments', 'text', (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('user_reports_event')
        .on('user_reports')
        .columns(['project_id', 'event_id'])
        .execute();

      await withId(engine, db.schema.createTable('check_ins'))
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('check_in_id', 'text', (c) => c.notNull())
        .addColumn('monitor_slug', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('duration', 'double precision')
        .addColumn('environment', 'text')
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addUniqueConstraint('check_ins_project_monitor_id', ['project_id', 'monitor_slug', 'check_in_id'])
        .execute();
    },
  };
}
