import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { badRequest } from '../../lib/app-error.js';
// The query's AST comes from the pure parser in protocol/; store/ turns it into SQL.
import type {
  Assignee,
  IssueQuery,
  IssueQueryTerm,
  RangeField,
  ReleaseValue,
  ValuePattern,
} from '../../protocol/issue-query.js';
import {
  followsSemver,
  latestRelease,
  matchesBuildFilter,
  matchesVersionFilter,
  parseSemverRelease,
} from '../../protocol/release-order.js';
import type { RegionSchema } from '../schema.js';
import { type Issue, toIssue } from './issue-reads.js';
import { listProjectReleases, orderDateOf } from './release-links.js';
import { contains, never, userKeysMatch, valuesMatch } from './sql-match.js';

type Db = Kysely<RegionSchema>;
type Eb = ExpressionBuilder<RegionSchema, 'issues'>;
type Condition = Expression<SqlBool>;

/** `date` last seen (the default), `new` first seen, `freq` events, `user` users; all newest or most first. */
export type IssueSort = 'date' | 'new' | 'freq' | 'user';

const SORT_COLUMN = {
  date: 'last_seen',
  new: 'first_seen',
  freq: 'times_seen',
  user: 'user_count',
} as const satisfies Record<IssueSort, string>;

const RANGE_COLUMN = {
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
  timesSeen: 'times_seen',
} as const satisfies Record<RangeField, string>;

/** Which issues a list shows. */
export interface IssueFilter {
  readonly projectIds: readonly number[];
  readonly query: IssueQuery;
  /** Issues seen in any of these environments (the `environment` parameter); none or empty = all. */
  readonly environments?: readonly string[];
  /** Issues seen between start and end (epoch ms, inclusive); in one of `environments` if given. */
  readonly window?: { readonly start: number; readonly end: number };
  /** Who `assigned:me` and `bookmarks:me` mean; without one they match nothing. */
  readonly viewerUserId?: number | null;
  /** The viewer's teams, for `assigned:my_teams`. */
  readonly viewerTeamIds?: readonly number[];
}

export interface IssueSearch extends IssueFilter {
  readonly sort?: IssueSort;
  readonly limit: number;
  /** A `nextCursor` or `prevCursor` of an earlier page of the same search; none for the first page. */
  readonly cursor?: string | null;
}

export interface IssuePage {
  readonly issues: Issue[];
  readonly nextCursor: string;
  readonly prevCursor: string;
  readonly hasNext: boolean;
  readonly hasPrev: boolean;
}

/**
 * A position between two issues of a list sorted by (key desc, id desc): the boundary issue's
 * sort key and id. A next-page cursor lists what follows the boundary, a previous-page cursor
 * what precedes it; the boundary itself is on neither side.
 */
interface Cursor {
  readonly value: number;
  readonly id: number;
  readonly isPrev: boolean;
}

/**
 * Sentry's `value:offset:is_prev` shape, with the boundary issue's id where Sentry puts the number
 * of rows to skip among ties: seeking on (key, id) lands exactly however many issues share a key,
 * and costs the same on page 1 and page 1000.
 */
function formatCursor(cursor: Cursor): string {
  return `${cursor.value}:${cursor.id}:${cursor.isPrev ? 1 : 0}`;
}

function parseCursor(text: string): Cursor {
  const match = /^(\d{1,16}):(\d{1,16}):([01])$/.exec(text);
  const value = Number(match?.[1]);
  const id = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(value) || !Number.isSafeInteger(id)) {
    throw badRequest('Invalid cursor parameter.');
  }
  return { value, id, isPrev: match[3] === '1' };
}

/**
 * One page of a project's (or several projects') issues matching a search, in `sort` order with
 * ties broken by id, newest first. Follow `nextCursor` while `hasNext` to see every match once.
 * Throws a 400 AppError ("Invalid cursor parameter.") for a cursor this function did not make.
 *
 * @example
 * const page = await searchIssues(db, { projectIds: [1], query: parseIssueQuery('is:unresolved', now), limit: 25 });
 */
export async function searchIssues(db: Db, search: IssueSearch): Promise<IssuePage> {
  const cursor = search.cursor ? parseCursor(search.cursor) : null;
  const column = SORT_COLUMN[search.sort ?? 'date'];
  if (search.projectIds.length === 0) {
    return { issues: [], nextCursor: '0:0:0', prevCursor: '0:0:1', hasNext: false, hasPrev: false };
  }
  const backward = cursor?.isPrev === true;
  const direction = backward ? 'asc' : 'desc';
  const releases = await releaseSets(db, search);
  let query = db
    .selectFrom('issues')
    .selectAll()
    .where((eb) => matches(eb, search, releases));
  if (cursor) {
    const { value, id } = cursor;
    // The redundant `key <=/>= value` gives both planners a range on the sort index.
    query = backward
      ? query.where(column, '>=', value).where((eb) => eb.or([eb(column, '>', value), eb('id', '>', id)]))
      : query.where(column, '<=', value).where((eb) => eb.or([eb(column, '<', value), eb('id', '<', id)]));
  }
  const rows = await query
    .orderBy(column, direction)
    .orderBy('id', direction)
    .limit(search.limit + 1)
    .execute();
  const more = rows.length > search.limit;
  const page = rows.slice(0, search.limit);
  if (backward) page.reverse();
  const issues = page.map(toIssue);

  const first = page[0];
  const last = page.at(-1);
  const cursorAt = (row: (typeof page)[number], isPrev: boolean) => ({
    value: row[column],
    id: row.id,
    isPrev,
  });
  // An empty page keeps its boundary, moved by one id so that turning back includes that issue.
  const next = last
    ? cursorAt(last, false)
    : cursor
      ? { value: cursor.value, id: backward ? cursor.id + 1 : cursor.id, isPrev: false }
      : { value: 0, id: 0, isPrev: false };
  const prev = first
    ? cursorAt(first, true)
    : cursor
      ? { value: cursor.value, id: backward ? cursor.id : Math.max(cursor.id - 1, 0), isPrev: true }
      : { value: 0, id: 0, isPrev: true };
  return {
    issues,
    nextCursor: formatCursor(next),
    prevCursor: formatCursor(prev),
    // Past a boundary the boundary issue itself lies the other way.
    hasNext: backward ? true : more,
    hasPrev: backward ? more : cursor !== null,
  };
}

/**
 * How many issues match, counting at most `max` (Sentry's `X-Hits`, capped as its `X-Max-Hits`
 * says), so that a broad search does not count a whole project.
 */
export async function countIssues(db: Db, filter: IssueFilter, max = 1000): Promise<number> {
  if (filter.projectIds.length === 0) return 0;
  const releases = await releaseSets(db, filter);
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('issues')
        .select('issues.id')
        .where((w) => matches(w, filter, releases))
        .limit(max)
        .as('hits'),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The release versions a search's release terms stand for, looked up before its SQL is built. */
interface ReleaseSets {
  /** The latest release of each project searched (`release:latest`). */
  readonly latest: readonly string[];
  /** The versions each `release.version:`, `release.package:` or `release.build:` term matches. */
  readonly matching: ReadonlyMap<IssueQueryTerm, readonly string[]>;
}

/** At most this many versions stand for one release term (Sentry's cap too): one SQL list each. */
const MAX_TERM_RELEASES = 1000;

/**
 * Reads the searched projects' releases when a term needs them: `latest` is each project's latest
 * release (the highest version in a project that follows semver, else the last one released or
 * created), and semver terms match the parsed versions, newest first.
 */
async function releaseSets(db: Db, filter: IssueFilter): Promise<ReleaseSets> {
  const { terms } = filter.query;
  const latestAsked = terms.some(
    (t) => (t.kind === 'release' || t.kind === 'first_release') && t.values.some((v) => v.kind === 'latest'),
  );
  const semverTerms = terms.filter(
    (t) => t.kind === 'release_version' || t.kind === 'release_package' || t.kind === 'release_build',
  );
  if (!latestAsked && semverTerms.length === 0) return { latest: [], matching: new Map() };
  const releases = await listProjectReleases(db, filter.projectIds);
  const latest = new Set<string>();
  if (latestAsked) {
    for (const projectId of filter.projectIds) {
      const own = releases
        .filter((r) => r.projectId === projectId)
        .map((r) => ({ ...r, orderDate: orderDateOf(r) }));
      const semver = followsSemver(own.map((r) => r.version).reverse());
      const found = latestRelease(own, semver);
      if (found) latest.add(found.version);
    }
  }
  const newestFirst = [...new Set(releases.map((r) => r.version).reverse())];
  const parsed = newestFirst.flatMap((version) => {
    const release = parseSemverRelease(version);
    return release ? [{ version, release }] : [];
  });
  const matching = new Map<IssueQueryTerm, readonly string[]>();
  for (const term of semverTerms) {
    const keep = parsed.filter(({ release }) =>
      term.kind === 'release_version'
        ? matchesVersionFilter(term.filter, release)
        : term.kind === 'release_build'
          ? matchesBuildFilter(term.filter, release)
          : term.kind === 'release_package' && term.packages.includes(release.package),
    );
    matching.set(
      term,
      keep.slice(0, MAX_TERM_RELEASES).map((p) => p.version),
    );
  }
  return { latest: [...latest], matching };
}

function matches(eb: Eb, filter: IssueFilter, releases: ReleaseSets): Condition {
  const conditions: Condition[] = [eb('issues.project_id', 'in', [...filter.projectIds])];
  const { window } = filter;
  if (window) {
    conditions.push(eb('issues.last_seen', '>=', window.start), eb('issues.first_seen', '<=', window.end));
  }
  if (filter.environments && filter.environments.length > 0) {
    let seen = eb
      .selectFrom('issue_tags')
      .select('issue_tags.issue_id')
      .where('issue_tags.key', '=', 'environment')
      .where('issue_tags.value', 'in', [...filter.environments]);
    if (window) {
      seen = seen
        .where('issue_tags.last_seen', '>=', window.start)
        .where('issue_tags.first_seen', '<=', window.end);
    }
    conditions.push(eb('issues.id', 'in', seen));
  }
  for (const term of filter.query.terms) {
    const condition = termCondition(eb, term, filter, releases);
    conditions.push('negated' in term && term.negated ? eb.not(condition) : condition);
  }
  return eb.and(conditions);
}

// Every condition below is true or false, never NULL, so that `!key:value` is its exact complement:
// a nullable column is tested for NULL before it is compared.
function termCondition(eb: Eb, term: IssueQueryTerm, filter: IssueFilter, releases: ReleaseSets): Condition {
  switch (term.kind) {
    case 'status':
      return eb('issues.status', 'in', [...term.statuses]);
    case 'assigned': {
      const user = eb('issues.assignee_user_id', term.assigned ? 'is not' : 'is', null);
      const team = eb('issues.assignee_team_id', term.assigned ? 'is not' : 'is', null);
      return term.assigned ? eb.or([user, team]) : eb.and([user, team]);
    }
    case 'for_review':
      // Sentry's "for review" is its inbox: issues that are new or came back (regressed) and that
      // nobody has handled yet. Errata has no inbox table, so: unresolved with substatus new or regressed.
      return eb.and([
        eb('issues.status', '=', 'unresolved'),
        eb('issues.substatus', 'is not', null),
        eb('issues.substatus', 'in', ['new', 'regressed']),
      ]);
    case 'assignee':
      return eb.or(term.assignees.map((a) => assigneeCondition(eb, a, filter)));
    case 'bookmarked': {
      const viewer = filter.viewerUserId;
      if (viewer === undefined || viewer === null) return never();
      const bookmarked = eb
        .selectFrom('issue_bookmarks')
        .select('issue_bookmarks.issue_id')
        .where('issue_bookmarks.user_id', '=', viewer);
      return eb('issues.id', 'in', bookmarked);
    }
    case 'level':
      return valuesMatch(eb, eb.ref('issues.level'), term.values);
    case 'first_release': {
      const values = releaseValues(term.values, releases);
      if (values.length === 0) return never();
      return eb.and([
        eb('issues.first_release', 'is not', null),
        valuesMatch(eb, eb.ref('issues.first_release'), values),
      ]);
    }
    case 'release':
      return releaseTagged(eb, releaseValues(term.values, releases));
    case 'release_version':
    case 'release_package':
    case 'release_build':
      return releaseTagged(
        eb,
        (releases.matching.get(term) ?? []).map((value) => ({ kind: 'exact', value })),
      );
    case 'tag': {
      const tagged = eb
        .selectFrom('issue_tags as t')
        .select('t.issue_id')
        .where('t.key', '=', term.key)
        .where((w) => valuesMatch(w, w.ref('t.value'), term.values));
      return eb('issues.id', 'in', tagged);
    }
    case 'user': {
      const tagged = eb
        .selectFrom('issue_tags as t')
        .select('t.issue_id')
        .where('t.key', '=', 'user')
        .where((w) => userKeysMatch(w, w.ref('t.value'), term.field, term.values, filter.projectIds));
      return eb('issues.id', 'in', tagged);
    }
    case 'has':
      return eb(
        'issues.id',
        'in',
        eb.selectFrom('issue_tags as t').select('t.issue_id').where('t.key', '=', term.key),
      );
    case 'range': {
      const column = RANGE_COLUMN[term.field];
      const bounds: Condition[] = [];
      if (term.min !== null) bounds.push(eb(`issues.${column}`, '>=', term.min));
      if (term.max !== null) bounds.push(eb(`issues.${column}`, '<', term.max));
      return eb.and(bounds);
    }
    case 'text':
      // The issue's metadata (JSON) holds the message: the exception's value, or the text itself.
      return eb.or([
        contains(eb.ref('issues.title'), term.text),
        contains(eb.ref('issues.culprit'), term.text),
        contains(eb.ref('issues.metadata'), JSON.stringify(term.text).slice(1, -1)),
      ]);
  }
}

/** `latest` replaced by the versions it stands for (none when the projects have no release). */
function releaseValues(values: readonly ReleaseValue[], releases: ReleaseSets): ValuePattern[] {
  return values.flatMap((v) =>
    v.kind === 'latest' ? releases.latest.map((value) => ({ kind: 'exact' as const, value })) : [v],
  );
}

/** Issues with an event of one of these releases: digest tags every event with its release. */
function releaseTagged(eb: Eb, values: readonly ValuePattern[]): Condition {
  if (values.length === 0) return never();
  const tagged = eb
    .selectFrom('issue_tags as t')
    .select('t.issue_id')
    .where('t.key', '=', 'release')
    .where((w) => valuesMatch(w, w.ref('t.value'), values));
  return eb('issues.id', 'in', tagged);
}

function assigneeCondition(eb: Eb, assignee: Assignee, filter: IssueFilter): Condition {
  const organizations = eb
    .selectFrom('projects')
    .select('projects.organization_id')
    .where('projects.id', 'in', [...filter.projectIds]);
  switch (assignee.kind) {
    case 'me': {
      const viewer = filter.viewerUserId;
      if (viewer === undefined || viewer === null) return never();
      return eb.and([
        eb('issues.assignee_user_id', 'is not', null),
        eb('issues.assignee_user_id', '=', viewer),
      ]);
    }
    case 'my_teams': {
      const teams = filter.viewerTeamIds ?? [];
      if (teams.length === 0) return never();
      return eb.and([
        eb('issues.assignee_team_id', 'is not', null),
        eb('issues.assignee_team_id', 'in', [...teams]),
      ]);
    }
    case 'none':
      return eb.and([eb('issues.assignee_user_id', 'is', null), eb('issues.assignee_team_id', 'is', null)]);
    case 'user': {
      const users = eb
        .selectFrom('members')
        .select('members.user_id')
        .where('members.organization_id', 'in', organizations)
        .where('members.email', '=', assignee.email)
        .where('members.user_id', 'is not', null);
      return eb.and([
        eb('issues.assignee_user_id', 'is not', null),
        eb('issues.assignee_user_id', 'in', users),
      ]);
    }
    case 'team': {
      const teams = eb
        .selectFrom('teams')
        .select('teams.id')
        .where('teams.organization_id', 'in', organizations)
        .where('teams.slug', '=', assignee.slug);
      return eb.and([
        eb('issues.assignee_team_id', 'is not', null),
        eb('issues.assignee_team_id', 'in', teams),
      ]);
    }
  }
}
