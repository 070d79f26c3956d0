import { createHash } from 'node:crypto';
import { asCount, asLenientString, asObject, asString, type JsonObject } from '../../protocol/json-read.js';
import { DEFAULT_TIMESTAMP_BOUNDS, parseTimestamp } from '../../protocol/timestamp.js';
import { settleNextReleaseResolutions } from '../../store/region/issue-updates.js';
import {
  insertSessionState,
  lockSessionState,
  type SessionCounts,
  type SessionState,
  updateSessionState,
  upsertHealthUser,
  upsertReleaseHealth,
} from '../../store/region/release-health.js';
import { recordEventReleases } from '../../store/region/release-links.js';
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

/**
 * Makes sure the release exists and belongs to the project, as an event naming it would: a
 * release whose sessions all went well sends no event, and must still be listed with its health.
 */
async function recordSessionRelease(ctx: ItemContext, release: string): Promise<void> {
  const { projectId, receivedAt } = ctx.raw;
  const { releases, linked } = await recordEventReleases(ctx.trx, [
    { projectId, version: release, firstSeen: receivedAt },
  ]);
  for (const link of linked) {
    const made = [...releases.values()].find((r) => r.id === link.releaseId);
    if (made) await settleNextReleaseResolutions(ctx.trx, made, [link.projectId]);
  }
}

/** How a session stands: its outcome so far and whether it has ended. */
export type SessionOutcome = 'ok' | 'errored' | 'exited' | 'crashed' | 'abnormal';

const TERMINAL = new Set(['exited', 'errored', 'crashed', 'abnormal']);

/**
 * The outcome of a status with the errors seen so far: a session that ended cleanly or is still
 * running counts as errored once it reported an error, as Sentry's healthy/errored split does.
 */
export function sessionOutcome(status: string, errors: number): SessionOutcome {
  if (status === 'crashed' || status === 'abnormal' || status === 'errored') return status;
  if (errors > 0) return 'errored';
  return status === 'exited' ? 'exited' : 'ok';
}

/** The bucket columns an outcome adds to (an open healthy session adds to none but `started`). */
function countsOf(outcome: SessionOutcome): SessionCounts {
  return outcome === 'ok' ? NONE : { ...NONE, [outcome]: 1 };
}

/** Users' worst outcome, stored per bucket: crashed above abnormal above errored above healthy. */
export const USER_SEVERITY: Readonly<Record<SessionOutcome, number>> = {
  ok: 0,
  exited: 0,
  errored: 1,
  abnormal: 2,
  crashed: 3,
};

/** A distinct id as stored: hashed, so that counting users keeps no one's id or email. */
function userHashOf(did: unknown): string | null {
  const text = asLenientString(did)?.trim();
  return text ? createHash('sha256').update(text).digest('base64url').slice(0, 22) : null;
}

interface Update {
  readonly status: string;
  readonly errors: number;
  readonly seq: number;
  readonly timestamp: number;
}

/**
 * Whether `next` replaces `current` as the session's state: an ended session never reopens, and
 * among updates of the same kind the later one (by `seq`, then `timestamp`) wins, whatever order
 * they arrive in.
 */
function supersedes(next: Update, current: Update): boolean {
  const nextEnds = TERMINAL.has(next.status);
  const currentEnds = TERMINAL.has(current.status);
  if (nextEnds !== currentEnds) return nextEnds;
  return next.seq > current.seq || (next.seq === current.seq && next.timestamp > current.timestamp);
}

const minus = (a: SessionCounts, b: SessionCounts): SessionCounts => ({
  started: a.started - b.started,
  exited: a.exited - b.exited,
  errored: a.errored - b.errored,
  crashed: a.crashed - b.crashed,
  abnormal: a.abnormal - b.abnormal,
});

const isEmpty = (c: SessionCounts) =>
  c.started === 0 && c.exited === 0 && c.errored === 0 && c.crashed === 0 && c.abnormal === 0;

/**
 * `session` items: one update of one session (`sid`), counted into the hourly bucket of its
 * `started` time for its release and environment (default `production`). Each session counts once
 * as started, whichever of its updates comes first, and at its latest outcome: a later update moves
 * it from one column to another (`seq`, then `timestamp`, order the updates; an ended session stays
 * ended). `exited` with errors, and a running session with errors, count as `errored`. The session's
 * `did` joins the bucket's distinct users at the worst outcome of its sessions. Updates without a
 * release or `sid` are dropped, as Sentry requires both, and so are those older than five days.
 * A session's first update makes its release, as an event's would.
 */
export const digestSession: ItemDigester = async (ctx, item) => {
  const update = readJsonObject(item.payload);
  if (update === undefined) return;
  const attrs = asObject(update.attrs);
  const release = releaseOf(attrs);
  const sid = asLenientString(update.sid)?.trim();
  const bucket = bucketOf(ctx, update.started);
  if (release === undefined || bucket === undefined || !sid || sid.length > 64) return;
  const status = asString(update.status) ?? 'ok';
  const next: Update = {
    status: TERMINAL.has(status) ? status : 'ok',
    errors: asCount(update.errors) ?? 0,
    seq: asCount(update.seq) ?? 0,
    timestamp: parseTimestamp(update.timestamp) ?? 0,
  };
  const { projectId, receivedAt } = ctx.raw;
  const fresh = {
    projectId,
    sid,
    release,
    environment: environmentOf(attrs),
    bucket,
    userHash: userHashOf(update.did),
    ...next,
    lastSeen: receivedAt,
  };
  let current = await lockSessionState(ctx.trx, ctx.engine, projectId, sid);
  if (current === undefined && (await insertSessionState(ctx.trx, fresh))) {
    await recordSessionRelease(ctx, release);
    await countSession(ctx, fresh, { ...countsOf(sessionOutcome(next.status, next.errors)), started: 1 });
    return;
  }
  current ??= await lockSessionState(ctx.trx, ctx.engine, projectId, sid);
  if (current === undefined) return;
  const chosen = supersedes(next, current) ? next : current;
  const state = {
    ...current,
    ...chosen,
    errors: Math.max(current.errors, next.errors),
    userHash: current.userHash ?? fresh.userHash,
    lastSeen: receivedAt,
  };
  await updateSessionState(ctx.trx, state);
  const delta = minus(
    countsOf(sessionOutcome(state.status, state.errors)),
    countsOf(sessionOutcome(current.status, current.errors)),
  );
  await countSession(ctx, state, delta);
};

/** Adds the session's change to its bucket, and its user at the session's outcome. */
async function countSession(ctx: ItemContext, session: SessionState, delta: SessionCounts): Promise<void> {
  const where = {
    projectId: session.projectId,
    release: session.release,
    environment: session.environment,
    bucket: session.bucket,
  };
  if (!isEmpty(delta)) await upsertReleaseHealth(ctx.trx, { ...where, ...delta });
  if (session.userHash !== null) {
    const severity = USER_SEVERITY[sessionOutcome(session.status, session.errors)];
    await upsertHealthUser(ctx.trx, { ...where, userHash: session.userHash, severity });
  }
}

/**
 * `sessions` items: pre-aggregated buckets `{aggregates: [{started, exited, errored, crashed,
 * abnormal, did?}], attrs: {release, environment}}` (server mode). Each bucket's sessions all count
 * as started, and each final status by its count. Buckets falling into one hour are added up first.
 * A bucket with a `did` adds that user at the worst status it counts. The item makes its release.
 */
export const digestSessions: ItemDigester = async (ctx, item) => {
  const payload = readJsonObject(item.payload);
  if (payload === undefined || !Array.isArray(payload.aggregates)) return;
  const attrs = asObject(payload.attrs);
  const release = releaseOf(attrs);
  if (release === undefined) return;

  const hours = new Map<number, SessionCounts>();
  const users = new Map<string, { bucket: number; userHash: string; severity: number }>();
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
    const userHash = userHashOf(aggregate.did);
    if (userHash !== null && exited + errored + crashed + abnormal > 0) {
      const worst: SessionOutcome =
        crashed > 0 ? 'crashed' : abnormal > 0 ? 'abnormal' : errored > 0 ? 'errored' : 'ok';
      const key = `${bucket} ${userHash}`;
      const severity = Math.max(USER_SEVERITY[worst], users.get(key)?.severity ?? 0);
      users.set(key, { bucket, userHash, severity });
    }
  }
  if (hours.size > 0) await recordSessionRelease(ctx, release);
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
  for (const user of users.values()) {
    await upsertHealthUser(ctx.trx, { projectId: ctx.raw.projectId, release, environment, ...user });
  }
};
