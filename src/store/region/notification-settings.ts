import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/**
 * The users who turned alert email off for a project: alert evaluation leaves them out of the
 * email it sends for the project's rules.
 *
 * @example const skip = await listAlertEmailOptOuts(ctx.db.region, project.id); // Set { 7, 12 }
 */
export async function listAlertEmailOptOuts(db: Db, projectId: number): Promise<Set<number>> {
  const rows = await db
    .selectFrom('alert_email_opt_outs')
    .select('user_id')
    .where('project_id', '=', projectId)
    .execute();
  return new Set(rows.map((r) => Number(r.user_id)));
}

/** Which of these projects a user turned alert email off for. */
export async function listAlertEmailOptOutsOfUser(
  db: Db,
  userId: number,
  projectIds: readonly number[],
): Promise<Set<number>> {
  if (projectIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('alert_email_opt_outs')
    .select('project_id')
    .where('user_id', '=', userId)
    .where('project_id', 'in', [...new Set(projectIds)])
    .execute();
  return new Set(rows.map((r) => Number(r.project_id)));
}

/** Turns a user's alert email for a project on (no row) or off (a row); either any number of times. */
export async function setAlertEmail(
  db: Db,
  projectId: number,
  userId: number,
  enabled: boolean,
  now: number,
): Promise<void> {
  if (enabled) {
    await db
      .deleteFrom('alert_email_opt_outs')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .execute();
    return;
  }
  await db
    .insertInto('alert_email_opt_outs')
    .values({ project_id: projectId, user_id: userId, date_created: now })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
    .execute();
}
