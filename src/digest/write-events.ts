import type { Kysely } from 'kysely';
import type { StatusWithReason } from '../protocol/issue-status.js';
import { followsSemver } from '../protocol/release-order.js';
import type { Engine } from '../store/db.js';
import { recordEnvironments } from '../store/region/environments.js';
import { upsertEventUsers } from '../store/region/event-users.js';
import {
  existingEventIds,
  insertEvents,
  type NewEvent,
  setProjectFirstEvent,
} from '../store/region/events.js';
import { insertIssueActivity, type NewActivity } from '../store/region/issue-activity.js';
import { settleNextReleaseResolutions } from '../store/region/issue-updates.js';
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
  laterRelease,
  type ReleaseSeen,
  recordIssuesEvents,
  upsertIssueTags,
} from '../store/region/issues.js';
import {
  type EventRelease,
  listRecentReleaseVersions,
  projectReleaseKey,
  type ReleaseRef,
  recordEventReleases,
} from '../store/region/release-links.js';
import type { RegionSchema } from '../store/schema.js';
import type { GroupedEvent } from './group-event.js';
import { alertOnIssues, type IssueAlerting, type IssueBatch } from './issue-alerts.js';
import { resolutionHolds } from './release-resolution.js';

type Db = Kysely<RegionSchema>;

/** What an issue's next status depends on, besides its state. */
export interface EventFacts {
  /** When the event was received (epoch ms). */
  readonly now: number;
  /** Whether its user is new to the issue. */
  readonly newUser: boolean;
  /** The release it names, if any. */
  readonly release: ReleaseRef | null;
  /** Whether the issue's project follows semver (asked only of issues resolved in a release). */
  readonly followsSemver: boolean;
}

/**
 * Decides an issue's status when it sees a new event: a resolved issue regresses, unless it was
 * resolved in a release the event's release does not come after; an ignored one wakes up once its
 * condition (a time, a count of events or of users since it was ignored) ends.
 */
export function nextStatus(state: IssueState, event: EventFacts): StatusWithReason | null {
  const { now, newUser } = event;
  if (state.status === 'resolved') {
    if (state.resolution && resolutionHolds(state.resolution, event.release, event.followsSemver))
      return null;
    return { status: 'unresolved', substatus: 'regressed' };
  }
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
 * claimed the primary hash first, whose issue then wins and ours is dropped (`created` false).
 */
async function createIssue(
  trx: Db,
  projectId: number,
  event: GroupedEvent,
): Promise<{ id: number; created: boolean }> {
  const { row, summary, hashes, mechanism } = event;
  const created = await insertIssue(trx, {
    projectId,
    type: summary.type,
    title: summary.title,
    culprit: summary.culprit,
    metadata: { ...summary.metadata },
    level: row.level,
    platform: row.platform ?? 'other',
    logger: event.logger,
    timestamp: row.timestamp,
    release: row.release,
  });
  await insertGroupHashes(trx, projectId, created, hashes, mechanism);
  const owner = await findIssueIdByHashes(trx, projectId, hashes);
  if (owner !== undefined && owner !== created) {
    await deleteIssue(trx, created);
    return { id: owner, created: false };
  }
  return { id: created, created: true };
}

/**
 * Writes the error and message events of a digest batch inside its transaction, in arrival order:
 * each one's issue (found by any of its hashes, or created), then per issue one update of its
 * counters and status, one upsert of its tag values and its new users, then the events themselves
 * in multi-row inserts. An event id the project has already, or that came earlier in the batch, is
 * stored and counted once. Last, the issue alert rules of the batch's projects are evaluated
 * against what the batch did to their issues (issue-alerts.ts).
 */
export async function writeEvents(
  trx: Db,
  engine: Engine,
  events: readonly GroupedEvent[],
  alerting: IssueAlerting,
): Promise<void> {
  const byProject = new Map<number, GroupedEvent[]>();
  for (const event of events) {
    const list = byProject.get(event.projectId);
    if (list) list.push(event);
    else byProject.set(event.projectId, [event]);
  }
  const fresh = new Map<number, GroupedEvent[]>();
  for (const [projectId, list] of byProject) {
    const kept = await freshEvents(trx, projectId, list);
    if (kept.length > 0) fresh.set(projectId, kept);
  }
  // The releases the batch names, made on first sight: one read for the whole batch.
  const named: EventRelease[] = [];
  for (const [projectId, list] of fresh) {
    for (const { row } of list) {
      if (row.release) named.push({ projectId, version: row.release, firstSeen: row.timestamp });
    }
  }
  const { releases, linked } = await recordEventReleases(trx, named);
  for (const { releaseId, projectId } of linked) {
    const release = [...releases.values()].find((r) => r.id === releaseId) as ReleaseRef;
    await settleNextReleaseResolutions(trx, release, [projectId]);
  }
  const batches: IssueBatch[] = [];
  for (const [projectId, list] of fresh)
    batches.push(...(await writeProjectEvents(trx, engine, projectId, list, releases)));
  // The environments the batch names, for every project at once.
  await recordEnvironments(
    trx,
    [...fresh].flatMap(([projectId, list]) =>
      list.map(({ row }) => ({
        projectId,
        environment: row.environment,
        release: row.release,
        at: row.timestamp,
      })),
    ),
  );
  await upsertEventUsers(
    trx,
    engine,
    [...fresh].flatMap(([projectId, list]) =>
      list.flatMap(({ row, user }) =>
        row.userKey !== null && user !== null
          ? [{ projectId, userKey: row.userKey, ...user, timestamp: row.timestamp }]
          : [],
      ),
    ),
  );
  await alertOnIssues(trx, batches, alerting);
}

/** The events the project does not have yet, each event id once. */
async function freshEvents(
  trx: Db,
  projectId: number,
  list: readonly GroupedEvent[],
): Promise<GroupedEvent[]> {
  const seen = await existingEventIds(trx, projectId, [...new Set(list.map((r) => r.row.eventId))]);
  const fresh: GroupedEvent[] = [];
  for (const r of list) {
    if (seen.has(r.row.eventId)) continue;
    seen.add(r.row.eventId);
    fresh.push(r);
  }
  return fresh;
}

async function writeProjectEvents(
  trx: Db,
  engine: Engine,
  projectId: number,
  fresh: readonly GroupedEvent[],
  releases: ReadonlyMap<string, ReleaseRef>,
): Promise<IssueBatch[]> {
  // Issues: most events bring hashes an issue owns already; a hash nobody owns opens an issue,
  // which later events of the batch with that hash then join.
  const owners = await findHashOwners(trx, projectId, [...new Set(fresh.flatMap((r) => r.hashes))]);
  const byIssue = new Map<number, GroupedEvent[]>();
  const created = new Set<number>();
  const rows: NewEvent[] = [];
  for (const r of fresh) {
    let issueId = r.hashes.map((h) => owners.get(h)).find((id) => id !== undefined);
    if (issueId === undefined) {
      const issue = await createIssue(trx, projectId, r);
      issueId = issue.id;
      if (issue.created) created.add(issueId);
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

  const batches = await recordIssues(trx, engine, projectId, byIssue, releases, created);
  await insertEvents(trx, engine, rows);
  await setProjectFirstEvent(trx, projectId, Math.min(...fresh.map((r) => r.row.timestamp)));
  return batches;
}

/**
 * Counts a batch's events on their issues: the users new to each (one insert for all), their
 * states (one read), then per issue one update of its counters and of the status its events decide
 * one after the other, as if each had been written on its own; the tag values of all in one upsert,
 * and the regressions' activity in one insert. In issue id order, so that concurrent digest
 * transactions (PostgreSQL) lock shared issues in the same order. Returns what it did to each
 * issue, for alert rules (`created`: the issues the batch created).
 */
async function recordIssues(
  trx: Db,
  engine: Engine,
  projectId: number,
  byIssue: ReadonlyMap<number, readonly GroupedEvent[]>,
  releases: ReadonlyMap<string, ReleaseRef>,
  created: ReadonlySet<number>,
): Promise<IssueBatch[]> {
  const ids = [...byIssue.keys()].sort((a, b) => a - b);
  const pairs: { issueId: number; userKey: string }[] = [];
  for (const issueId of ids) {
    const keys = new Set((byIssue.get(issueId) as GroupedEvent[]).map((r) => r.row.userKey));
    for (const userKey of keys) if (userKey !== null) pairs.push({ issueId, userKey });
  }
  const states = await findIssueStates(trx, engine, ids);
  const newUsers = await insertIssueUsers(trx, engine, pairs);
  // Whether the project follows semver matters only to issues resolved in a release.
  const resolvedInRelease = [...states.values()].some((s) => s.status === 'resolved' && s.resolution);
  const semver =
    resolvedInRelease &&
    followsSemver((await listRecentReleaseVersions(trx, [projectId])).get(projectId) ?? []);
  const context: CountContext = {
    followsSemver: semver,
    releaseOf: (version) => (version ? (releases.get(projectReleaseKey(projectId, version)) ?? null) : null),
    tags: [],
    activity: [],
  };
  const updates = ids.map((issueId) => ({
    issueId,
    update: countEvents(
      issueId,
      byIssue.get(issueId) as GroupedEvent[],
      states.get(issueId),
      newUsers.get(issueId),
      context,
    ),
  }));
  await recordIssuesEvents(trx, engine, updates);
  await upsertIssueTags(trx, engine, context.tags);
  await insertIssueActivity(trx, context.activity);
  return updates.flatMap(({ issueId, update }) => {
    const before = states.get(issueId);
    // No state: the issue is gone (deleted since its hashes were read), with nothing to alert on.
    return before
      ? [
          {
            projectId,
            issueId,
            created: created.has(issueId),
            before,
            update,
            events: byIssue.get(issueId) as GroupedEvent[],
          },
        ]
      : [];
  });
}

/** What counting a batch's events shares across its issues; `tags` and `activity` collect output. */
interface CountContext {
  readonly followsSemver: boolean;
  readonly releaseOf: (version: string | null) => ReleaseRef | null;
  readonly tags: IssueTagCount[];
  readonly activity: NewActivity[];
}

/**
 * One issue's counters and status after its events of the batch; adds their tag counts to the
 * context's `tags` and a regression's activity (naming the regressing event's release) to `activity`.
 */
function countEvents(
  issueId: number,
  events: readonly GroupedEvent[],
  initial: IssueState | undefined,
  newUsers: ReadonlySet<string> | undefined,
  context: CountContext,
): IssueEventsUpdate {
  let state = initial;
  let status: StatusWithReason | null = null;
  const counted = new Set<string>();
  const byTag = new Map<string, IssueTagCount>();
  let release: ReleaseSeen | null = null;
  for (const { row } of events) {
    const newUser = row.userKey !== null && newUsers?.has(row.userKey) === true && !counted.has(row.userKey);
    if (newUser) counted.add(row.userKey as string);
    if (state) {
      const change = nextStatus(state, {
        now: row.receivedAt,
        newUser,
        release: context.releaseOf(row.release),
        followsSemver: context.followsSemver,
      });
      if (change) {
        if (change.substatus === 'regressed') {
          context.activity.push({
            issueId,
            type: 'set_regression',
            data: { event_id: row.eventId, version: row.release ?? '' },
            userId: null,
            dateCreated: row.receivedAt,
          });
        }
        status = change;
        state = {
          ...state,
          ...change,
          ignoreUntil: null,
          ignoreCount: null,
          ignoreCountBase: null,
          ignoreUserCount: null,
          ignoreUserBase: null,
          resolution: null,
        };
      }
      state = { ...state, timesSeen: state.timesSeen + 1, userCount: state.userCount + (newUser ? 1 : 0) };
    }
    if (row.release) release = laterRelease(release, { version: row.release, seen: row.timestamp });
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
  context.tags.push(...byTag.values());
  const timestamps = events.map((r) => r.row.timestamp);
  return {
    count: events.length,
    newUsers: counted.size,
    firstSeen: Math.min(...timestamps),
    lastSeen: Math.max(...timestamps),
    level: (events.at(-1) as GroupedEvent).row.level,
    release,
    status,
  };
}
