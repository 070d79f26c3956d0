import { badRequest } from '../lib/app-error.js';
import { OUTCOMES } from '../protocol/outcome.js';
import { DATA_CATEGORIES } from '../protocol/rate-limits.js';
import { type OutcomeGroupColumn, type OutcomeSums, sumOutcomes } from '../store/region/outcomes.js';
import { queriedProjects } from './access.js';
import { queryValues as all } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { readTimeRange } from './session-query.js';

// Sentry's usage stats: how much of each data category the organization's projects sent, and what
// became of it (accepted, rate limited, invalid, dropped by the SDK…), per interval, from the hourly
// outcome counts digest keeps and the client reports SDKs send.

const FIELDS = ['sum(quantity)', 'sum(times_seen)'] as const;
type Field = (typeof FIELDS)[number];
const GROUPS = ['outcome', 'category', 'reason', 'project'] as const;
type Group = (typeof GROUPS)[number];
const COLUMN: Record<Group, OutcomeGroupColumn> = {
  outcome: 'outcome',
  category: 'category',
  reason: 'reason',
  project: 'project_id',
};
/** Categories a caller may name: Relay's, and Sentry's older name for feedback. */
const CATEGORY_ALIASES: Readonly<Record<string, string>> = { user_report_v2: 'feedback' };
/** The categories stored as `error` (see store/region/outcomes.ts). */
const ERROR_LIKE = new Set(['default', 'security']);
/** What Sentry says for an outcome without a reason (accepted). */
const NO_REASON = 'none';

interface StatsQuery {
  readonly fields: readonly Field[];
  readonly groupBy: readonly Group[];
  readonly outcomes: readonly string[];
  readonly categories: readonly string[];
  readonly reasons: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly interval: number;
}

function oneOf<T extends string>(values: string[], allowed: readonly T[], name: string): T[] {
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) throw badRequest(`Invalid ${name}: "${value}"`);
  }
  return [...new Set(values)] as T[];
}

/** Reads and checks a stats_v2 request; a bad parameter is a 400 naming it, as in Sentry. */
function readStatsQuery(query: Record<string, unknown>, now: number): StatsQuery {
  const fieldValues = all(query.field);
  if (fieldValues.length === 0) throw badRequest('Request is missing a "field"');
  const fields = oneOf(fieldValues, FIELDS, 'field');
  const groupBy = oneOf(all(query.groupBy), GROUPS, 'groupBy');
  const outcomes = oneOf(all(query.outcome), OUTCOMES, 'outcome');
  const named = all(query.category).map((c) => CATEGORY_ALIASES[c] ?? c);
  const known = DATA_CATEGORIES.filter((c) => c !== 'internal');
  const categories = [
    ...new Set(oneOf(named, known, 'category').map((c) => (ERROR_LIKE.has(c) ? 'error' : c))),
  ];
  // An attachment's quantity is bytes: adding it to item counts would mean nothing.
  if (categories.includes('attachment') && categories.length > 1) {
    throw badRequest('if filtering by attachment no other category may be present');
  }
  const reasons = [...new Set(all(query.reason).map((r) => (r === NO_REASON ? '' : r)))];
  return { fields, groupBy, outcomes, categories, reasons, ...readTimeRange(query, now) };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const fieldValue = (field: Field, row: { quantity: number; timesSeen: number }) =>
  field === 'sum(quantity)' ? row.quantity : row.timesSeen;

/** A row's `by` object, in Sentry's words. */
function byOf(key: OutcomeSums['key'], groupBy: readonly Group[]): Record<string, string | number> {
  const by: Record<string, string | number> = {};
  for (const g of groupBy) {
    const value = key[COLUMN[g]] as string | number;
    by[g] = g === 'reason' && value === '' ? NO_REASON : value;
  }
  return by;
}

/**
 * `GET /organizations/:org/stats_v2/?field=sum(quantity)&groupBy=outcome&category=error&interval=1d&statsPeriod=14d`:
 * `{start, end, intervals, groups: [{by, totals, series}]}`, one group per combination of the
 * groupBy values that has data (one group, zeros included, without groupBy).
 */
async function organizationStats(call: ApiCall) {
  const projects = await queriedProjects(call, PERMISSIONS.organizationStats);
  const q = readStatsQuery(call.query as Record<string, unknown>, call.ctx.now());
  const slots = Math.ceil((q.end - q.start) / q.interval);
  const rows = await sumOutcomes(
    call.ctx.db.region,
    {
      projectIds: projects.map((p) => p.id),
      start: q.start,
      end: q.end,
      outcomes: q.outcomes,
      categories: q.categories,
      reasons: q.reasons,
    },
    { by: q.groupBy.map((g) => COLUMN[g]), interval: q.interval },
  );
  const groups = new Map<string, { by: Record<string, string | number>; series: OutcomeSums[] }>();
  const groupFor = (by: Record<string, string | number>) => {
    const id = JSON.stringify(by);
    let group = groups.get(id);
    if (!group) {
      group = { by, series: [] };
      groups.set(id, group);
    }
    return group;
  };
  if (q.groupBy.length === 0) groupFor({});
  for (const row of rows) groupFor(byOf(row.key, q.groupBy)).series.push(row);
  const out = [...groups.values()].map((group) => {
    const totals: Record<string, number> = {};
    const series: Record<string, number[]> = {};
    for (const field of q.fields) {
      const points = new Array<number>(slots).fill(0);
      for (const row of group.series) {
        if (row.slot >= 0 && row.slot < slots)
          points[row.slot] = (points[row.slot] ?? 0) + fieldValue(field, row);
      }
      series[field] = points;
      totals[field] = points.reduce((a, b) => a + b, 0);
    }
    return { by: group.by, totals, series };
  });
  out.sort((a, b) => {
    const ka = JSON.stringify(a.by);
    const kb = JSON.stringify(b.by);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return {
    start: iso(q.start),
    end: iso(q.end),
    intervals: Array.from({ length: slots }, (_, i) => iso(q.start + i * q.interval)),
    groups: out,
  };
}

export const orgStatsRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/stats_v2/',
    auth: PERMISSIONS.organizationStats,
    handler: organizationStats,
  },
];
