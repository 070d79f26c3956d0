import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';
import { contains } from './sql-match.js';

type Db = Kysely<RegionSchema>;

/** Which issues' tags a suggestion reads: projects, a window (epoch ms) and environments. */
export interface TagScope {
  readonly projectIds: readonly number[];
  readonly window?: { readonly start: number; readonly end: number } | undefined;
  readonly environments?: readonly string[] | undefined;
}

/**
 * Suggestions read the tags of the most recently seen issues only, at most this many: a search
 * box's suggestions must come back at once however many issues a project has kept.
 */
export const SUGGESTION_ISSUES = 1000;
/** At most this many keys or values in one answer. */
export const MAX_SUGGESTIONS = 1000;

function recentIssues(db: Db, scope: TagScope) {
  let q = db
    .selectFrom('issues')
    .select('issues.id')
    .where('issues.project_id', 'in', [...scope.projectIds]);
  if (scope.window) {
    q = q
      .where('issues.last_seen', '>=', scope.window.start)
      .where('issues.first_seen', '<=', scope.window.end);
  }
  if (scope.environments && scope.environments.length > 0) {
    const environments = [...scope.environments];
    q = q.where('issues.id', 'in', (eb) =>
      eb
        .selectFrom('issue_tags as e')
        .select('e.issue_id')
        .where('e.key', '=', 'environment')
        .where('e.value', 'in', environments),
    );
  }
  return q.orderBy('issues.last_seen', 'desc').limit(SUGGESTION_ISSUES);
}

export interface TagKeyCount {
  readonly key: string;
  /** Events of those issues that carried the key. */
  readonly totalValues: number;
}

/** The tag keys of the scope's recent issues, in key order, with how often each was seen. */
export async function listOrgTagKeys(db: Db, scope: TagScope): Promise<TagKeyCount[]> {
  if (scope.projectIds.length === 0) return [];
  let q = db
    .selectFrom('issue_tags')
    .select(['key', (eb) => eb.fn.sum<number | string>('times_seen').as('total')])
    .where('issue_id', 'in', recentIssues(db, scope));
  if (scope.window) {
    q = q.where('last_seen', '>=', scope.window.start).where('first_seen', '<=', scope.window.end);
  }
  const rows = await q.groupBy('key').orderBy('key').limit(MAX_SUGGESTIONS).execute();
  return rows.map((r) => ({ key: r.key, totalValues: Number(r.total) }));
}

export interface OrgTagValue {
  readonly key: string;
  readonly value: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/**
 * The values of one key among the scope's recent issues that contain `query` (any case), the
 * most recently seen first (`sort: 'date'`) or the most frequent first (`'count'`).
 */
export async function listOrgTagValues(
  db: Db,
  scope: TagScope,
  key: string,
  options: { query: string; sort: 'date' | 'count'; limit: number },
): Promise<OrgTagValue[]> {
  if (scope.projectIds.length === 0) return [];
  let q = db
    .selectFrom('issue_tags')
    .select((eb) => [
      'value',
      eb.fn.sum<number | string>('times_seen').as('n'),
      eb.fn.min('first_seen').as('first'),
      eb.fn.max('last_seen').as('last'),
    ])
    .where('key', '=', key)
    .where('issue_id', 'in', recentIssues(db, scope));
  if (scope.window) {
    q = q.where('last_seen', '>=', scope.window.start).where('first_seen', '<=', scope.window.end);
  }
  if (options.query !== '') q = q.where((eb) => contains(eb.ref('value'), options.query));
  const grouped = q.groupBy('value');
  const ordered =
    options.sort === 'count'
      ? grouped.orderBy((eb) => eb.fn.sum('times_seen'), 'desc')
      : grouped.orderBy((eb) => eb.fn.max('last_seen'), 'desc');
  const rows = await ordered.orderBy('value').limit(Math.min(options.limit, MAX_SUGGESTIONS)).execute();
  return rows.map((r) => ({
    key,
    value: r.value,
    count: Number(r.n),
    firstSeen: Number(r.first),
    lastSeen: Number(r.last),
  }));
}
