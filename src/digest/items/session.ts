import { asBoolean, asCount, asObject, asString, type JsonObject } from '../../protocol/json-read.js';
import { DEFAULT_TIMESTAMP_BOUNDS, parseTimestamp } from '../../protocol/timestamp.js';
import { type SessionCounts, upsertReleaseHealth } from '../../store/region/release-health.js';
import type { ItemContext, ItemDigester } from '../item-digester.js';
import { envelopeDriftMs, hourBucket, readJsonObject } from './read-item.js';

export const DEFAULT_ENVIRONMENT = 'production';

/** Relay drops session updates that started longer ago than this (`max_session_secs_in_past`). */
export const MAX_SESSION_AGE_MS = 5 * 24 * 3_600_000;

const NONE: SessionCounts = { started: 0, exited: 0, errored: 0, crashed: 0, abnormal: 0 };

/** Relay's release rules, in short: trimmed, one line, not empty, at most 200 characters. */
function releaseOf(attrs: JsonObject | undefined): string | undefined {
  const release = asString(attrs?.release)?.trim();
  return release && release.length <= 200 && !/[\r\n\t]/.test(release) ? release : undefined;
}

function environmentOf(attrs: JsonObject | undefined): string {
  const environment = asString(attrs?.environment)?.trim();
  return environment && environment.length <= 64 && !/[\r\n]/.test(environment)
    ? environment
    : DEFAULT_ENVIRONMENT;
}

/** The hour bucket of a `started` time, drift-corrected; undefined when unreadable, too old or in the future. */
function bucketOf(ctx: ItemContext, started: unknown): number | undefined {
  const sent = parseTimestamp(started);
  if (sent === undefined) return undefined;
  const at = sent + envelopeDriftMs(ctx);
  const { receivedAt } = ctx.raw;
  if (at < receivedAt - MAX_SESSION_AGE_MS || at > receivedAt + DEFAULT_TIMESTAMP_BOUNDS.maxFutureMs) {
    return undefined;
  }
  return hourBucket(at);
}

/** What one update adds: its start when `init`, and the end it reports when its status is final. */
export function sessionUpdateCounts(update: JsonObject): SessionCounts {
  const started = asBoolean(update.init) === true ? 1 : 0;
  const errors = asCount(update.errors) ?? 0;
  switch (asString(update.status)) {
    case 'exited':
      return errors > 0 ? { ...NONE, started, errored: 1 } : { ...NONE, started, exited: 1 };
    case 'errored':
      return { ...NONE, started, errored: 1 };
    case 'crashed':
      return { ...NONE, started, crashed: 1 };
    case 'abnormal':
      return { ...NONE, started, abnormal: 1 };
    default:
      return { ...NONE, started };
  }
}

const isEmpty = (c: SessionCounts) => c.started + c.exited + c.errored + c.crashed + c.abnormal === 0;

/**
 * `session` items: one update of one session, counted into the hourly bucket of its `started`
 * time for its release and environment (default `production`). The `init: true` update counts
 * the session as started; an update with a final status counts how it ended: `exited` (as
 * `errored` when `errors > 0`), `errored`, `crashed` or `abnormal`. Updates without a release are
 * dropped, as Sentry requires one, and so are those older than five days.
 */
export const digestSession: ItemDigester = async (ctx, item) => {
  const update = readJsonObject(item.payload);
  if (update === undefined) return;
  const attrs = asObject(update.attrs);
  const release = releaseOf(attrs);
  const bucket = bucketOf(ctx, update.started);
  if (release === undefined || bucket === undefined) return;
  const counts = sessionUpdateCounts(update);
  if (isEmpty(counts)) return;
  await upsertReleaseHealth(ctx.trx, {
    projectId: ctx.raw.projectId,
    release,
    environment: environmentOf(attrs),
    bucket,
    ...counts,
  });
};

/**
 * `sessions` items: pre-aggregated buckets `{aggregates: [{started, exited, errored, crashed,
 * abnormal}], attrs: {release, environment}}`. Each bucket's sessions all count as started, and
 * each final status by its count. Buckets falling into one hour are added up first.
 */
export const digestSessions: ItemDigester = async (ctx, item) => {
  const payload = readJsonObject(item.payload);
  if (payload === undefined || !Array.isArray(payload.aggregates)) return;
  const attrs = asObject(payload.attrs);
  const release = releaseOf(attrs);
  if (release === undefined) return;

  const hours = new Map<number, SessionCounts>();
  for (const value of payload.aggregates) {
    const aggregate = asObject(value);
    const bucket = aggregate && bucketOf(ctx, aggregate.started);
    if (aggregate === undefined || bucket === undefined) continue;
    const [exited, errored, crashed, abnormal] = (['exited', 'errored', 'crashed', 'abnormal'] as const).map(
      (status) => asCount(aggregate[status]) ?? 0,
    ) as [number, number, number, number];
    const sum = hours.get(bucket) ?? NONE;
    hours.set(bucket, {
      started: sum.started + exited + errored + crashed + abnormal,
      exited: sum.exited + exited,
      errored: sum.errored + errored,
      crashed: sum.crashed + crashed,
      abnormal: sum.abnormal + abnormal,
    });
  }
  const environment = environmentOf(attrs);
  for (const [bucket, counts] of hours) {
    if (isEmpty(counts)) continue;
    await upsertReleaseHealth(ctx.trx, {
      projectId: ctx.raw.projectId,
      release,
      environment,
      bucket,
      ...counts,
    });
  }
};
