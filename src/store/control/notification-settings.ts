import type { Kysely } from 'kysely';
import type { ControlSchema } from '../schema.js';

type Db = Kysely<ControlSchema>;

/** A person's notification settings outside any organization. */
export interface UserNotificationSettings {
  /** Workflow email (an issue assigned to them by someone else); on unless turned off. */
  readonly workflowEmail: boolean;
}

const DEFAULTS: UserNotificationSettings = { workflowEmail: true };

export async function findUserNotificationSettings(
  db: Db,
  userId: number,
): Promise<UserNotificationSettings> {
  const row = await db
    .selectFrom('user_notification_settings')
    .select('workflow_email')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? { workflowEmail: row.workflow_email === 1 } : DEFAULTS;
}

export async function saveUserNotificationSettings(
  db: Db,
  userId: number,
  settings: UserNotificationSettings,
  now: number,
): Promise<void> {
  const values = { workflow_email: settings.workflowEmail ? 1 : 0, date_updated: now };
  await db
    .insertInto('user_notification_settings')
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute();
}
