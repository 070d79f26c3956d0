import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, withId } from '../column-types.js';

/**
 * The notification outbox: what must reach the outside world (mail, webhooks), written in the
 * transaction that decided it and sent afterwards by the delivery worker, with every try kept in
 * `notification_attempts` so that the delivery history shows each failure.
 */
export function notificationOutbox(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(engine, db.schema.createTable('notification_outbox'))
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        // No reference to the rule: a deleted rule's history stays readable.
        .addColumn('rule_id', big)
        .addColumn('project_id', big, (c) => c.references('projects.id').onDelete('cascade'))
        .addColumn('issue_id', big, (c) => c.references('issues.id').onDelete('set null'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', big, (c) => c.notNull())
        .addColumn('next_attempt_at', big, (c) => c.notNull())
        .addColumn('claimed_until', big)
        .addColumn('last_error', 'text')
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('date_sent', big)
        .execute();
      // The worker's claim reads pending rows by due time; sent and failed ones (nearly all) stay
      // out of the index.
      await db.schema
        .createIndex('notification_outbox_due')
        .on('notification_outbox')
        .column('next_attempt_at')
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('notification_outbox_project')
        .on('notification_outbox')
        .columns(['project_id', 'id'])
        .execute();
      await db.schema
        .createIndex('notification_outbox_rule')
        .on('notification_outbox')
        .columns(['rule_id', 'id'])
        .where(sql.ref('rule_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('notification_outbox_created')
        .on('notification_outbox')
        .column('date_created')
        .execute();

      await withId(engine, db.schema.createTable('notification_attempts'))
        .addColumn('outbox_id', big, (c) =>
          c.notNull().references('notification_outbox.id').onDelete('cascade'),
        )
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('duration_ms', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('notification_attempts_outbox')
        .on('notification_attempts')
        .columns(['outbox_id', 'at'])
        .execute();
    },
  };
}
