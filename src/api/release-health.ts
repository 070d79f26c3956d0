import { badRequest } from '../lib/app-error.js';
import {
  countUsers,
  findReleasesWithHealth,
  type SessionScope,
  sumSessions,
} from '../store/region/session-stats.js';
import type { ApiCall } from './route.js';

// The health Sentry shows on a release's projects: `hasHealthData` always, and with `health=1`
// the `healthData` block (crash-free rates over `summaryStatsPeriod`, adoption over the last 24
// hours, and a `healthStatsPeriod` series of sessions or users).

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SUMMARY_PERIODS: Readonly<Record<string, number>> = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '1d': DAY_MS,
  '48h': 2 * DAY_MS,
  '2d': 2 * DAY_MS,
  '7d': 7 * DAY_MS,
  '14d': 14 * DAY_MS,
  '30d': 30 * DAY_MS,
  '90d': 90 * DAY_MS,
};
/** The series' periods: points and their width. */
const STATS_PERIODS: Readonly<Record<string, { points: number; width: number }>> = {
  '24h': { points: 24, width: HOUR_MS },
  '14d': { points: 14, width: DAY_MS },
  '': { points: 0, width: DAY_MS },
};

const one = (v: unknown): string | undefined => (Array.isArray(v) ? v[0] : v) as string | undefined;

export interface HealthOptions {
  readonly withData: boolean;
  readonly summaryMs: number;
  readonly statsPeriod: string;
  readonly healthStat: 'sessions' | 'users';
  readonly environments: readonly string[];
}

/**
 * The release list's and detail's health parameters; an unknown period or stat is a 400. Only
 * reads take them: a change has been made by the time its answer is serialized.
 */
export function readHealthOptions(call: ApiCall): HealthOptions {
  const q = (call.method === 'GET' ? call.query : {}) as Record<string, unknown>;
  const summary = one(q.summaryStatsPeriod) ?? '14d';
  const summaryMs = SUMMARY_PERIODS[summary];
  if (summaryMs === undefined) {
    throw badRequest(`summaryStatsPeriod must be one of ${Object.keys(SUMMARY_PERIODS).join(', ')}`);
  }
  const statsPeriod = one(q.healthStatsPeriod) ?? '24h';
  if (!(statsPeriod in STATS_PERIODS)) throw badRequest('healthStatsPeriod must be one of 24h, 14d or empty');
  const healthStat = one(q.healthStat) ?? 'sessions';
  if (healthStat !== 'sessions' && healthStat !== 'users') {
    throw badRequest('healthStat must be one of sessions, users');
  }
  const environments = [q.environment ?? []]
    .flat()
    .filter((e): e is string => typeof e === 'string' && e !== '');
  return { withData: one(q.health) === '1', summaryMs, statsPeriod, healthStat, environments };
}

interface Counts {
  sessions: number;
  crashed: number;
  errored: number;
  users: number;
  crashedUsers: number;
}
const zero = (): Counts => ({ sessions: 0, crashed: 0, errored: 0, users: 0, crashedUsers: 0 });

/** Sessions and users per `${projectId} ${release}` (or per project when `perProject`) in a range. */
async function countsIn(call: ApiCall, scope: SessionScope, perProject = false) {
  const db = call.ctx.db.region;
  const by = perProject ? (['project_id'] as const) : (['project_id', 'release'] as const);
  const out = new Map<string, Counts>();
  const at = (key: { project_id?: string | number; release?: string | number }) => {
    const id = perProject ? String(key.project_id) : `${key.project_id} ${key.release}`;
    const c = out.get(id) ?? zero();
    out.set(id, c);
    return c;
  };
  for (const row of await sumSessions(db, scope, { by })) {
    const c = at(row.key);
    c.sessions += row.started;
    c.crashed += row.crashed;
    c.errored += row.errored;
  }
  for (const row of await countUsers(db, scope, { by })) {
    const c = at(row.key);
    c.users += row.users;
    if (row.severity === 3) c.crashedUsers += row.users;
  }
  return out;
}

const percent = (part: number, whole: number) => (whole === 0 ? null : (part / whole) * 100);

/**
 * For each (project, release) pair: `hasHealthData`, and with `withData` the `healthData` block.
 * Keys are `${projectId} ${release}`.
 */
export async function releaseHealth(
  call: ApiCall,
  projectIds: readonly number[],
  releases: readonly string[],
  options: HealthOptions,
): Promise<(projectId: number, release: string) => Record<string, unknown>> {
  const db = call.ctx.db.region;
  const has = await findReleasesWithHealth(db, projectIds, releases);
  if (!options.withData || projectIds.length === 0 || releases.length === 0) {
    return (projectId, release) => ({ hasHealthData: has.has(`${projectId} ${release}`) });
  }
  const now = call.ctx.now();
  const end = now + 1;
  const base = { projectIds, environments: options.environments };
  const summary = await countsIn(call, {
    ...base,
    releases: { in: releases },
    start: now - options.summaryMs,
    end,
  });
  const day = { ...base, start: now - DAY_MS, end };
  const last24h = await countsIn(call, { ...day, releases: { in: releases } });
  const project24h = await countsIn(call, day, true);
  const { points, width } = STATS_PERIODS[options.statsPeriod] as { points: number; width: number };
  const seriesStart = (Math.floor(now / width) - points + 1) * width;
  const series = new Map<string, number[]>();
  if (points > 0) {
    const scope = { ...base, releases: { in: releases }, start: seriesStart, end };
    const split = { by: ['project_id', 'release'] as const, interval: width };
    const rows =
      options.healthStat === 'sessions'
        ? (await sumSessions(db, scope, split)).map((r) => ({ key: r.key, slot: r.slot, n: r.started }))
        : (await countUsers(db, scope, split)).map((r) => ({ key: r.key, slot: r.slot, n: r.users }));
    for (const row of rows) {
      const id = `${row.key.project_id} ${row.key.release}`;
      const list = series.get(id) ?? new Array<number>(points).fill(0);
      list[row.slot] = (list[row.slot] ?? 0) + row.n;
      series.set(id, list);
    }
  }
  return (projectId, release) => {
    const id = `${projectId} ${release}`;
    const s = summary.get(id) ?? zero();
    const d = last24h.get(id) ?? zero();
    const p = project24h.get(String(projectId)) ?? zero();
    const counts = series.get(id) ?? new Array<number>(points).fill(0);
    const crashFree = (crashed: number, total: number) => {
      const rate = percent(crashed, total);
      return rate === null ? null : 100 - rate;
    };
    return {
      hasHealthData: has.has(id),
      healthData: {
        durationP50: null,
        durationP90: null,
        crashFreeUsers: crashFree(s.crashedUsers, s.users),
        crashFreeSessions: crashFree(s.crashed, s.sessions),
        sessionsCrashed: s.crashed,
        sessionsErrored: s.errored,
        totalUsers: s.users,
        totalUsers24h: d.users,
        totalProjectUsers24h: p.users,
        totalSessions: s.sessions,
        totalSessions24h: d.sessions,
        totalProjectSessions24h: p.sessions,
        adoption: percent(d.users, p.users),
        sessionsAdoption: percent(d.sessions, p.sessions),
        stats: options.statsPeriod
          ? { [options.statsPeriod]: counts.map((n, i) => [(seriesStart + i * width) / 1000, n]) }
          : {},
        hasHealthData: has.has(id),
      },
    };
  };
}
