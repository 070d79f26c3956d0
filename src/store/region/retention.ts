import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** Values per IN list or VALUES list: far below either engine's parameter limit. */
const CHUNK = 200;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < list.length; at += size) out.push(list.slice(at, at + size));
  return out;
}

export async function listProjectIdsForRetention(db: Db): Promise<number[]> {
  return (await db.selectFrom('projects').select('id').orderBy('id').execute()).map((r) => r.id);
}

/** A project's events whose timestamp is before `before`, oldest first, at most `limit`. */
export async function findEventIdsBefore(
  db: Db,
  projectId: number,
  before: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('events')
    .select('id')
    .where('project_id', '=', projectId)
    .where('timestamp', '<', before)
    .orderBy('timestamp')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * The time from which a project's newest `max` events start: its events before it are the ones
 * over the cap (events of the same millisecond as the first one over it go too, so the project
 * never keeps more than `max`). Null when the project has no more than `max`.
 */
export async function findCapCutoff(db: Db, projectId: number, max: number): Promise<number | null> {
  const row = await db
    .selectFrom('events')
    .select('timestamp')
    .where('project_id', '=', projectId)
    .orderBy('timestamp', 'desc')
    .limit(1)
    .offset(max)
    .executeTakeFirst();
  return row ? row.timestamp + 1 : null;
}

/** What deleting a batch of events did. */
export interface DeletedEvents {
  readonly events: number;
  /** Issues that lost events and still have some, with the user keys of the events they lost. */
  readonly usersOfIssues: ReadonlyMap<number, ReadonlySet<string>>;
  /** Issues deleted because their last event went. */
  readonly issuesDeleted: number;
}

interface DeletedRow {
  project_id: number;
  event_id: string;
  issue_id: number | null;
  user_key: string | null;
  tags: string;
}

/**
 * Deletes events by id, with their attachments, and takes them off their issues: the events
 * count (and an "ignore until N more" base with it), the tag values' counts (a value no event
 * has any more goes), and the issue itself when its last event went. Users are left for
 * `removeIssueUsers`: whether a user has another event in the issue is a read of the issue's events.
 */
export async function deleteEventsById(trx: Db, ids: readonly number[]): Promise<DeletedEvents> {
  const rows: DeletedRow[] = [];
  for (const part of chunks(ids)) {
    rows.push(
      ...(await trx
        .deleteFrom('events')
        .where('id', 'in', part)
        .returning(['project_id', 'event_id', 'issue_id', 'user_key', 'tags'])
        .execute()),
    );
  }
  const byProject = new Map<number, string[]>();
  const perIssue = new Map<number, number>();
  const perTag = new Map<string, { issueId: number; key: string; value: string; count: number }>();
  const usersOfIssues = new Map<number, Set<string>>();
  for (const row of rows) {
    const list = byProject.get(row.project_id);
    if (list) list.push(row.event_id);
    else byProject.set(row.project_id, [row.event_id]);
    if (row.issue_id === null) continue;
    const issueId = row.issue_id;
    perIssue.set(issueId, (perIssue.get(issueId) ?? 0) + 1);
    if (row.user_key !== null) {
      const users = usersOfIssues.get(issueId);
      if (users) users.add(row.user_key);
      else usersOfIssues.set(issueId, new Set([row.user_key]));
    }
    for (const [key, value] of JSON.parse(row.tags) as [string, string][]) {
      const id = `${issueId}\u0000${key}\u0000${value}`;
      const known = perTag.get(id);
      if (known) known.count++;
      else perTag.set(id, { issueId, key, value, count: 1 });
    }
  }
  for (const [projectId, eventIds] of byProject) {
    for (const part of chunks(eventIds)) {
      await trx
        .deleteFrom('attachments')
        .where('project_id', '=', projectId)
        .where('event_id', 'in', part)
        .execute();
    }
  }
  await uncountIssueEvents(trx, perIssue);
  await uncountIssueTags(trx, [...perTag.values()]);
  const gone = await deleteIssuesWithoutEvents(trx, [...perIssue.keys()]);
  for (const id of gone) usersOfIssues.delete(id);
  return { events: rows.length, usersOfIssues, issuesDeleted: gone.length };
}

/** `column - n`, never below zero; null stays null. */
const minus = (column: string): RawBuilder<unknown> =>
  sql`${sql.ref(column)} = case when issues.${sql.ref(column)} is null then null when issues.${sql.ref(column)} > v.column2 then issues.${sql.ref(column)} - v.column2 else 0 end`;

async function uncountIssueEvents(trx: Db, perIssue: ReadonlyMap<number, number>): Promise<void> {
  for (const part of chunks([...perIssue].sort((a, b) => a[0] - b[0]))) {
    const values = part.map(([id, n]) => sql`(cast(${id} as bigint), cast(${n} as bigint))`);
    await sql`update issues set ${sql.join([minus('times_seen'), minus('ignore_count_base')])}
      from (values ${sql.join(values)}) as v
      where issues.id = v.column1`.execute(trx);
  }
}

async function uncountIssueTags(
  trx: Db,
  tags: readonly { issueId: number; key: string; value: string; count: number }[],
): Promise<void> {
  for (const part of chunks(tags)) {
    const values = part.map(
      (t) =>
        sql`(cast(${t.issueId} as bigint), cast(${t.key} as text), cast(${t.value} as text), cast(${t.count} as bigint))`,
    );
    await sql`update issue_tags set times_seen = issue_tags.times_seen - v.column4
      from (values ${sql.join(values)}) as v
      where issue_tags.issue_id = v.column1 and issue_tags.key = v.column2 and issue_tags.value = v.column3`.execute(
      trx,
    );
    const keys = part.map(
      (t) => sql`(cast(${t.issueId} as bigint), cast(${t.key} as text), cast(${t.value} as text))`,
    );
    await sql`delete from issue_tags where times_seen <= 0
      and (issue_id, key, value) in (values ${sql.join(keys)})`.execute(trx);
  }
}

/** Deletes those of the issues that have no event (their hashes, tags, users and activity with them). */
export async function deleteIssuesWithoutEvents(trx: Db, ids: readonly number[]): Promise<number[]> {
  const gone: number[] = [];
  for (const part of chunks(ids)) {
    const rows = await trx
      .deleteFrom('issues')
      .where('id', 'in', part)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('events').select('events.id').whereRef('events.issue_id', '=', 'issues.id'))),
      )
      .returning('id')
      .execute();
    gone.push(...rows.map((r) => r.id));
  }
  return gone;
}

/** Which of the user keys have an event left in the issue. */
export async function findIssueUsersWithEvents(
  db: Db,
  issueId: number,
  keys: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks(keys)) {
    const rows = await db
      .selectFrom('events')
      .select('user_key')
      .distinct()
      .where('issue_id', '=', issueId)
      .where('user_key', 'in', part)
      .execute();
    for (const row of rows) if (row.user_key !== null) found.add(row.user_key);
  }
  return found;
}

/** Takes users off an issue: their rows, and its user count (and an "ignore until N users" base). */
export async function removeIssueUsers(trx: Db, issueId: number, keys: readonly string[]): Promise<number> {
  let removed = 0;
  for (const part of chunks(keys)) {
    const rows = await trx
      .deleteFrom('issue_users')
      .where('issue_id', '=', issueId)
      .where('user_key', 'in', part)
      .returning('user_key')
      .execute();
    removed += rows.length;
  }
  if (removed > 0) {
    const values = sql`(cast(${issueId} as bigint), cast(${removed} as bigint))`;
    await sql`update issues set ${sql.join([minus('user_count'), minus('ignore_user_base')])}
      from (values ${values}) as v
      where issues.id = v.column1`.execute(trx);
  }
  return removed;
}

/**
 * A project's issues last seen before `before`, after the one at `after` in (last_seen, id)
 * order, at most `limit`: every event of such an issue is older than `before`.
 */
export async function findIssuesLastSeenBefore(
  db: Db,
  projectId: number,
  before: number,
  after: { lastSeen: number; id: number } | null,
  limit: number,
): Promise<{ id: number; lastSeen: number }[]> {
  let query = db
    .selectFrom('issues')
    .select(['id', 'last_seen'])
    .where('project_id', '=', projectId)
    .where('last_seen', '<', before);
  if (after)
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('last_seen', 'id'), '>', tuple(after.lastSeen, after.id)),
    );
  const rows = await query.orderBy('last_seen').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, lastSeen: r.last_seen }));
}

/** A kind of row that expires by a time column of its own. */
export interface ExpiringRows {
  readonly table: keyof RegionSchema & string;
  readonly column: string;
  /** Rows are found per project (the index starts with project_id). */
  readonly perProject: boolean;
  /** A further condition on the rows that may go. */
  readonly only?: RawBuilder<unknown>;
}

/**
 * What expires by a time column of its own, besides events (which take their issues' counts and
 * their attachments along) and issues. Sessions are release_health and its users (a session's
 * state while it may still be updated goes within days, in maintenance).
 */
export const EXPIRING_ROWS: readonly ExpiringRows[] = [
  { table: 'check_ins', column: 'date_created', perProject: true },
  { table: 'client_outcomes', column: 'bucket', perProject: true },
  { table: 'outcomes', column: 'bucket', perProject: true },
  { table: 'release_health', column: 'bucket', perProject: true },
  { table: 'release_health_users', column: 'bucket', perProject: true },
  { table: 'spans', column: 'timestamp', perProject: false },
  // Attachments whose event was never stored: the others go with their event.
  { table: 'attachments', column: 'date_created', perProject: false },
  { table: 'user_reports', column: 'date_created', perProject: false },
  // Envelopes digest set aside; those still waiting for digest stay, however old.
  { table: 'raw_envelopes', column: 'received_at', perProject: false, only: sql`digest_error is not null` },
];

/** Log records, which expire after a period of their own. */
export const EXPIRING_LOGS: ExpiringRows = { table: 'logs', column: 'timestamp', perProject: true };

/**
 * Deletes at most `limit` rows older than `before` (of one project when the kind is kept per
 * project) and returns how many went. Rows are picked by SQLite's rowid or PostgreSQL's ctid, so
 * that tables without an id column delete in batches too.
 */
export async function deleteExpiredRows(
  db: Db,
  engine: Engine,
  kind: ExpiringRows,
  before: number,
  limit: number,
  projectId?: number,
): Promise<number> {
  const table = sql.table(kind.table);
  const conditions = [sql`${sql.ref(kind.column)} < ${before}`];
  if (kind.perProject) conditions.push(sql`project_id = ${projectId ?? null}`);
  if (kind.only) conditions.push(kind.only);
  const where = sql.join(conditions, sql` and `);
  const result =
    engine === 'postgres'
      ? await sql`delete from ${table} where ctid = any(array(select ctid from ${table} where ${where} limit ${limit}))`.execute(
          db,
        )
      : await sql`delete from ${table} where rowid in (select rowid from ${table} where ${where} limit ${limit})`.execute(
          db,
        );
  return Number(result.numAffectedRows ?? 0);
}
