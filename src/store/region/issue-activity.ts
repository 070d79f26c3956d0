import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/**
 * Kinds of issue activity Errata records, as Sentry names them: status changes through the API
 * and regressions found by digest. (Sentry's `first_seen` is not stored: the API derives it from
 * the issue's first-seen time, as Sentry does.)
 */
export type ActivityType =
  | 'set_resolved'
  | 'set_resolved_in_release'
  | 'set_resolved_in_commit'
  | 'set_unresolved'
  | 'set_ignored'
  | 'set_regression';

export interface NewActivity {
  readonly issueId: number;
  readonly type: ActivityType;
  readonly data: Record<string, unknown>;
  /** Who did it; null for digest and for organization tokens. */
  readonly userId: number | null;
  readonly dateCreated: number;
}

export interface Activity extends NewActivity {
  readonly id: number;
}

/** Records activity rows, in one statement. */
export async function insertIssueActivity(db: Db, rows: readonly NewActivity[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('issue_activity')
    .values(
      rows.map((r) => ({
        issue_id: r.issueId,
        type: r.type,
        data: JSON.stringify(r.data),
        user_id: r.userId,
        date_created: r.dateCreated,
      })),
    )
    .execute();
}

/** An issue's activity, newest first, at most `limit`. */
export async function listIssueActivity(db: Db, issueId: number, limit: number): Promise<Activity[]> {
  const rows = await db
    .selectFrom('issue_activity')
    .selectAll()
    .where('issue_id', '=', issueId)
    .orderBy('date_created', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    issueId: r.issue_id,
    // Written only from the closed type above.
    type: r.type as ActivityType,
    data: JSON.parse(r.data) as Record<string, unknown>,
    userId: r.user_id,
    dateCreated: r.date_created,
  }));
}
