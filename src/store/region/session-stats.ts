import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** Columns the sessions endpoint groups by, as stored. */
export type SessionGroupColumn = 'project_id' | 'release' | 'environment';

/** Which buckets a sessions query reads: hours in [start, end) of these projects. */
export interface SessionScope {
  readonly projectIds: readonly number[];
  readonly start: number;
  readonly end: number;
  readonly environments?: readonly string[];
  readonly releases?: { readonly in?: readonly string[]; readonly notIn?: readonly string[] };
}

/** How a query splits its rows: by these columns, and by interval slot when `interval` is given. */
export interface SessionSplit {
  readonly by: readonly SessionGroupColumn[];
  /** Slot n covers [start + n·interval, start + (n+1)·interval); buckets are whole hours. */
  readonly interval?: number;
}

export interface SessionSums {
  readonly key: Readonly<Partial<Record<SessionGroupColumn, string | number>>>;
  readonly slot: number;
  readonly started: number;
  readonly errored: number;
  readonly crashed: number;
  readonly abnormal: number;
}

/** Distinct users of a group and slot whose worst session outcome was `severity`. */
export interface UserCount {
  readonly key: Readonly<Partial<Record<SessionGroupColumn, string | number>>>;
  readonly slot: number;
  readonly severity: number;
  readonly users: number;
}

function where(scope: SessionScope): RawBuilder<unknown> {
  const terms: RawBuilder<unknown>[] = [
    sql`project_id in (${sql.join(scope.projectIds.map((id) => sql.lit(id)))})`,
    sql`bucket >= ${sql.lit(scope.start)}`,
    sql`bucket < ${sql.lit(scope.end)}`,
  ];
  if (scope.environments && scope.environments.length > 0) {
    terms.push(sql`environment in (${sql.join([...scope.environments])})`);
  }
  if (scope.releases?.in) {
    terms.push(
      scope.releases.in.length > 0 ? sql`release in (${sql.join([...scope.releases.in])})` : sql`1 = 0`,
    );
  }
  if (scope.releases?.notIn && scope.releases.notIn.length > 0) {
    terms.push(sql`release not in (${sql.join([...scope.releases.notIn])})`);
  }
  return sql.join(terms, sql` and `);
}

// Values are whole numbers the caller computed, inlined so both engines see one slot expression
// in the select list and the grouping alike.
function slotOf(scope: SessionScope, split: SessionSplit): RawBuilder<number> {
  return split.interval === undefined
    ? sql<number>`0`
    : sql<number>`(bucket - ${sql.lit(scope.start)}) / ${sql.lit(split.interval)}`;
}

function keyOf(row: Record<string, unknown>, by: readonly SessionGroupColumn[]) {
  const key: Partial<Record<SessionGroupColumn, string | number>> = {};
  for (const column of by) {
    key[column] = column === 'project_id' ? Number(row[column]) : String(row[column]);
  }
  return key;
}

const columns = (by: readonly SessionGroupColumn[]) => by.map((c) => sql.ref(c));

/** Session counts per group (and slot): every session once, by how it went. */
export async function sumSessions(db: Db, scope: SessionScope, split: SessionSplit): Promise<SessionSums[]> {
  if (scope.projectIds.length === 0) return [];
  const groups = [...columns(split.by), sql`slot`];
  const result = await sql<Record<string, unknown>>`
    select ${sql.join([...columns(split.by), sql`${slotOf(scope, split)} as slot`])},
      sum(started) as started, sum(errored) as errored, sum(crashed) as crashed, sum(abnormal) as abnormal
    from release_health
    where ${where(scope)}
    group by ${sql.join(groups)}`.execute(db);
  return result.rows.map((row) => ({
    key: keyOf(row, split.by),
    slot: Number(row.slot),
    started: Number(row.started),
    errored: Number(row.errored),
    crashed: Number(row.crashed),
    abnormal: Number(row.abnormal),
  }));
}

/**
 * Distinct users per group (and slot), each counted once at the worst outcome of its sessions
 * there: a user is unique across all the hours a slot or the whole range spans, not once per hour.
 */
export async function countUsers(db: Db, scope: SessionScope, split: SessionSplit): Promise<UserCount[]> {
  if (scope.projectIds.length === 0) return [];
  const outer = [...columns(split.by), sql`slot`];
  const result = await sql<Record<string, unknown>>`
    select ${sql.join([...outer, sql`worst`])}, count(*) as users
    from (
      select ${sql.join([...columns(split.by), sql`${slotOf(scope, split)} as slot`])},
        user_hash, max(severity) as worst
      from release_health_users
      where ${where(scope)}
      group by ${sql.join([...outer, sql`user_hash`])}
    ) per_user
    group by ${sql.join([...outer, sql`worst`])}`.execute(db);
  return result.rows.map((row) => ({
    key: keyOf(row, split.by),
    slot: Number(row.slot),
    severity: Number(row.worst),
    users: Number(row.users),
  }));
}

/** `${projectId} ${release}` of the pairs that have any session data. */
export async function findReleasesWithHealth(
  db: Db,
  projectIds: readonly number[],
  releases: readonly string[],
): Promise<Set<string>> {
  if (projectIds.length === 0 || releases.length === 0) return new Set();
  const rows = await db
    .selectFrom('release_health')
    .select(['project_id', 'release'])
    .distinct()
    .where('project_id', 'in', [...projectIds])
    .where('release', 'in', [...releases])
    .execute();
  return new Set(rows.map((r) => `${r.project_id} ${r.release}`));
}
