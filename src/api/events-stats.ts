import { badRequest, notFound } from '../lib/app-error.js';
import { parseStatsPeriod } from '../protocol/issue-query.js';
import { findIssueById, type Issue } from '../store/region/issue-reads.js';
import { issueEventSeries, type Series } from '../store/region/issue-stats.js';
import { orgEndpoint } from './access.js';
import { eventListScope } from './event-query.js';
import { autoBucket, listedProjects } from './issue-list.js';
import { queryValues as all, queryValue as one, parsing } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';

// Sentry's events-stats for issues' events: a count of events per interval, for the issues that
// `query` names with `issue.id:`, optionally one series per environment or release (`topEvents`).

/** Issues one request may chart, and points one series may hold. */
const MAX_ISSUES = 100;
const MAX_POINTS = 2000;
const MAX_TOP_EVENTS = 10;
const DEFAULT_PERIOD_MS = 14 * 86_400_000;
const GROUP_FIELDS = ['environment', 'release'] as const;
type GroupField = (typeof GROUP_FIELDS)[number];

/** The issues `issue.id:` names, each in a project the caller reaches, else not found. */
async function chartedIssues(call: ApiCall, ids: readonly string[], projectIds: readonly number[]) {
  if (ids.length === 0) {
    throw badRequest(
      'Error parsing search query: name the issues to chart with issue.id:, e.g. issue.id:123.',
    );
  }
  if (ids.length > MAX_ISSUES) throw badRequest(`At most ${MAX_ISSUES} issues can be charted at once.`);
  const issues: Issue[] = [];
  for (const id of new Set(ids)) {
    if (!/^\d{1,15}$/.test(id)) throw badRequest(`Error parsing search query: invalid issue.id: ${id}`);
    const issue = await findIssueById(call.ctx.db.region, Number(id));
    if (!issue || !projectIds.includes(issue.projectId)) throw notFound();
    issues.push(issue);
  }
  return issues;
}

/** `field` names the grouping column (besides `count()`); topEvents needs exactly one. */
function groupField(call: ApiCall): { field: GroupField; top: number; other: boolean } | null {
  const topText = one(call.query.topEvents);
  if (topText === undefined || topText === '') return null;
  if (!/^\d{1,3}$/.test(topText) || Number(topText) < 1 || Number(topText) > MAX_TOP_EVENTS) {
    throw badRequest(`topEvents must be a whole number from 1 to ${MAX_TOP_EVENTS}.`);
  }
  const fields = all(call.query.field).filter((f) => f !== 'count()');
  const field = fields[0];
  if (fields.length !== 1 || !GROUP_FIELDS.includes(field as GroupField)) {
    throw badRequest('With topEvents, pass field=environment or field=release (and field=count()).');
  }
  return { field: field as GroupField, top: Number(topText), other: one(call.query.excludeOther) !== '1' };
}

const point = (series: Series) => series.map(([t, n]) => [t, [{ count: n }]] as const);

/**
 * `GET /organizations/:org/events-stats/?query=issue.id:N&interval=1h&statsPeriod=24h&yAxis=count()`:
 * `{data: [[time, [{count}]], …], start, end}`, each interval a bucket, the window's events counted
 * exactly, so a series adds up to the issue's count over the same window. With `topEvents=n` and
 * `field=environment` (or `release`): one such object per value, the n biggest, the rest as `Other`.
 */
async function eventsStats(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.issues);
  const projects = await listedProjects(call, access);
  const projectIds = projects.map((p) => p.id);
  const yAxis = all(call.query.yAxis);
  if (yAxis.some((y) => y !== 'count()')) throw badRequest('yAxis: only count() is supported.');
  const scope = eventListScope(call, projectIds, ['issue.id']);
  const issues = await chartedIssues(call, scope.extra.get('issue.id') ?? [], projectIds);
  const now = call.ctx.now();
  const window = scope.window ?? { start: now - DEFAULT_PERIOD_MS, end: now };
  const intervalText = one(call.query.interval);
  const bucketMs =
    intervalText === undefined || intervalText === ''
      ? autoBucket(window.end - window.start)
      : parsing(() => parseStatsPeriod(intervalText));
  if ((window.end - window.start) / bucketMs > MAX_POINTS) {
    throw badRequest(
      'Your interval and date range would create too many results. Use a larger interval, or a smaller date range.',
    );
  }
  const range = { start: window.start, end: window.end, bucketMs };
  const grouping = groupField(call);
  const series = await issueEventSeries(
    call.ctx.db.region,
    call.ctx.db.engine,
    issues.map((i) => i.id),
    range,
    scope,
    grouping?.field,
  );
  const frame = {
    start: Math.floor(window.start / 1000),
    end: Math.floor(window.end / 1000),
    isMetricsData: false,
  };
  const meta = { fields: { count: 'integer' }, units: { count: null } };
  // Several issues add up into one series (per group).
  const sum = (list: Series[]): Series => {
    const out = (list[0] ?? []).map(([t]) => [t, 0] as [number, number]);
    for (const s of list) for (const [i, [, n]] of s.entries()) if (out[i]) out[i][1] += n;
    return out;
  };
  if (!grouping) {
    return { data: point(sum([...series.values()])), ...frame, meta };
  }
  const byGroup = new Map<string, Series[]>();
  for (const [key, s] of series) {
    const group = key.slice(key.indexOf('\u0000') + 1);
    byGroup.set(group, [...(byGroup.get(group) ?? []), s]);
  }
  const totals = [...byGroup].map(([group, list]) => {
    const s = sum(list);
    return { group, series: s, total: s.reduce((n, [, c]) => n + c, 0) };
  });
  totals.sort((a, b) => b.total - a.total || (a.group < b.group ? -1 : 1));
  const out: Record<string, unknown> = {};
  const kept = totals.slice(0, grouping.top);
  for (const [order, t] of kept.entries()) out[t.group] = { data: point(t.series), order, ...frame, meta };
  const rest = totals.slice(grouping.top);
  if (grouping.other && rest.length > 0) {
    out.Other = { data: point(sum(rest.map((r) => r.series))), order: kept.length, ...frame, meta };
  }
  return out;
}

export const eventsStatsRoutes: ApiRoute[] = [
  { method: 'GET', url: '/organizations/:org/events-stats/', auth: PERMISSIONS.issues, handler: eventsStats },
];
