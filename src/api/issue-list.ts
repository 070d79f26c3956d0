import { badRequest } from '../lib/app-error.js';
import { parseIssueQuery, parseStatsPeriod, parseTimeWindow } from '../protocol/issue-query.js';
import { findUsersByIds } from '../store/control/users.js';
import { type EventScope, type EventTerm, isEventTerm } from '../store/region/event-filter.js';
import { findIssueById, type Issue } from '../store/region/issue-reads.js';
import { countIssues, type IssueFilter, type IssueSort, searchIssues } from '../store/region/issue-search.js';
import {
  type BucketRange,
  issueEventSeries,
  issueSeenStats,
  type SeenStats,
  type Series,
} from '../store/region/issue-stats.js';
import { findViewerFlags } from '../store/region/issue-updates.js';
import { listTeamsByIds } from '../store/region/teams.js';
import type { Project } from '../store/types.js';
import { forbidden, type OrgAccess, reachedProjects } from './access.js';
import { userOf } from './identity.js';
import { resolutionDetails } from './issue-resolution.js';
import { parsePerPage, setCursorLinks } from './pagination.js';
import { queryValues as all, queryValue as one, parsing } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall } from './route.js';
import { type IssueExtras, serializeIssue } from './serializers/issue.js';

const SORTS: Record<string, IssueSort> = {
  date: 'date',
  new: 'new',
  freq: 'freq',
  user: 'user',
  // Sentry's other orders have no meaning here yet; they fall back to last seen, as 'date'.
  trends: 'date',
  inbox: 'date',
  recommended: 'date',
  priority: 'date',
};

/**
 * The filter an issue list or a bulk change by query selects: `query` (default `is:unresolved`;
 * empty = everything), `environment`, the time window (`statsPeriod` or `start`/`end`, org lists
 * only), within the given projects.
 */
export function issueFilter(
  call: ApiCall,
  access: OrgAccess,
  projectIds: number[],
  withWindow: boolean,
): IssueFilter {
  const q = call.query;
  const now = call.ctx.now();
  const query = parsing(() =>
    parseIssueQuery(q.query === undefined ? 'is:unresolved' : String(one(q.query)), now),
  );
  const window = withWindow
    ? parsing(() =>
        parseTimeWindow({ statsPeriod: one(q.statsPeriod), start: one(q.start), end: one(q.end) }, now),
      )
    : undefined;
  const environments = all(q.environment).filter((e) => e !== '');
  const user = userOf(call.identity);
  return {
    projectIds,
    query,
    ...(environments.length > 0 ? { environments } : {}),
    ...(window ? { window } : {}),
    viewerUserId: user?.id ?? null,
    viewerTeamIds: access.teams.map((t) => t.teamId),
  };
}

/**
 * The projects an organization-level list or bulk change covers: `project` ids (or slugs), `-1` or
 * none = every project the caller reaches with the project issue list's scopes for this method. A
 * project it does not reach is refused as an unknown one is.
 */
export async function listedProjects(call: ApiCall, access: OrgAccess): Promise<Project[]> {
  const projects = await reachedProjects(call, access, PERMISSIONS.projectIssues);
  const wanted = all(call.query.project).filter((p) => p !== '-1' && p !== '');
  if (wanted.length === 0) return projects;
  const chosen = projects.filter((p) => wanted.includes(String(p.id)) || wanted.includes(p.slug));
  if (chosen.length !== wanted.length) throw forbidden();
  return chosen;
}

/** The graphs and counts an issue list (or detail) shows, beyond the issue's lifetime counters. */
export interface CountOptions {
  /** Each graph: its key in `stats` (`24h`, `14d`, `auto`, `30d`) and its buckets. */
  readonly graphs: readonly { readonly key: string; readonly range: BucketRange }[];
  /** The events `count`, `userCount` and the graphs count (window, environments); none = all. */
  readonly scope: EventScope;
  /** The query's event terms: when there are some, `filtered` counts the events they match too. */
  readonly filterTerms: readonly EventTerm[];
}

const NO_COUNTS: CountOptions = { graphs: [], scope: { projectIds: [] }, filterTerms: [] };

/** Counts and graphs of a page of issues in a scope, in a few grouped queries (not one per issue). */
async function countsFor(call: ApiCall, issues: readonly Issue[], options: CountOptions) {
  const { db } = call.ctx;
  const ids = issues.map((i) => i.id);
  const { scope, filterTerms } = options;
  const scoped = scope.window !== undefined || (scope.environments ?? []).length > 0;
  const graphs = async (s: EventScope) => {
    const out: { key: string; series: Map<number, Series> }[] = [];
    for (const graph of options.graphs) {
      const series = await issueEventSeries(db.region, db.engine, ids, graph.range, {
        ...s,
        window: undefined,
      });
      out.push({ key: graph.key, series: new Map(ids.map((id) => [id, series.get(String(id)) ?? []])) });
    }
    return out;
  };
  const seen = scoped ? await issueSeenStats(db.region, db.engine, ids, scope) : null;
  const stats = await graphs(scope);
  const filteredScope = { ...scope, terms: filterTerms };
  const filtered =
    filterTerms.length > 0
      ? {
          seen: await issueSeenStats(db.region, db.engine, ids, filteredScope),
          stats: await graphs(filteredScope),
        }
      : null;
  const graphOf = (list: typeof stats, id: number) =>
    list.length === 0 ? null : Object.fromEntries(list.map((g) => [g.key, g.series.get(id) ?? []]));
  return new Map(
    ids.map((id) => [
      id,
      {
        seen: seen?.get(id) ?? null,
        stats: graphOf(stats, id),
        filtered: filtered
          ? { seen: filtered.seen.get(id) as SeenStats, stats: graphOf(filtered.stats, id) }
          : null,
      },
    ]),
  );
}

/** Per-caller fields, counts and graphs for a page of issues (or one issue's detail), in a few batched queries. */
export async function extrasFor(
  call: ApiCall,
  issues: readonly Issue[],
  counts: CountOptions = NO_COUNTS,
): Promise<Map<number, IssueExtras>> {
  const region = call.ctx.db.region;
  const ids = issues.map((i) => i.id);
  const user = userOf(call.identity);
  const flags = await findViewerFlags(region, ids, user?.id ?? null);
  const users = await findUsersByIds(
    call.ctx.db.control,
    issues.flatMap((i) => [i.assigneeUserId, i.resolutionActorId].filter((id) => id !== null)),
  );
  const resolutions = await resolutionDetails(call, issues);
  const teams = new Map(
    (
      await listTeamsByIds(
        region,
        issues.flatMap((i) => (i.assigneeTeamId === null ? [] : [i.assigneeTeamId])),
      )
    ).map((t) => [t.id, t]),
  );
  const counted = await countsFor(call, issues, counts);
  const out = new Map<number, IssueExtras>();
  for (const issue of issues) {
    const assignedUser = issue.assigneeUserId === null ? undefined : users.get(issue.assigneeUserId);
    const assignedTeam = issue.assigneeTeamId === null ? undefined : teams.get(issue.assigneeTeamId);
    const resolvedIn = resolutions.get(issue.id);
    const c = counted.get(issue.id);
    out.set(issue.id, {
      assignedTo: assignedUser
        ? { type: 'user', id: String(assignedUser.id), name: assignedUser.name, email: assignedUser.email }
        : assignedTeam
          ? { type: 'team', id: String(assignedTeam.id), name: assignedTeam.slug }
          : null,
      isBookmarked: flags.bookmarked.has(issue.id),
      hasSeen: flags.seen.has(issue.id),
      stats: c?.stats ?? null,
      seen: c?.seen ?? null,
      filtered: c?.filtered ?? null,
      resolution: resolvedIn
        ? {
            details: resolvedIn,
            actor: issue.resolutionActorId === null ? null : (users.get(issue.resolutionActorId) ?? null),
          }
        : null,
    });
  }
  return out;
}

export async function serializeIssues(
  call: ApiCall,
  access: OrgAccess,
  issues: readonly Issue[],
  projects: ReadonlyMap<number, Project>,
  counts: CountOptions,
) {
  const extras = await extrasFor(call, issues, counts);
  return issues.map((issue) =>
    serializeIssue(
      issue,
      projects.get(issue.projectId) as Project,
      access.org.slug,
      call.ctx.config.url,
      extras.get(issue.id),
    ),
  );
}

/**
 * One page of an issue list with Sentry's parameters and `Link`/`X-Hits` headers. `statsFrom` names
 * the parameter holding the graph period: `statsPeriod` on project lists (24h by default),
 * `groupStatsPeriod` on organization lists.
 */
export async function issueListPage(
  call: ApiCall,
  access: OrgAccess,
  projects: readonly Project[],
  options: {
    withWindow: boolean;
    statsParam: 'statsPeriod' | 'groupStatsPeriod';
    defaultStats: string | null;
  },
) {
  const q = call.query;
  const sortText = one(q.sort) ?? 'date';
  const sort = SORTS[sortText];
  if (!sort) throw badRequest(`Invalid sort: ${sortText}`);
  // Issue lists take `limit` (Sentry's group index) and, like every list, `per_page`.
  const limitText = one(q.limit);
  let limit = parsePerPage(q, 25);
  if (limitText !== undefined && limitText !== '') {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw badRequest('invalid limit');
    limit = Math.min(Number(limitText), 100);
  }
  if (options.withWindow)
    parsing(() => (one(q.statsPeriod) ? parseStatsPeriod(one(q.statsPeriod) as string) : 0));
  const filter = issueFilter(
    call,
    access,
    projects.map((p) => p.id),
    options.withWindow,
  );
  const page = await searchIssues(call.ctx.db.region, {
    ...filter,
    sort,
    limit,
    cursor: one(q.cursor) ?? null,
  });
  setCursorLinks(call.reply, call.request, call.ctx.config.url, {
    previous: page.prevCursor,
    hasPrevious: page.hasPrev,
    next: page.nextCursor,
    hasNext: page.hasNext,
  });
  const hits = await countIssues(call.ctx.db.region, filter, 1000);
  call.reply.header('X-Hits', String(hits)).header('X-Max-Hits', '1000');
  const statsText = one(q[options.statsParam]);
  const statsPeriod = statsText === undefined ? options.defaultStats : statsText === '' ? null : statsText;
  if (statsPeriod !== null && statsPeriod !== '24h' && statsPeriod !== '14d' && statsPeriod !== 'auto') {
    throw badRequest(`Invalid ${options.statsParam}: choose 24h, 14d, auto or leave it empty.`);
  }
  const now = call.ctx.now();
  const graphRange = (period: string): BucketRange => {
    if (period === '24h') return sparkline(now, HOUR_MS, 24);
    if (period === '14d') return sparkline(now, DAY_MS, 14);
    const window = filter.window ?? { start: now - 14 * DAY_MS, end: now };
    return { ...window, bucketMs: autoBucket(window.end - window.start) };
  };
  const counts: CountOptions = {
    graphs: statsPeriod === null ? [] : [{ key: statsPeriod, range: graphRange(statsPeriod) }],
    scope: {
      projectIds: filter.projectIds,
      window: filter.window,
      environments: filter.environments,
    },
    filterTerms: filter.query.terms.filter(isEventTerm),
  };
  return serializeIssues(call, access, page.issues, new Map(projects.map((p) => [p.id, p])), counts);
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** `buckets` whole buckets, the last one holding `now`: the 24h and 14d graphs of issue lists. */
function sparkline(now: number, bucketMs: number, buckets: number): BucketRange {
  return { start: Math.floor(now / bucketMs) * bucketMs - (buckets - 1) * bucketMs, end: now, bucketMs };
}

/** Bucket sizes an `auto` graph chooses from, smallest first. */
const AUTO_BUCKETS = [
  60_000,
  300_000,
  900_000,
  1_800_000,
  HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
  7 * DAY_MS,
];
/** At most this many bars in an `auto` graph (plus the partial ones at its ends). */
const AUTO_MAX_BARS = 50;

/** The smallest bucket that shows a window of `spanMs` in at most AUTO_MAX_BARS bars. */
export function autoBucket(spanMs: number): number {
  return AUTO_BUCKETS.find((b) => spanMs / b <= AUTO_MAX_BARS) ?? (AUTO_BUCKETS.at(-1) as number);
}

/** The issues a bulk change applies to: `?id=…` (each must be in the projects), else the search. */
export async function bulkTargets(
  call: ApiCall,
  access: OrgAccess,
  projects: readonly Project[],
): Promise<Issue[]> {
  const ids = all(call.query.id);
  const projectIds = projects.map((p) => p.id);
  if (ids.length > 0) {
    if (!ids.every((id) => /^\d{1,15}$/.test(id))) throw badRequest('Invalid issue id.');
    const found: Issue[] = [];
    for (const id of new Set(ids)) {
      const issue = await findIssueById(call.ctx.db.region, Number(id));
      if (issue && projectIds.includes(issue.projectId)) found.push(issue);
    }
    return found;
  }
  // sentry-cli selects by status: `?status=unresolved`; no filter at all means every issue of the project.
  const status = one(call.query.status);
  const queryText = one(call.query.query) ?? (status ? `is:${status}` : '');
  const filter = issueFilter(
    { ...call, query: { ...call.query, query: queryText } },
    access,
    projectIds,
    false,
  );
  const out: Issue[] = [];
  let cursor: string | null = null;
  // Sentry changes at most 1000 issues matching a query in one request.
  while (out.length < 1000) {
    const page = await searchIssues(call.ctx.db.region, { ...filter, limit: 100, cursor });
    out.push(...page.issues);
    if (!page.hasNext) break;
    cursor = page.nextCursor;
  }
  return out.slice(0, 1000);
}
