import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/**
 * A person's own notification settings that concern no one organization: whether workflow email
 * (an issue assigned to them) is sent. No row means every default (all on).
 */
export function notificationSettings(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('user_notification_settings')
        .addColumn('user_id', big, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('workflow_email', 'integer', (c) => c.notNull())
        .addColumn('date_updated', big, (c) => c.notNull())
        .execute();
    },
  };
}
