import { type Kysely, sql } from 'kysely';
import type { IssueStatus, IssueSubstatus, StatusWithReason } from '../../protocol/issue-status.js';
import { type BulkInsert, bulkInsert } from '../bulk-insert.js';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';
import { findReleaseRefs, type ReleaseRef } from './release-links.js';

type Db = Kysely<RegionSchema>;

/** Which issue owns each of the hashes that have an owner. */
export async function findHashOwners(
  db: Db,
  projectId: number,
  hashes: readonly string[],
): Promise<Map<string, number>> {
  if (hashes.length === 0) return new Map();
  const rows = await db
    .selectFrom('group_hashes')
    .select(['hash', 'issue_id'])
    .where('project_id', '=', projectId)
    .where('hash', 'in', [...hashes])
    .execute();
  return new Map(rows.map((r) => [r.hash, r.issue_id]));
}

/** The first issue that owns any of the hashes, in the order given (the primary hash first). */
export async function findIssueIdByHashes(
  db: Db,
  projectId: number,
  hashes: readonly string[],
): Promise<number | undefined> {
  const owners = await findHashOwners(db, projectId, hashes);
  for (const hash of hashes) {
    const owner = owners.get(hash);
    if (owner !== undefined) return owner;
  }
  return undefined;
}

/** Allocates the project's next short id (WEB-1, WEB-2, …) with one upsert, safe across nodes. */
export async function nextShortId(db: Db, projectId: number): Promise<number> {
  const row = await db
    .insertInto('project_counters')
    .values({ project_id: projectId, next_short_id: 1 })
    .onConflict((oc) =>
      oc
        .column('project_id')
        .doUpdateSet((eb) => ({ next_short_id: eb('project_counters.next_short_id', '+', 1) })),
    )
    .returning('next_short_id')
    .executeTakeFirstOrThrow();
  return row.next_short_id;
}

export interface NewIssue {
  readonly projectId: number;
  readonly type: string;
  readonly title: string;
  readonly culprit: string;
  readonly metadata: Record<string, unknown>;
  readonly level: string;
  readonly platform: string;
  readonly logger: string | null;
  readonly timestamp: number;
  readonly release: string | null;
}

/** Creates an unresolved, new issue with no events counted yet (the caller records the first one). */
export async function insertIssue(db: Db, issue: NewIssue): Promise<number> {
  const shortId = await nextShortId(db, issue.projectId);
  const row = await db
    .insertInto('issues')
    .values({
      project_id: issue.projectId,
      short_id: shortId,
      type: issue.type,
      title: issue.title,
      culprit: issue.culprit,
      metadata: JSON.stringify(issue.metadata),
      level: issue.level,
      platform: issue.platform,
      logger: issue.logger,
      status: 'unresolved',
      substatus: 'new',
      first_seen: issue.timestamp,
      last_seen: issue.timestamp,
      times_seen: 0,
      user_count: 0,
      first_release: issue.release,
      last_release: issue.release,
      last_release_seen: issue.release === null ? null : issue.timestamp,
      resolved_at: null,
      ignore_until: null,
      ignore_count: null,
      ignore_count_base: null,
      ignore_user_count: null,
      ignore_user_base: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteIssue(db: Db, id: number): Promise<void> {
  await db.deleteFrom('issues').where('id', '=', id).execute();
}

/**
 * Points hashes at an issue unless another issue owns them already (the unique key decides, so two
 * nodes digesting the same new error concurrently agree on one issue).
 */
export async function insertGroupHashes(
  db: Db,
  projectId: number,
  issueId: number,
  hashes: readonly string[],
  mechanism: string,
): Promise<void> {
  if (hashes.length === 0) return;
  await db
    .insertInto('group_hashes')
    .values(hashes.map((hash) => ({ project_id: projectId, hash, mechanism, issue_id: issueId })))
    .onConflict((oc) => oc.columns(['project_id', 'hash']).doNothing())
    .execute();
}

/** How a resolved issue was resolved in a release (Sentry's group resolution). */
export interface ReleaseResolution {
  /** `in_release`: fixed in `release`; `in_next_release`: fixed in the one after `release`. */
  readonly type: 'in_release' | 'in_next_release';
  readonly release: ReleaseRef;
  /** For `in_next_release`, the release the issue was current in when resolved, if known. */
  readonly current: ReleaseRef | null;
}

/** A resolution in a commit, pending until a release holds the commit (Sentry's group link). */
export interface CommitResolution {
  readonly type: 'in_commit';
  readonly commitReleased: boolean;
}

export type Resolution = ReleaseResolution | CommitResolution;

/** The state digest needs to decide regressions and the end of an ignore. */
export interface IssueState {
  readonly status: IssueStatus;
  readonly substatus: IssueSubstatus | null;
  readonly firstSeen: number;
  readonly timesSeen: number;
  readonly userCount: number;
  readonly ignoreUntil: number | null;
  readonly ignoreCount: number | null;
  readonly ignoreCountBase: number | null;
  readonly ignoreUserCount: number | null;
  readonly ignoreUserBase: number | null;
  /** Set while the issue is resolved in a release (or commit) whose row still exists. */
  readonly resolution: Resolution | null;
}

/**
 * The digest state of each of the issues that exists. On PostgreSQL the rows are locked, in id
 * order, until the transaction ends: a concurrent digest transaction waits for this one's counts
 * before it decides a status change, and two of them never lock shared issues in opposite orders.
 */
export async function findIssueStates(
  db: Db,
  engine: Engine,
  ids: readonly number[],
): Promise<Map<number, IssueState>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('issues')
    .select([
      'id',
      'status',
      'substatus',
      'first_seen',
      'times_seen',
      'user_count',
      'ignore_until',
      'ignore_count',
      'ignore_count_base',
      'ignore_user_count',
      'ignore_user_base',
      'resolution_type',
      'resolution_release_id',
      'resolution_current_release_id',
      'resolution_commit_id',
    ])
    .where('id', 'in', [...ids])
    .orderBy('id')
    .$if(engine === 'postgres', (q) => q.forUpdate())
    .execute();
  // Resolutions in a release are rare: their releases cost a read only when a batch meets one.
  const releases = await findReleaseRefs(
    db,
    rows.flatMap((r) =>
      r.resolution_type === null || r.resolution_type === 'in_commit'
        ? []
        : [r.resolution_release_id, r.resolution_current_release_id].filter((id) => id !== null),
    ),
  );
  const commitIds = rows.flatMap((r) =>
    r.resolution_type === 'in_commit' && r.resolution_commit_id !== null ? [r.resolution_commit_id] : [],
  );
  const released =
    commitIds.length === 0
      ? new Set<number>()
      : new Set(
          (
            await db
              .selectFrom('release_commits')
              .select('commit_id')
              .distinct()
              .where('commit_id', 'in', commitIds)
              .execute()
          ).map((r) => r.commit_id),
        );
  const resolutionOf = (row: (typeof rows)[number]): Resolution | null => {
    if (row.resolution_type === 'in_commit') {
      return row.resolution_commit_id === null
        ? null
        : { type: 'in_commit', commitReleased: released.has(row.resolution_commit_id) };
    }
    const release = row.resolution_release_id === null ? undefined : releases.get(row.resolution_release_id);
    if (row.resolution_type === null || !release) return null;
    const current =
      row.resolution_current_release_id === null
        ? undefined
        : releases.get(row.resolution_current_release_id);
    return {
      // Written only from the closed type (the API's status changes).
      type: row.resolution_type as ReleaseResolution['type'],
      release,
      current: current ?? null,
    };
  };
  return new Map(
    rows.map((row) => [
      row.id,
      {
        // Written only from the closed types (digest, the API's status changes).
        status: row.status as IssueStatus,
        substatus: row.substatus as IssueSubstatus | null,
        firstSeen: row.first_seen,
        timesSeen: row.times_seen,
        userCount: row.user_count,
        ignoreUntil: row.ignore_until,
        ignoreCount: row.ignore_count,
        ignoreCountBase: row.ignore_count_base,
        ignoreUserCount: row.ignore_user_count,
        ignoreUserBase: row.ignore_user_base,
        resolution: resolutionOf(row),
      },
    ]),
  );
}

/** Rows per multi-row statement: far below either engine's parameter limit. */
const CHUNK = 500;

const INSERT_ISSUE_USERS: BulkInsert = {
  table: 'issue_users',
  columns: ['issue_id', 'user_key'],
  tail: 'on conflict (issue_id, user_key) do nothing returning issue_id, user_key',
  maxRows: CHUNK,
};

/**
 * Counts users for issues, in one statement for all (a few on SQLite): the pairs that are new
 * (the rest were counted before), as `issueId` → user keys.
 */
export async function insertIssueUsers(
  db: Db,
  engine: Engine,
  pairs: readonly { readonly issueId: number; readonly userKey: string }[],
): Promise<Map<number, Set<string>>> {
  const inserted = new Map<number, Set<string>>();
  const rows = await bulkInsert<{ issue_id: number; user_key: string }>(
    db,
    engine,
    INSERT_ISSUE_USERS,
    pairs.map((p) => [p.issueId, p.userKey]),
  );
  for (const row of rows) {
    const keys = inserted.get(row.issue_id);
    if (keys) keys.add(row.user_key);
    else inserted.set(row.issue_id, new Set([row.user_key]));
  }
  return inserted;
}

/** A release named by an event, with the event's timestamp. */
export interface ReleaseSeen {
  readonly version: string;
  readonly seen: number;
}

/**
 * Which of two named releases is an issue's last: the one of the later event, whatever order
 * events arrive in; on equal timestamps the greater version in byte order, so that every order of
 * digest (and both engines) agree. `recordIssuesEvents` applies the same rule in SQL.
 */
export function laterRelease(a: ReleaseSeen | null, b: ReleaseSeen | null): ReleaseSeen | null {
  if (a === null || b === null) return a ?? b;
  if (a.seen !== b.seen) return a.seen > b.seen ? a : b;
  return Buffer.compare(Buffer.from(a.version), Buffer.from(b.version)) >= 0 ? a : b;
}

export interface IssueEventsUpdate {
  /** Events counted. */
  readonly count: number;
  /** Users new to the issue among them. */
  readonly newUsers: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** The level of the last of them. */
  readonly level: string;
  /** The latest release named among them (see `laterRelease`), or null when none names one. */
  readonly release: ReleaseSeen | null;
  /** A status change decided by digest (regression, end of an ignore), or null to keep it. */
  readonly status: StatusWithReason | null;
}

/**
 * Counts events on issues in one statement: times seen, users, first/last seen, level, last
 * release, and status (a change resets the resolution, in a release too, and the ignore conditions). `UPDATE … FROM
 * (VALUES …)` reads the same on both engines (SQLite ≥ 3.33); the casts type PostgreSQL's
 * parameters, and the columns of a VALUES list are column1, column2, … on both.
 */
export async function recordIssuesEvents(
  db: Db,
  engine: Engine,
  updates: readonly { readonly issueId: number; readonly update: IssueEventsUpdate }[],
): Promise<void> {
  for (let at = 0; at < updates.length; at += CHUNK) {
    const rows = updates
      .slice(at, at + CHUNK)
      .map(
        ({ issueId, update: u }) =>
          sql`(cast(${issueId} as bigint), cast(${u.count} as bigint), cast(${u.newUsers} as bigint), cast(${u.firstSeen} as bigint), cast(${u.lastSeen} as bigint), cast(${u.level} as text), cast(${u.release?.version ?? null} as text), cast(${u.status?.status ?? null} as text), cast(${u.status?.substatus ?? null} as text), cast(${u.release?.seen ?? null} as bigint))`,
      );
    // laterRelease's rule: byte order is PostgreSQL's "C" collation and SQLite's default.
    const greater =
      engine === 'postgres'
        ? sql`v.column7 collate "C" > issues.last_release collate "C"`
        : sql`v.column7 > issues.last_release`;
    const later = sql`(v.column7 is not null and (issues.last_release_seen is null
        or v.column10 > issues.last_release_seen
        or (v.column10 = issues.last_release_seen and ${greater})))`;
    const reset = (column: string) =>
      sql`${sql.ref(column)} = case when v.column8 is null then issues.${sql.ref(column)} else null end`;
    await sql`update issues set
        times_seen = issues.times_seen + v.column2,
        user_count = issues.user_count + v.column3,
        first_seen = case when issues.first_seen > v.column4 then v.column4 else issues.first_seen end,
        last_seen = case when issues.last_seen < v.column5 then v.column5 else issues.last_seen end,
        level = v.column6,
        last_release = case when ${later} then v.column7 else issues.last_release end,
        last_release_seen = case when ${later} then v.column10 else issues.last_release_seen end,
        status = coalesce(v.column8, issues.status),
        substatus = case when v.column8 is null then issues.substatus else v.column9 end,
        ${sql.join(
          [
            'resolved_at',
            'ignore_until',
            'ignore_count',
            'ignore_count_base',
            'ignore_user_count',
            'ignore_user_base',
            'resolution_type',
            'resolution_release_id',
            'resolution_current_release_id',
            'resolution_commit_id',
            'resolution_actor_id',
          ].map(reset),
        )}
      from (values ${sql.join(rows)}) as v
      where issues.id = v.column1`.execute(db);
  }
}

/** One tag value of an issue, seen `count` times between `firstSeen` and `lastSeen`. */
export interface IssueTagCount {
  readonly issueId: number;
  readonly key: string;
  readonly value: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

const UPSERT_ISSUE_TAGS: BulkInsert = {
  table: 'issue_tags',
  columns: ['issue_id', 'key', 'value', 'times_seen', 'first_seen', 'last_seen'],
  tail: `on conflict (issue_id, key, value) do update set
    times_seen = issue_tags.times_seen + excluded.times_seen,
    last_seen = case when issue_tags.last_seen < excluded.last_seen then excluded.last_seen else issue_tags.last_seen end,
    first_seen = case when issue_tags.first_seen > excluded.first_seen then excluded.first_seen else issue_tags.first_seen end`,
  maxRows: CHUNK,
};

/** Adds tag values to issues' tag tables (count, first and last seen), one statement per 500 (a few on SQLite). */
export async function upsertIssueTags(db: Db, engine: Engine, tags: readonly IssueTagCount[]): Promise<void> {
  const rows = tags.map((t) => [t.issueId, t.key, t.value, t.count, t.firstSeen, t.lastSeen]);
  await bulkInsert(db, engine, UPSERT_ISSUE_TAGS, rows);
}
