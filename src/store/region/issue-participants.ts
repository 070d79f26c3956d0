import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/**
 * The users who took part in an issue, as Sentry's participants (its subscribers by reason): whoever
 * changed its status, whoever it is assigned to, and whoever bookmarked it. Ids, ascending.
 */
export async function listIssueParticipantIds(db: Db, issueId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('issue_activity')
    .select('user_id')
    .where('issue_id', '=', issueId)
    .where('user_id', 'is not', null)
    .union(db.selectFrom('issue_bookmarks').select('user_id').where('issue_id', '=', issueId))
    .union(
      db
        .selectFrom('issues')
        .select('assignee_user_id as user_id')
        .where('id', '=', issueId)
        .where('assignee_user_id', 'is not', null),
    )
    .execute();
  return rows.flatMap((r) => (r.user_id === null ? [] : [Number(r.user_id)])).sort((a, b) => a - b);
}
