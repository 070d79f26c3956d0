import type { Kysely, Updateable } from 'kysely';
import type { IssueStatus, IssueSubstatus } from '../../protocol/issue-status.js';
import type { IssueTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** A status change as the API asks for it, already resolved to concrete column values. */
export interface StatusChange {
  readonly status: IssueStatus;
  readonly substatus: IssueSubstatus | null;
  readonly resolvedAt: number | null;
  /** For `ignored`: wake up at this time, after this many more events or this many more users. */
  readonly ignoreUntil: number | null;
  readonly ignoreCount: number | null;
  readonly ignoreUserCount: number | null;
  /** For `resolved`: how it was resolved in a release; none (or null) for a plain resolve. */
  readonly resolution?: ResolutionChange | null;
}

/** A resolution in a release or a commit, as stored on the issue. */
export type ResolutionChange =
  | {
      readonly type: 'in_release' | 'in_next_release';
      readonly releaseId: number;
      /** For `in_next_release`: the release the issue was current in, if known. */
      readonly currentReleaseId: number | null;
      /** Who resolved it; null for an organization token. */
      readonly actorId: number | null;
    }
  | { readonly type: 'in_commit'; readonly commitId: number; readonly actorId: number | null };

/**
 * Applies a status change to issues; the ignore baselines are each issue's own current counts. A
 * change replaces any resolution in a release with the one it brings, if any.
 */
export async function updateIssueStatus(
  db: Db,
  issueIds: readonly number[],
  change: StatusChange,
): Promise<void> {
  if (issueIds.length === 0) return;
  const resolution = change.resolution ?? null;
  const inRelease = resolution !== null && resolution.type !== 'in_commit';
  await db
    .updateTable('issues')
    .set((eb) => ({
      status: change.status,
      substatus: change.substatus,
      resolved_at: change.resolvedAt,
      ignore_until: change.ignoreUntil,
      ignore_count: change.ignoreCount,
      ignore_count_base: change.ignoreCount === null ? null : eb.ref('times_seen'),
      ignore_user_count: change.ignoreUserCount,
      ignore_user_base: change.ignoreUserCount === null ? null : eb.ref('user_count'),
      resolution_type: resolution?.type ?? null,
      resolution_release_id: inRelease ? resolution.releaseId : null,
      resolution_current_release_id: inRelease ? resolution.currentReleaseId : null,
      resolution_commit_id: resolution?.type === 'in_commit' ? resolution.commitId : null,
      resolution_actor_id: resolution?.actorId ?? null,
    }))
    .where('id', 'in', [...issueIds])
    .execute();
}

/** Resolves those of the issues that are unresolved (an ignored or resolved one stays as it is). */
export async function resolveUnresolvedIssues(
  db: Db,
  issueIds: readonly number[],
  resolvedAt: number,
): Promise<void> {
  if (issueIds.length === 0) return;
  await db
    .updateTable('issues')
    .set({
      status: 'resolved',
      substatus: null,
      resolved_at: resolvedAt,
      ignore_until: null,
      ignore_count: null,
      ignore_count_base: null,
      ignore_user_count: null,
      ignore_user_base: null,
      resolution_type: null,
      resolution_release_id: null,
      resolution_current_release_id: null,
      resolution_commit_id: null,
      resolution_actor_id: null,
    })
    .where('id', 'in', [...issueIds])
    .where('status', '=', 'unresolved')
    .execute();
}

export async function updateIssueFields(
  db: Db,
  issueIds: readonly number[],
  fields: Partial<
    Pick<Updateable<IssueTable>, 'assignee_user_id' | 'assignee_team_id' | 'is_public' | 'priority'>
  >,
): Promise<void> {
  if (issueIds.length === 0 || Object.keys(fields).length === 0) return;
  await db
    .updateTable('issues')
    .set(fields)
    .where('id', 'in', [...issueIds])
    .execute();
}

export async function setIssueBookmarks(
  db: Db,
  issueIds: readonly number[],
  userId: number,
  on: boolean,
): Promise<void> {
  if (issueIds.length === 0) return;
  if (!on) {
    await db
      .deleteFrom('issue_bookmarks')
      .where('user_id', '=', userId)
      .where('issue_id', 'in', [...issueIds])
      .execute();
    return;
  }
  await db
    .insertInto('issue_bookmarks')
    .values(issueIds.map((issueId) => ({ issue_id: issueId, user_id: userId })))
    .onConflict((oc) => oc.columns(['issue_id', 'user_id']).doNothing())
    .execute();
}

export async function setIssueSeen(
  db: Db,
  issueIds: readonly number[],
  userId: number,
  seen: boolean,
  now: number,
): Promise<void> {
  if (issueIds.length === 0) return;
  if (!seen) {
    await db
      .deleteFrom('issue_seen')
      .where('user_id', '=', userId)
      .where('issue_id', 'in', [...issueIds])
      .execute();
    return;
  }
  await db
    .insertInto('issue_seen')
    .values(issueIds.map((issueId) => ({ issue_id: issueId, user_id: userId, last_seen: now })))
    .onConflict((oc) => oc.columns(['issue_id', 'user_id']).doUpdateSet({ last_seen: now }))
    .execute();
}

/** Which of the issues the user has bookmarked and has seen, for the per-viewer flags. */
export async function findViewerFlags(
  db: Db,
  issueIds: readonly number[],
  userId: number | null,
): Promise<{ bookmarked: Set<number>; seen: Set<number> }> {
  if (issueIds.length === 0 || userId === null) return { bookmarked: new Set(), seen: new Set() };
  const ids = [...issueIds];
  const bookmarks = await db
    .selectFrom('issue_bookmarks')
    .select('issue_id')
    .where('user_id', '=', userId)
    .where('issue_id', 'in', ids)
    .execute();
  const seen = await db
    .selectFrom('issue_seen')
    .select('issue_id')
    .where('user_id', '=', userId)
    .where('issue_id', 'in', ids)
    .execute();
  return {
    bookmarked: new Set(bookmarks.map((r) => r.issue_id)),
    seen: new Set(seen.map((r) => r.issue_id)),
  };
}

/**
 * Merges issues into a parent: their events, hashes, users and tag counts move to it, its counters
 * become the sums, and the children are deleted. One transaction (the caller's).
 */
export async function mergeIssues(db: Db, parentId: number, childIds: readonly number[]): Promise<void> {
  const children = childIds.filter((id) => id !== parentId);
  if (children.length === 0) return;
  await db.updateTable('events').set({ issue_id: parentId }).where('issue_id', 'in', children).execute();
  await db
    .updateTable('group_hashes')
    .set({ issue_id: parentId })
    .where('issue_id', 'in', children)
    .execute();
  const users = await db
    .selectFrom('issue_users')
    .select('user_key')
    .where('issue_id', 'in', children)
    .execute();
  if (users.length > 0) {
    await db
      .insertInto('issue_users')
      .values(
        [...new Set(users.map((u) => u.user_key))].map((user_key) => ({ issue_id: parentId, user_key })),
      )
      .onConflict((oc) => oc.columns(['issue_id', 'user_key']).doNothing())
      .execute();
  }
  const tags = await db
    .selectFrom('issue_tags')
    .select([
      'key',
      'value',
      (eb) => eb.fn.sum<number>('times_seen').as('n'),
      (eb) => eb.fn.min<number>('first_seen').as('first'),
      (eb) => eb.fn.max<number>('last_seen').as('last'),
    ])
    .where('issue_id', 'in', children)
    .groupBy(['key', 'value'])
    .execute();
  for (const t of tags) {
    await db
      .insertInto('issue_tags')
      .values({
        issue_id: parentId,
        key: t.key,
        value: t.value,
        times_seen: Number(t.n),
        first_seen: Number(t.first),
        last_seen: Number(t.last),
      })
      .onConflict((oc) =>
        oc.columns(['issue_id', 'key', 'value']).doUpdateSet((eb) => ({
          times_seen: eb('issue_tags.times_seen', '+', Number(t.n)),
          first_seen: eb
            .case()
            .when('issue_tags.first_seen', '>', Number(t.first))
            .then(Number(t.first))
            .else(eb.ref('issue_tags.first_seen'))
            .end(),
          last_seen: eb
            .case()
            .when('issue_tags.last_seen', '<', Number(t.last))
            .then(Number(t.last))
            .else(eb.ref('issue_tags.last_seen'))
            .end(),
        })),
      )
      .execute();
  }
  const totals = await db
    .selectFrom('events')
    .select([
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.min<number>('timestamp').as('first'),
      (eb) => eb.fn.max<number>('timestamp').as('last'),
    ])
    .where('issue_id', '=', parentId)
    .executeTakeFirstOrThrow();
  const userCount = await db
    .selectFrom('issue_users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('issue_id', '=', parentId)
    .executeTakeFirstOrThrow();
  const childCounts = await db
    .selectFrom('issues')
    .select([
      (eb) => eb.fn.sum<number>('times_seen').as('n'),
      (eb) => eb.fn.min<number>('first_seen').as('first'),
      (eb) => eb.fn.max<number>('last_seen').as('last'),
    ])
    .where('id', 'in', [parentId, ...children])
    .executeTakeFirstOrThrow();
  await db
    .updateTable('issues')
    .set({
      // Counted events may exceed stored ones (none are dropped today, but counters are the record).
      times_seen: Math.max(Number(childCounts.n), Number(totals.n)),
      user_count: Number(userCount.n),
      first_seen: Number(childCounts.first ?? totals.first),
      last_seen: Number(childCounts.last ?? totals.last),
    })
    .where('id', '=', parentId)
    .execute();
  await db.deleteFrom('issues').where('id', 'in', children).execute();
}

export async function deleteIssues(db: Db, issueIds: readonly number[]): Promise<void> {
  if (issueIds.length === 0) return;
  // Events and hashes go with their issue (ON DELETE CASCADE); a later event with the same hash makes a new issue.
  await db
    .deleteFrom('issues')
    .where('id', 'in', [...issueIds])
    .execute();
}

/**
 * Once a project has a release after the one an issue was "resolved in the next release" of, the
 * issue counts as resolved in that new release, as Sentry settles pending resolutions when a
 * release is made: the resolution names it, and so does the resolving activity. Only releases
 * made after the resolving one settle it. Rare (a new release with such issues waiting), so it
 * costs one read when there are none.
 */
export async function settleNextReleaseResolutions(
  db: Db,
  release: { readonly id: number; readonly version: string; readonly dateCreated: number },
  projectIds: readonly number[],
): Promise<void> {
  if (projectIds.length === 0) return;
  const pending = await db
    .selectFrom('issues as i')
    .innerJoin('releases as r', 'r.id', 'i.resolution_release_id')
    .select('i.id')
    .where('i.project_id', 'in', [...projectIds])
    .where('i.resolution_type', '=', 'in_next_release')
    .where('i.resolution_release_id', '!=', release.id)
    .where('r.date_created', '<', release.dateCreated)
    .orderBy('i.id')
    .execute();
  if (pending.length === 0) return;
  const ids = pending.map((p) => p.id);
  await db
    .updateTable('issues')
    .set({ resolution_type: 'in_release', resolution_release_id: release.id })
    .where('id', 'in', ids)
    .execute();
  const latest = await db
    .selectFrom('issue_activity')
    .select((eb) => eb.fn.max<number>('id').as('id'))
    .where('issue_id', 'in', ids)
    .where('type', '=', 'set_resolved_in_release')
    .groupBy('issue_id')
    .execute();
  if (latest.length === 0) return;
  await db
    .updateTable('issue_activity')
    .set({ data: JSON.stringify({ version: release.version }) })
    .where(
      'id',
      'in',
      latest.map((a) => Number(a.id)),
    )
    .execute();
}

/**
 * Once a release holds the commit an issue was resolved in, the issue counts as resolved in that
 * release, as Sentry records it when a release's commits are set: events of older releases keep
 * it resolved, that release and newer ones regress it. Only issues of the release's projects.
 */
export async function settleCommitResolutions(
  db: Db,
  releaseId: number,
  commitIds: readonly number[],
): Promise<void> {
  if (commitIds.length === 0) return;
  await db
    .updateTable('issues')
    .set({ resolution_type: 'in_release', resolution_release_id: releaseId })
    .where('resolution_type', '=', 'in_commit')
    .where('resolution_commit_id', 'in', [...new Set(commitIds)])
    .where('project_id', 'in', (eb) =>
      eb.selectFrom('release_projects').select('project_id').where('release_id', '=', releaseId),
    )
    .execute();
}
