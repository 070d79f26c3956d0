import { type Kysely, sql } from 'kysely';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';
import { type EventScope, eventScope } from './event-filter.js';

type Db = Kysely<RegionSchema>;

/** Time buckets of `bucketMs` from the one holding `start` to the one holding `end` (epoch ms). */
export interface BucketRange {
  readonly start: number;
  readonly end: number;
  readonly bucketMs: number;
}

/** `[bucket start in epoch seconds, events]` per bucket, oldest first. */
export type Series = [number, number][];

function emptySeries(range: BucketRange): Series {
  const first = Math.floor(range.start / range.bucketMs);
  const last = Math.floor(range.end / range.bucketMs);
  return Array.from({ length: last - first + 1 }, (_, i) => [((first + i) * range.bucketMs) / 1000, 0]);
}

/**
 * Events per issue (or per issue and `groupBy` column) per bucket, counting only events between
 * `range.start` and `range.end` (inclusive) that the scope lets through, so that a series adds up
 * to the issue's count over that window. One grouped query over the events index.
 */
export async function issueEventSeries(
  db: Db,
  engine: Engine,
  issueIds: readonly number[],
  range: BucketRange,
  scope: EventScope,
  groupBy?: 'environment' | 'release',
): Promise<Map<string, Series>> {
  const out = new Map<string, Series>();
  const keyOf = (issueId: number, group: string | null) =>
    groupBy === undefined ? String(issueId) : `${issueId}\u0000${group ?? ''}`;
  if (groupBy === undefined) for (const id of issueIds) out.set(String(id), emptySeries(range));
  if (issueIds.length === 0) return out;
  const origin = Math.floor(range.start / range.bucketMs) * range.bucketMs;
  // CAST: SQLite binds JS numbers as REAL, so its division would not truncate; grouping by the
  // alias keeps PostgreSQL from seeing two different parameterized expressions.
  const bucket = sql<number>`cast((timestamp - ${origin}) / ${range.bucketMs} as integer)`;
  const group = groupBy === undefined ? sql<string | null>`null` : sql<string | null>`${sql.ref(groupBy)}`;
  const rows = await db
    .selectFrom('events')
    .select([
      'issue_id',
      bucket.as('bucket'),
      group.as('grp'),
      (eb) => eb.fn.countAll<number | string>().as('n'),
    ])
    .where('issue_id', 'in', [...issueIds])
    .where((eb) => eventScope(eb, engine, { ...scope, window: intersect(scope.window, range) }))
    .groupBy(['issue_id', sql`bucket`, sql`grp`])
    .execute();
  for (const row of rows) {
    if (row.issue_id === null) continue;
    const key = keyOf(row.issue_id, row.grp);
    let series = out.get(key);
    if (!series) {
      series = emptySeries(range);
      out.set(key, series);
    }
    const point = series[Number(row.bucket)];
    if (point) point[1] += Number(row.n);
  }
  return out;
}

function intersect(window: EventScope['window'], range: BucketRange): { start: number; end: number } {
  if (!window) return { start: range.start, end: range.end };
  return { start: Math.max(window.start, range.start), end: Math.min(window.end, range.end) };
}

/**
 * Event counts per issue per bucket, for the small graphs of issue lists: `buckets` intervals of
 * `bucketMs`, the last one holding `end`.
 */
export async function issueEventStats(
  db: Db,
  engine: Engine,
  issueIds: readonly number[],
  end: number,
  bucketMs: number,
  buckets: number,
  scope: EventScope = { projectIds: [] },
): Promise<Map<number, Series>> {
  const start = Math.floor(end / bucketMs) * bucketMs - (buckets - 1) * bucketMs;
  const series = await issueEventSeries(db, engine, issueIds, { start, end, bucketMs }, scope);
  return new Map(issueIds.map((id) => [id, series.get(String(id)) ?? []]));
}

/** An issue's events in a scope: how many, how many users, first and last (epoch ms). */
export interface SeenStats {
  readonly count: number;
  readonly userCount: number;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
}

/**
 * Each issue's events and users within a scope (Sentry's seen stats of a filtered issue list), in
 * one grouped query: the events index (issue, timestamp, environment, user) answers it alone.
 */
export async function issueSeenStats(
  db: Db,
  engine: Engine,
  issueIds: readonly number[],
  scope: EventScope,
): Promise<Map<number, SeenStats>> {
  const out = new Map<number, SeenStats>();
  for (const id of issueIds) out.set(id, { count: 0, userCount: 0, firstSeen: null, lastSeen: null });
  if (issueIds.length === 0) return out;
  const rows = await db
    .selectFrom('events')
    .select((eb) => [
      'issue_id',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.count<number | string>('user_key').distinct().as('users'),
      eb.fn.min('timestamp').as('first'),
      eb.fn.max('timestamp').as('last'),
    ])
    .where('issue_id', 'in', [...issueIds])
    .where((eb) => eventScope(eb, engine, scope))
    .groupBy('issue_id')
    .execute();
  for (const row of rows) {
    if (row.issue_id === null) continue;
    out.set(row.issue_id, {
      count: Number(row.n),
      userCount: Number(row.users),
      firstSeen: row.first === null ? null : Number(row.first),
      lastSeen: row.last === null ? null : Number(row.last),
    });
  }
  return out;
}
