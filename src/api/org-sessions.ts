import {
  countUsers,
  type SessionGroupColumn,
  type SessionSums,
  sumSessions,
  type UserCount,
} from '../store/region/session-stats.js';
import { queriedProjects } from './access.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { MAX_POINTS, readSessionQuery, type SessionField, type SessionQuery } from './session-query.js';

// Sentry's release health query: session and user counts and crash-free rates per interval,
// grouped by project, release, environment and session status, from the hourly buckets digest
// keeps (release_health for sessions, release_health_users for distinct users).

const STATUSES = ['healthy', 'errored', 'crashed', 'abnormal'] as const;
type Status = (typeof STATUSES)[number];
/** release_health_users' severities, by the status a user's worst session had. */
const STATUS_OF_SEVERITY: readonly Status[] = ['healthy', 'errored', 'abnormal', 'crashed'];

const COLUMN: Record<'project' | 'release' | 'environment', SessionGroupColumn> = {
  project: 'project_id',
  release: 'release',
  environment: 'environment',
};

/** One group's raw numbers per slot (index = slot; `total` = the whole range). */
interface Tally {
  sessions: { started: number; errored: number; crashed: number; abnormal: number };
  users: Record<Status, number>;
}
const emptyTally = (): Tally => ({
  sessions: { started: 0, errored: 0, crashed: 0, abnormal: 0 },
  users: { healthy: 0, errored: 0, crashed: 0, abnormal: 0 },
});

function value(field: SessionField, tally: Tally, status: Status | undefined): number | null {
  const s = tally.sessions;
  const userTotal = STATUSES.reduce((n, k) => n + tally.users[k], 0);
  const healthy = Math.max(0, s.started - s.errored - s.crashed - s.abnormal);
  switch (field) {
    case 'sum(session)':
      return status === undefined ? s.started : status === 'healthy' ? healthy : s[status];
    case 'count_unique(user)':
      return status === undefined ? userTotal : tally.users[status];
    case 'crash_free_rate(session)':
    case 'crash_rate(session)': {
      if (status !== undefined || s.started === 0) return null;
      const rate = s.crashed / s.started;
      return field === 'crash_rate(session)' ? rate : 1 - rate;
    }
    case 'crash_free_rate(user)':
    case 'crash_rate(user)': {
      if (status !== undefined || userTotal === 0) return null;
      const rate = tally.users.crashed / userTotal;
      return field === 'crash_rate(user)' ? rate : 1 - rate;
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The key of a row's group columns, and its `by` object. */
function groupOf(key: SessionSums['key'], q: SessionQuery) {
  const by: Record<string, string | number> = {};
  for (const g of q.groupBy) if (g !== 'session.status') by[g] = key[COLUMN[g]] as string | number;
  return { id: JSON.stringify(by), by };
}

/**
 * `GET /organizations/:org/sessions/?field=sum(session)&groupBy=release&interval=1d&statsPeriod=14d`:
 * `{start, end, intervals, groups: [{by, totals, series}], query}`. Users are counted once per
 * interval and once over the whole range (totals), at the worst outcome of their sessions.
 */
async function organizationSessions(call: ApiCall) {
  const projects = await queriedProjects(call, PERMISSIONS.sessions);
  const q = readSessionQuery(call.query as Record<string, unknown>, call.ctx.now());
  const region = call.ctx.db.region;
  const slots = Math.ceil((q.end - q.start) / q.interval);
  const scope = {
    projectIds: projects.map((p) => p.id),
    start: q.start,
    end: q.end,
    environments: q.environments,
    releases: q.releases,
  };
  const by = q.groupBy.filter((g) => g !== 'session.status').map((g) => COLUMN[g]);
  const wantsUsers = q.fields.some((f) => f.endsWith('(user)'));
  const sums = await sumSessions(region, scope, { by, interval: q.interval });
  const userSeries: UserCount[] = wantsUsers
    ? await countUsers(region, scope, { by, interval: q.interval })
    : [];
  const userTotals: UserCount[] = wantsUsers ? await countUsers(region, scope, { by }) : [];

  const groups = new Map<string, { by: Record<string, string | number>; series: Tally[]; total: Tally }>();
  const groupFor = (key: SessionSums['key']) => {
    const { id, by: groupBy } = groupOf(key, q);
    let group = groups.get(id);
    if (!group) {
      group = { by: groupBy, series: Array.from({ length: slots }, emptyTally), total: emptyTally() };
      groups.set(id, group);
    }
    return group;
  };
  // Without a grouping column there is always one group, zeros included, as in Sentry.
  if (by.length === 0) groupFor({});
  for (const row of sums) {
    const group = groupFor(row.key);
    for (const tally of [group.series[row.slot], group.total]) {
      if (!tally) continue;
      for (const k of ['started', 'errored', 'crashed', 'abnormal'] as const) tally.sessions[k] += row[k];
    }
  }
  for (const row of userSeries) {
    const tally = groupFor(row.key).series[row.slot];
    if (tally) tally.users[STATUS_OF_SEVERITY[row.severity] ?? 'healthy'] += row.users;
  }
  for (const row of userTotals) {
    groupFor(row.key).total.users[STATUS_OF_SEVERITY[row.severity] ?? 'healthy'] += row.users;
  }

  const byStatus = q.groupBy.includes('session.status');
  const out = [...groups.values()].flatMap((group) =>
    (byStatus ? STATUSES : [undefined]).map((status) => {
      const totals: Record<string, number | null> = {};
      const series: Record<string, (number | null)[]> = {};
      for (const field of q.fields) {
        totals[field] = value(field, group.total, status);
        series[field] = group.series.map((tally) => value(field, tally, status));
      }
      return {
        by: status === undefined ? group.by : { ...group.by, 'session.status': status },
        ...(q.includeTotals ? { totals } : { totals: {} }),
        ...(q.includeSeries ? { series } : {}),
      };
    }),
  );
  const order = q.orderBy;
  out.sort((a, b) => {
    if (order) {
      const x = (a.totals as Record<string, number | null>)[order.field] ?? null;
      const y = (b.totals as Record<string, number | null>)[order.field] ?? null;
      if (x !== y) {
        if (x === null) return 1;
        if (y === null) return -1;
        return order.descending ? y - x : x - y;
      }
    }
    const ka = JSON.stringify(a.by);
    const kb = JSON.stringify(b.by);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const limit = Math.min(q.perPage ?? Number.POSITIVE_INFINITY, Math.floor(MAX_POINTS / Math.max(1, slots)));
  return {
    start: iso(q.start),
    end: iso(q.end),
    intervals: q.includeSeries ? Array.from({ length: slots }, (_, i) => iso(q.start + i * q.interval)) : [],
    groups: out.slice(0, limit),
    query: q.queryText,
  };
}

export const orgSessionRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/sessions/',
    auth: PERMISSIONS.sessions,
    handler: organizationSessions,
  },
];
