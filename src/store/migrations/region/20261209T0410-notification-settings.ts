import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/**
 * Per-project alert-email opt-outs: a row says that this person wants no alert email for that
 * project. Kept beside the projects (in their region); `user_id` names a user of the control
 * database, so it has no foreign key.
 */
export function notificationSettings(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('alert_email_opt_outs')
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('user_id', big, (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_email_opt_outs_pk', ['project_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('alert_email_opt_outs_user_id')
        .on('alert_email_opt_outs')
        .column('user_id')
        .execute();
    },
  };
}
