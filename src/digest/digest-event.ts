import { computeGrouping, deriveIssueSummary, type GroupingResult } from '../grouping/index.js';
import type { EventUser, NormalizedEvent } from '../protocol/normalized-event.js';
import { eventExists, insertEvent, setProjectFirstEvent } from '../store/region/events.js';
import {
  deleteIssue,
  findHashOwners,
  findIssueIdByHashes,
  findIssueState,
  type IssueState,
  insertGroupHashes,
  insertIssue,
  insertIssueUser,
  recordIssueEvent,
  upsertIssueTags,
} from '../store/region/issues.js';
import { eventTags, userKey } from './event-tags.js';
import type { ItemContext } from './item-digester.js';

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

/** The issue the event belongs to: found by any of its hashes, or created (one per hash, whichever node wins). */
async function issueFor(ctx: ItemContext, prepared: PreparedEvent): Promise<number> {
  const projectId = ctx.raw.projectId;
  const { hashes, mechanism } = prepared.grouping;
  const owners = await findHashOwners(ctx.trx, projectId, hashes);
  const found = hashes.map((h) => owners.get(h)).find((id) => id !== undefined);
  if (found !== undefined) {
    // Most events of an issue bring hashes it owns already: write only the ones it does not.
    const missing = hashes.filter((h) => !owners.has(h));
    if (missing.length > 0) await insertGroupHashes(ctx.trx, projectId, found, missing, mechanism);
    return found;
  }
  const { event, summary } = prepared;
  const created = await insertIssue(ctx.trx, {
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
  await insertGroupHashes(ctx.trx, projectId, created, hashes, mechanism);
  // If another node claimed the primary hash first, its issue wins and ours is dropped.
  const owner = await findIssueIdByHashes(ctx.trx, projectId, hashes);
  if (owner !== undefined && owner !== created) {
    await deleteIssue(ctx.trx, created);
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

/**
 * Writes one error or message event inside the digest transaction: the issue (found or created),
 * its counters, users and tag values, status changes, then the event itself. A repeated event id
 * in the project is stored once and counted once.
 */
export async function writeEvent(ctx: ItemContext, prepared: PreparedEvent): Promise<void> {
  const { event } = prepared;
  const projectId = ctx.raw.projectId;
  if (await eventExists(ctx.trx, projectId, event.eventId)) return;
  const issueId = await issueFor(ctx, prepared);
  const newUser = prepared.userKey !== null && (await insertIssueUser(ctx.trx, issueId, prepared.userKey));
  const state = await findIssueState(ctx.trx, issueId);
  await recordIssueEvent(ctx.trx, issueId, {
    timestamp: event.timestamp,
    newUser,
    level: event.level,
    release: event.release ?? null,
    status: state ? nextStatus(state, event.receivedAt, newUser) : null,
  });
  await upsertIssueTags(ctx.trx, issueId, prepared.tags, event.timestamp);
  await insertEvent(ctx.trx, {
    projectId,
    issueId,
    eventId: event.eventId,
    type: prepared.summary.type,
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    level: event.level,
    title: prepared.summary.title,
    message: event.message?.formatted ?? event.exceptions.at(-1)?.value ?? '',
    culprit: prepared.summary.culprit || null,
    release: event.release ?? null,
    environment: event.environment ?? null,
    platform: event.platform,
    transactionName: event.transaction ?? null,
    traceId: typeof event.contexts.trace?.trace_id === 'string' ? event.contexts.trace.trace_id : null,
    userKey: prepared.userKey,
    tags: prepared.tags,
    data: eventDocument(prepared),
  });
  await setProjectFirstEvent(ctx.trx, projectId, event.timestamp);
}
