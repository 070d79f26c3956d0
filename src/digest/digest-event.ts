import type { Kysely } from 'kysely';
import {
  computeGrouping,
  deriveIssueSummary,
  type GroupingInput,
  type GroupingResult,
} from '../grouping/index.js';
import { packDocument } from '../lib/compression.js';
import { shiftBreadcrumbs } from '../protocol/event-normalize.js';
import type { EventUser, NormalizedEvent } from '../protocol/normalized-event.js';
import type { Engine } from '../store/db.js';
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
  findIssueStates,
  type IssueEventsUpdate,
  type IssueState,
  type IssueTagCount,
  insertGroupHashes,
  insertIssue,
  insertIssueUsers,
  recordIssuesEvents,
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
  // a template and params) and fingerprint. Only the fields it reads (GroupingInput): copying the
  // whole payload object for it was a measurable share of ingest's CPU. Every field
  // is named, so a field added to GroupingInput fails to compile here until it is passed on.
  const { data } = event;
  const input: Record<keyof GroupingInput, unknown> = {
    exception: data.exception,
    stacktrace: data.stacktrace,
    threads: data.threads,
    culprit: data.culprit,
    level: data.level,
    logger: data.logger,
    tags: data.tags,
    request: data.request,
    transaction: data.transaction,
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
 * What digest writes of one error or message event: the events row, the stored document, and what
 * finds or creates its issue. Plain data, so that ingest can compute it where it parses the event
 * anyway and hand it to the SQLite writer thread with the raw envelope (digest then skips parsing
 * it again); digest computes the same from the raw envelope when it was not handed one.
 */
export interface EventRecord {
  readonly row: Omit<NewEvent, 'projectId' | 'issueId'>;
  readonly hashes: readonly string[];
  readonly mechanism: string;
  readonly summary: {
    readonly type: string;
    readonly title: string;
    readonly culprit: string;
    readonly metadata: Record<string, unknown>;
  };
  readonly logger: string | null;
  /**
   * Set when the document is left to complete where the payload is at hand: then `row.data` is
   * empty, and the document is the event item's payload text with these decided fields appended
   * (`completeRecord`). Ingest hands records over so, to copy ~1 KB to the writer thread instead
   * of a second copy of the payload.
   */
  readonly appendToPayload?: string;
}

/** The record of a prepared event: its row, with the stored document serialized (packed when stored). */
export function recordOf(prepared: PreparedEvent, payloadText?: string, deferDocument = false): EventRecord {
  const { event, summary, grouping } = prepared;
  const appendToPayload =
    deferDocument && payloadText !== undefined ? decidedToAppend(prepared, payloadText) : null;
  return {
    ...(appendToPayload === null ? {} : { appendToPayload }),
    row: {
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
      data: appendToPayload === null ? eventDocument(prepared, payloadText) : '',
    },
    hashes: grouping.hashes,
    mechanism: grouping.mechanism,
    summary: {
      type: summary.type,
      title: summary.title,
      culprit: summary.culprit,
      metadata: { ...summary.metadata },
    },
    logger: event.logger ?? null,
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
async function createIssue(trx: Db, projectId: number, record: EventRecord): Promise<number> {
  const { row, summary, hashes, mechanism } = record;
  const created = await insertIssue(trx, {
    projectId,
    type: summary.type,
    title: summary.title,
    culprit: summary.culprit,
    metadata: { ...summary.metadata },
    level: row.level,
    platform: row.platform ?? 'other',
    logger: record.logger,
    timestamp: row.timestamp,
    release: row.release,
  });
  await insertGroupHashes(trx, projectId, created, hashes, mechanism);
  const owner = await findIssueIdByHashes(trx, projectId, hashes);
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

/** The fields of the stored document that Errata decides, over the payload's own. */
function decidedFields(prepared: PreparedEvent): Record<string, unknown> {
  const { event, grouping, summary } = prepared;
  return {
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
    // The client's clock was off: its breadcrumbs' times are corrected as the event's own was.
    ...(event.clockDriftMs !== undefined && event.data.breadcrumbs !== undefined
      ? { breadcrumbs: shiftBreadcrumbs(event.data.breadcrumbs, event.clockDriftMs) }
      : {}),
  };
}

/**
 * The stored event document: the payload as sent, with the fields Errata decided. Given the
 * payload's own JSON text, the decided fields are appended to it rather than the whole event
 * serialized again (a fifth of ingest's CPU on a 27 KB event): a JSON object whose key repeats
 * reads as its last value, so the document reads the same. A decided field with no value (a user
 * that was not a valid one) becomes null there, so that the payload's own value does not show.
 */
export function eventDocument(prepared: PreparedEvent, payloadText?: string): string {
  const appended = payloadText === undefined ? null : decidedToAppend(prepared, payloadText);
  if (payloadText === undefined || appended === null)
    return JSON.stringify({ ...prepared.event.data, ...decidedFields(prepared) });
  return appendDecided(payloadText, appended);
}

/**
 * The decided fields as the JSON object text `appendDecided` appends to the payload's own text, or
 * null when that text cannot take them (a payload with no field of its own) or no longer stands for
 * the event (its data was trimmed).
 */
function decidedToAppend(prepared: PreparedEvent, payloadText: string): string | null {
  const data = prepared.event.data;
  if (prepared.event.dataTrimmed || Object.keys(data).length === 0 || payloadText.lastIndexOf('}') < 0)
    return null;
  const decided = decidedFields(prepared);
  for (const [key, value] of Object.entries(decided))
    if (value === undefined && key in data) decided[key] = null;
  return JSON.stringify(decided);
}

/** The payload's JSON object text with the decided fields' object text appended into it. */
function appendDecided(payloadText: string, decided: string): string {
  return `${payloadText.slice(0, payloadText.lastIndexOf('}'))},${decided.slice(1)}`;
}

/**
 * A record whose document was left to complete (`appendToPayload`), completed with its event item's
 * payload and packed for storage; any other record as it is. The decided fields are appended to
 * the payload's bytes as `appendDecided` appends them to its text ('}' is one byte in UTF-8 and never
 * part of another character), so that the payload is neither decoded to a string nor encoded again.
 */
export function completeRecord(record: EventRecord, payload: Buffer): EventRecord {
  if (record.appendToPayload === undefined) return record;
  const { appendToPayload, ...rest } = record;
  const end = payload.lastIndexOf(0x7d);
  const document = Buffer.concat([payload.subarray(0, end), Buffer.from(`,${appendToPayload.slice(1)}`)]);
  return { ...rest, row: { ...record.row, data: packDocument(document) } };
}

type Db = Kysely<RegionSchema>;

/** An error or message event of a raw envelope, waiting for its batch's writes. */
export interface PendingEvent {
  readonly projectId: number;
  readonly record: EventRecord;
}

/**
 * Writes the error and message events of a digest batch inside its transaction, in arrival order:
 * each one's issue (found by any of its hashes, or created), then per issue one update of its
 * counters and status, one upsert of its tag values and its new users, then the events themselves
 * in multi-row inserts. An event id the project has already, or that came earlier in the batch, is
 * stored and counted once.
 */
export async function writeEvents(trx: Db, engine: Engine, pending: readonly PendingEvent[]): Promise<void> {
  const byProject = new Map<number, EventRecord[]>();
  for (const p of pending) {
    const list = byProject.get(p.projectId);
    if (list) list.push(p.record);
    else byProject.set(p.projectId, [p.record]);
  }
  for (const [projectId, list] of byProject) await writeProjectEvents(trx, engine, projectId, list);
}

async function writeProjectEvents(
  trx: Db,
  engine: Engine,
  projectId: number,
  list: readonly EventRecord[],
): Promise<void> {
  const seen = await existingEventIds(trx, projectId, [...new Set(list.map((r) => r.row.eventId))]);
  const fresh: EventRecord[] = [];
  for (const r of list) {
    if (seen.has(r.row.eventId)) continue;
    seen.add(r.row.eventId);
    fresh.push(r);
  }
  if (fresh.length === 0) return;

  // Issues: most events bring hashes an issue owns already; a hash nobody owns opens an issue,
  // which later events of the batch with that hash then join.
  const owners = await findHashOwners(trx, projectId, [...new Set(fresh.flatMap((r) => r.hashes))]);
  const byIssue = new Map<number, EventRecord[]>();
  const rows: NewEvent[] = [];
  for (const r of fresh) {
    let issueId = r.hashes.map((h) => owners.get(h)).find((id) => id !== undefined);
    if (issueId === undefined) {
      issueId = await createIssue(trx, projectId, r);
    } else {
      const missing = r.hashes.filter((h) => !owners.has(h));
      if (missing.length > 0) await insertGroupHashes(trx, projectId, issueId, missing, r.mechanism);
    }
    for (const h of r.hashes) if (!owners.has(h)) owners.set(h, issueId);
    rows.push({ ...r.row, projectId, issueId });
    const events = byIssue.get(issueId);
    if (events) events.push(r);
    else byIssue.set(issueId, [r]);
  }

  await recordIssues(trx, engine, byIssue);
  await insertEvents(trx, engine, rows);
  await setProjectFirstEvent(trx, projectId, Math.min(...fresh.map((r) => r.row.timestamp)));
}

/**
 * Counts a batch's events on their issues: the users new to each (one insert for all), their
 * states (one read), then per issue one update of its counters and of the status its events decide
 * one after the other, as if each had been written on its own; the tag values of all in one upsert.
 * In issue id order, so that concurrent digest transactions (PostgreSQL) lock shared issues in the
 * same order.
 */
async function recordIssues(
  trx: Db,
  engine: Engine,
  byIssue: ReadonlyMap<number, readonly EventRecord[]>,
): Promise<void> {
  const ids = [...byIssue.keys()].sort((a, b) => a - b);
  const pairs: { issueId: number; userKey: string }[] = [];
  for (const issueId of ids) {
    const keys = new Set((byIssue.get(issueId) as EventRecord[]).map((r) => r.row.userKey));
    for (const userKey of keys) if (userKey !== null) pairs.push({ issueId, userKey });
  }
  const states = await findIssueStates(trx, engine, ids);
  const newUsers = await insertIssueUsers(trx, engine, pairs);
  const tags: IssueTagCount[] = [];
  const updates = ids.map((issueId) => ({
    issueId,
    update: countEvents(
      issueId,
      byIssue.get(issueId) as EventRecord[],
      states.get(issueId),
      newUsers.get(issueId),
      tags,
    ),
  }));
  await recordIssuesEvents(trx, updates);
  await upsertIssueTags(trx, engine, tags);
}

/** One issue's counters and status after its events of the batch; adds their tag counts to `tags`. */
function countEvents(
  issueId: number,
  events: readonly EventRecord[],
  initial: IssueState | undefined,
  newUsers: ReadonlySet<string> | undefined,
  tags: IssueTagCount[],
): IssueEventsUpdate {
  let state = initial;
  let status: { status: string; substatus: string | null } | null = null;
  const counted = new Set<string>();
  const byTag = new Map<string, IssueTagCount>();
  let release: string | null = null;
  for (const { row } of events) {
    const newUser = row.userKey !== null && newUsers?.has(row.userKey) === true && !counted.has(row.userKey);
    if (newUser) counted.add(row.userKey as string);
    if (state) {
      const change = nextStatus(state, row.receivedAt, newUser);
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
    if (row.release) release = row.release;
    for (const [key, value] of row.tags) {
      const id = `${key}\u0000${value}`;
      const known = byTag.get(id);
      byTag.set(
        id,
        known
          ? {
              ...known,
              count: known.count + 1,
              firstSeen: Math.min(known.firstSeen, row.timestamp),
              lastSeen: Math.max(known.lastSeen, row.timestamp),
            }
          : { issueId, key, value, count: 1, firstSeen: row.timestamp, lastSeen: row.timestamp },
      );
    }
  }
  tags.push(...byTag.values());
  const timestamps = events.map((r) => r.row.timestamp);
  return {
    count: events.length,
    newUsers: counted.size,
    firstSeen: Math.min(...timestamps),
    lastSeen: Math.max(...timestamps),
    level: (events.at(-1) as EventRecord).row.level,
    release,
    status,
  };
}
