import type { Kysely } from 'kysely';
import { computeGrouping, deriveIssueSummary, type GroupingResult } from '../grouping/index.js';
import type { EventUser, NormalizedEvent } from '../protocol/normalized-event.js';
import {
  existingEventIds,
  insertEvents,
  type NewEvent,
  setProjectFirstEvent,
} from '../store/region/events.js';
import {
  deleteIssue,
  findHashOwners,
  findIssueIdByHashes,
  findIssueState,
  type IssueState,
  type IssueTagCount,
  insertGroupHashes,
  insertIssue,
  insertIssueUser,
  recordIssueEvents,
  upsertIssueTags,
} from '../store/region/issues.js';
import type { RegionSchema } from '../store/schema.js';
import { eventTags, userKey } from './event-tags.js';

/** An error or message event with everything computed that needs no database. */
export interface PreparedEvent {
  readonly event: NormalizedEvent;
  readonly grouping: GroupingResult;
  readonly summary: ReturnType<typeof deriveIssueSummary>;
  readonly tags: [string, string][];
  readonly userKey: string | null;
}

/** Normalizes, groups and summarizes an event: pure work, done before the write transaction's rows. */
export function prepareEvent(event: NormalizedEvent): PreparedEvent {
  // Grouping reads the payload's shape; give it the normalized message (Python's logging sends only
  // a template and params) and fingerprint.
  const input = {
    ...event.data,
    message: event.message?.formatted,
    logentry: event.message
      ? { message: event.message.template, formatted: event.message.formatted }
      : undefined,
    fingerprint: event.fingerprint,
    platform: event.platform,
  };
  return {
    event,
    grouping: computeGrouping(input),
    summary: deriveIssueSummary(input),
    tags: eventTags(event),
    userKey: userKey(event),
  };
}

/**
 * Decides an issue's status when it sees a new event: a resolved issue regresses; an ignored one
 * wakes up once its condition (a time, a count of events or of users since it was ignored) ends.
 */
export function nextStatus(
  state: IssueState,
  now: number,
  newUser: boolean,
): { status: string; substatus: string | null } | null {
  if (state.status === 'resolved') return { status: 'unresolved', substatus: 'regressed' };
  if (state.status !== 'ignored') return null;
  if (state.ignoreUntil !== null && now >= state.ignoreUntil)
    return { status: 'unresolved', substatus: 'ongoing' };
  // "Ignore until it occurs N more times": the N-th event (or user) since the ignore wakes the issue,
  // as Sentry lifts a snooze once `count <= times_seen - state.times_seen`.
  if (state.ignoreCount !== null && state.timesSeen + 1 - (state.ignoreCountBase ?? 0) >= state.ignoreCount) {
    return { status: 'unresolved', substatus: 'escalating' };
  }
  if (
    state.ignoreUserCount !== null &&
    state.userCount + (newUser ? 1 : 0) - (state.ignoreUserBase ?? 0) >= state.ignoreUserCount
  ) {
    return { status: 'unresolved', substatus: 'escalating' };
  }
  return null;
}

/**
 * A new issue for an event no issue has a hash of: created with its hashes, unless another node
 * claimed the primary hash first, whose issue then wins and ours is dropped.
 */
async function createIssue(trx: Db, projectId: number, prepared: PreparedEvent): Promise<number> {
  const { event, summary, grouping } = prepared;
  const created = await insertIssue(trx, {
    projectId,
    type: summary.type,
    title: summary.title,
    culprit: summary.culprit,
    metadata: { ...summary.metadata },
    level: event.level,
    platform: event.platform,
    logger: event.logger ?? null,
    timestamp: event.timestamp,
    release: event.release ?? null,
  });
  await insertGroupHashes(trx, projectId, created, grouping.hashes, grouping.mechanism);
  const owner = await findIssueIdByHashes(trx, projectId, grouping.hashes);
  if (owner !== undefined && owner !== created) {
    await deleteIssue(trx, created);
    return owner;
  }
  return created;
}

/**
 * The user as stored in an event document, in Sentry's field names: `ip_address: "{{auto}}"` (what
 * sentry-cli and browser SDKs send) is the sender's address by then, or gone.
 */
export function userDocument(user: EventUser | undefined): Record<string, unknown> | undefined {
  if (user === undefined) return undefined;
  const { ipAddress, ...rest } = user;
  return { ...rest, ...(ipAddress === undefined ? {} : { ip_address: ipAddress }) };
}

/** The stored event document: the payload as sent, with the normalized fields Errata decided. */
function eventDocument(prepared: PreparedEvent): string {
  const { event, grouping, summary } = prepared;
  return JSON.stringify({
    ...event.data,
    event_id: event.eventId,
    timestamp: event.timestamp / 1000,
    received: event.receivedAt / 1000,
    level: event.level,
    platform: event.platform,
    tags: prepared.tags,
    user: userDocument(event.user),
    ...(event.message
      ? {
          logentry: {
            message: event.message.template,
            formatted: event.message.formatted,
            params: event.message.params,
          },
        }
      : {}),
    metadata: summary.metadata,
    title: summary.title,
    culprit: summary.culprit,
    type: summary.type,
    grouping: { mechanism: grouping.mechanism, variant: grouping.variant, hashes: grouping.hashes },
    ...(event.problems.length > 0 ? { errors: event.problems } : {}),
  });
}

type Db = Kysely<RegionSchema>;

/** An error or message event of a raw envelope, prepared and waiting for its batch's writes. */
export interface PendingEvent {
  readonly projectId: number;
  readonly prepared: PreparedEvent;
}

/**
 * Writes the error and message events of a digest batch inside its transaction, in arrival order:
 * each one's issue (found by any of its hashes, or created), then per issue one update of its
 * counters and status, one upsert of its tag values and its new users, then the events themselves
 * in multi-row inserts. An event id the project has already, or that came earlier in the batch, is
 * stored and counted once.
 */
export async function writeEvents(trx: Db, pending: readonly PendingEvent[]): Promise<void> {
  const byProject = new Map<number, PreparedEvent[]>();
  for (const p of pending) {
    const list = byProject.get(p.projectId);
    if (list) list.push(p.prepared);
    else byProject.set(p.projectId, [p.prepared]);
  }
  for (const [projectId, list] of byProject) await writeProjectEvents(trx, projectId, list);
}

async function writeProjectEvents(trx: Db, projectId: number, list: readonly PreparedEvent[]): Promise<void> {
  const seen = await existingEventIds(trx, projectId, [...new Set(list.map((p) => p.event.eventId))]);
  const fresh: PreparedEvent[] = [];
  for (const p of list) {
    if (seen.has(p.event.eventId)) continue;
    seen.add(p.event.eventId);
    fresh.push(p);
  }
  if (fresh.length === 0) return;

  // Issues: most events bring hashes an issue owns already; a hash nobody owns opens an issue,
  // which later events of the batch with that hash then join.
  const owners = await findHashOwners(trx, projectId, [...new Set(fresh.flatMap((p) => p.grouping.hashes))]);
  const byIssue = new Map<number, PreparedEvent[]>();
  const issueOf = new Map<PreparedEvent, number>();
  for (const p of fresh) {
    const { hashes, mechanism } = p.grouping;
    let issueId = hashes.map((h) => owners.get(h)).find((id) => id !== undefined);
    if (issueId === undefined) {
      issueId = await createIssue(trx, projectId, p);
    } else {
      const missing = hashes.filter((h) => !owners.has(h));
      if (missing.length > 0) await insertGroupHashes(trx, projectId, issueId, missing, mechanism);
    }
    for (const h of hashes) if (!owners.has(h)) owners.set(h, issueId);
    issueOf.set(p, issueId);
    const events = byIssue.get(issueId);
    if (events) events.push(p);
    else byIssue.set(issueId, [p]);
  }

  for (const [issueId, events] of byIssue) await recordIssue(trx, issueId, events);

  await insertEvents(
    trx,
    fresh.map((p) => eventRow(projectId, issueOf.get(p) as number, p)),
  );
  await setProjectFirstEvent(trx, projectId, Math.min(...fresh.map((p) => p.event.timestamp)));
}

/**
 * Counts a batch's events on their issue: users new to it, one update of its counters, and the
 * status change (regression, end of an ignore) that the events decide one after the other, as if
 * each had been written on its own.
 */
async function recordIssue(trx: Db, issueId: number, events: readonly PreparedEvent[]): Promise<void> {
  const newUsers = new Set<string>();
  for (const key of new Set(events.map((p) => p.userKey))) {
    if (key !== null && (await insertIssueUser(trx, issueId, key))) newUsers.add(key);
  }
  let state = await findIssueState(trx, issueId);
  let status: { status: string; substatus: string | null } | null = null;
  const counted = new Set<string>();
  const tags = new Map<string, IssueTagCount>();
  let release: string | null = null;
  for (const p of events) {
    const { event } = p;
    const newUser = p.userKey !== null && newUsers.has(p.userKey) && !counted.has(p.userKey);
    if (newUser) counted.add(p.userKey as string);
    if (state) {
      const change = nextStatus(state, event.receivedAt, newUser);
      if (change) {
        status = change;
        state = {
          ...state,
          ...change,
          ignoreUntil: null,
          ignoreCount: null,
          ignoreCountBase: null,
          ignoreUserCount: null,
          ignoreUserBase: null,
        };
      }
      state = { ...state, timesSeen: state.timesSeen + 1, userCount: state.userCount + (newUser ? 1 : 0) };
    }
    if (event.release) release = event.release;
    for (const [key, value] of p.tags) {
      const id = `${key}\u0000${value}`;
      const known = tags.get(id);
      tags.set(
        id,
        known
          ? {
              key,
              value,
              count: known.count + 1,
              firstSeen: Math.min(known.firstSeen, event.timestamp),
              lastSeen: Math.max(known.lastSeen, event.timestamp),
            }
          : { key, value, count: 1, firstSeen: event.timestamp, lastSeen: event.timestamp },
      );
    }
  }
  const timestamps = events.map((p) => p.event.timestamp);
  await recordIssueEvents(trx, issueId, {
    count: events.length,
    newUsers: counted.size,
    firstSeen: Math.min(...timestamps),
    lastSeen: Math.max(...timestamps),
    level: (events.at(-1) as PreparedEvent).event.level,
    release,
    status,
  });
  await upsertIssueTags(trx, issueId, [...tags.values()]);
}

function eventRow(projectId: number, issueId: number, prepared: PreparedEvent): NewEvent {
  const { event, summary } = prepared;
  return {
    projectId,
    issueId,
    eventId: event.eventId,
    type: summary.type,
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    level: event.level,
    title: summary.title,
    message: event.message?.formatted ?? event.exceptions.at(-1)?.value ?? '',
    culprit: summary.culprit || null,
    release: event.release ?? null,
    environment: event.environment ?? null,
    platform: event.platform,
    transactionName: event.transaction ?? null,
    traceId: typeof event.contexts.trace?.trace_id === 'string' ? event.contexts.trace.trace_id : null,
    userKey: prepared.userKey,
    tags: prepared.tags,
    data: eventDocument(prepared),
  };
}
