import type { Kysely, Selectable } from 'kysely';
import type { Engine } from '../db.js';
import type { EventTable, IssueTable, RegionSchema } from '../schema.js';
import { type EventScope, eventScope } from './event-filter.js';
import { storedDocument } from './events.js';

type Db = Kysely<RegionSchema>;

/** An issue as the API reads it. */
export interface Issue {
  readonly id: number;
  readonly projectId: number;
  readonly shortId: number;
  readonly type: string;
  readonly title: string;
  readonly culprit: string;
  readonly metadata: Record<string, unknown>;
  readonly level: string;
  readonly platform: string;
  readonly logger: string | null;
  readonly status: string;
  readonly substatus: string | null;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly timesSeen: number;
  readonly userCount: number;
  readonly firstRelease: string | null;
  readonly lastRelease: string | null;
  readonly resolvedAt: number | null;
  readonly ignoreUntil: number | null;
  readonly ignoreCount: number | null;
  readonly ignoreUserCount: number | null;
  readonly assigneeUserId: number | null;
  readonly assigneeTeamId: number | null;
  readonly isPublic: boolean;
  /** `low`, `medium` or `high` once someone sets it; null means "derive it from the level". */
  readonly priority: string | null;
  /** `in_release`, `in_next_release` or `in_commit` while resolved so, else null. */
  readonly resolutionType: string | null;
  readonly resolutionReleaseId: number | null;
  readonly resolutionCurrentReleaseId: number | null;
  readonly resolutionCommitId: number | null;
  readonly resolutionActorId: number | null;
}

export function toIssue(row: Selectable<IssueTable>): Issue {
  return {
    id: row.id,
    projectId: row.project_id,
    shortId: row.short_id,
    type: row.type,
    title: row.title,
    culprit: row.culprit,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    level: row.level,
    platform: row.platform,
    logger: row.logger,
    status: row.status,
    substatus: row.substatus,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    timesSeen: row.times_seen,
    userCount: row.user_count,
    firstRelease: row.first_release,
    lastRelease: row.last_release,
    resolvedAt: row.resolved_at,
    ignoreUntil: row.ignore_until,
    ignoreCount: row.ignore_count,
    ignoreUserCount: row.ignore_user_count,
    assigneeUserId: row.assignee_user_id,
    assigneeTeamId: row.assignee_team_id,
    isPublic: row.is_public === 1,
    priority: row.priority,
    resolutionType: row.resolution_type,
    resolutionReleaseId: row.resolution_release_id,
    resolutionCurrentReleaseId: row.resolution_current_release_id,
    resolutionCommitId: row.resolution_commit_id,
    resolutionActorId: row.resolution_actor_id,
  };
}

export async function findIssueById(db: Db, id: number): Promise<Issue | undefined> {
  const row = await db.selectFrom('issues').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toIssue(row);
}

export async function findIssueByShortId(
  db: Db,
  projectId: number,
  shortId: number,
): Promise<Issue | undefined> {
  const row = await db
    .selectFrom('issues')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('short_id', '=', shortId)
    .executeTakeFirst();
  return row && toIssue(row);
}

/** A stored event as the API reads it. */
export interface StoredEvent {
  readonly id: number;
  readonly projectId: number;
  readonly issueId: number | null;
  readonly eventId: string;
  readonly type: string;
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly level: string;
  readonly title: string;
  readonly message: string;
  readonly culprit: string | null;
  readonly release: string | null;
  readonly environment: string | null;
  readonly platform: string | null;
  readonly tags: [string, string][];
  readonly data: Record<string, unknown>;
}

export function toStoredEvent(row: Selectable<EventTable>): StoredEvent {
  return {
    id: row.id,
    projectId: row.project_id,
    issueId: row.issue_id,
    eventId: row.event_id,
    type: row.type,
    timestamp: row.timestamp,
    receivedAt: row.received_at,
    level: row.level,
    title: row.title,
    message: row.message,
    culprit: row.culprit,
    release: row.release,
    environment: row.environment,
    platform: row.platform,
    tags: JSON.parse(row.tags) as [string, string][],
    data: JSON.parse(storedDocument(row)) as Record<string, unknown>,
  };
}

export async function findEventByEventId(
  db: Db,
  projectId: number,
  eventId: string,
): Promise<StoredEvent | undefined> {
  const row = await db
    .selectFrom('events')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row && toStoredEvent(row);
}

/** Events of an issue or of a project, newest first (by time, then id). */
async function listEventsWhere(
  db: Db,
  column: 'issue_id' | 'project_id',
  id: number,
  page: { limit: number; offset: number },
): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where(column, '=', id)
    .orderBy('timestamp', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toStoredEvent);
}

/**
 * Events of an issue, newest first; with a scope, only those in its window and environments that
 * match its terms.
 */
export async function listIssueEvents(
  db: Db,
  issueId: number,
  page: { limit: number; offset: number },
  filter?: { engine: Engine; scope: EventScope },
): Promise<StoredEvent[]> {
  if (!filter) return listEventsWhere(db, 'issue_id', issueId, page);
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('issue_id', '=', issueId)
    .where((eb) => eventScope(eb, filter.engine, filter.scope))
    .orderBy('timestamp', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toStoredEvent);
}

/** How many of the issue's events a filter keeps (all of them without one). */
export async function countIssueEvents(
  db: Db,
  issueId: number,
  filter: { engine: Engine; scope: EventScope },
): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('issue_id', '=', issueId)
    .where((eb) => eventScope(eb, filter.engine, filter.scope))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The issue's newest or oldest event. */
export async function findIssueEdgeEvent(
  db: Db,
  issueId: number,
  edge: 'latest' | 'oldest',
): Promise<StoredEvent | undefined> {
  const direction = edge === 'latest' ? 'desc' : 'asc';
  const row = await db
    .selectFrom('events')
    .selectAll()
    .where('issue_id', '=', issueId)
    .orderBy('timestamp', direction)
    .orderBy('id', direction)
    .limit(1)
    .executeTakeFirst();
  return row && toStoredEvent(row);
}

/** The events just before and after one event of its issue, for older/newer navigation. */
export async function findNeighbourEventIds(
  db: Db,
  event: StoredEvent,
): Promise<{ previous: string | null; next: string | null }> {
  if (event.issueId === null) return { previous: null, next: null };
  const older = await db
    .selectFrom('events')
    .select('event_id')
    .where('issue_id', '=', event.issueId)
    .where((eb) =>
      eb.or([
        eb('timestamp', '<', event.timestamp),
        eb.and([eb('timestamp', '=', event.timestamp), eb('id', '<', event.id)]),
      ]),
    )
    .orderBy('timestamp', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const newer = await db
    .selectFrom('events')
    .select('event_id')
    .where('issue_id', '=', event.issueId)
    .where((eb) =>
      eb.or([
        eb('timestamp', '>', event.timestamp),
        eb.and([eb('timestamp', '=', event.timestamp), eb('id', '>', event.id)]),
      ]),
    )
    .orderBy('timestamp', 'asc')
    .orderBy('id', 'asc')
    .limit(1)
    .executeTakeFirst();
  return { previous: older?.event_id ?? null, next: newer?.event_id ?? null };
}

/** Events of a project (errors, messages and transactions), newest first. */
export function listProjectEvents(
  db: Db,
  projectId: number,
  page: { limit: number; offset: number },
): Promise<StoredEvent[]> {
  return listEventsWhere(db, 'project_id', projectId, page);
}

export async function listIssueHashes(
  db: Db,
  issueId: number,
): Promise<{ hash: string; mechanism: string }[]> {
  return db
    .selectFrom('group_hashes')
    .select(['hash', 'mechanism'])
    .where('issue_id', '=', issueId)
    .orderBy('hash')
    .execute();
}
