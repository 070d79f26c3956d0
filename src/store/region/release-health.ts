import { type Kysely, sql } from 'kysely';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** Session counts of one bucket: `started` counts new sessions, the rest how sessions ended. */
export interface SessionCounts {
  readonly started: number;
  readonly exited: number;
  readonly errored: number;
  readonly crashed: number;
  readonly abnormal: number;
}

/** One hourly bucket of a release in an environment. `bucket` is the hour's start, epoch ms. */
export interface ReleaseHealthBucket extends SessionCounts {
  readonly projectId: number;
  readonly release: string;
  readonly environment: string;
  readonly bucket: number;
}

/** Adds the counts to the bucket, creating it at zero first (one statement, safe across nodes). */
export async function upsertReleaseHealth(db: Db, add: ReleaseHealthBucket): Promise<void> {
  await db
    .insertInto('release_health')
    .values({
      project_id: add.projectId,
      release: add.release,
      environment: add.environment,
      bucket: add.bucket,
      started: add.started,
      exited: add.exited,
      errored: add.errored,
      crashed: add.crashed,
      abnormal: add.abnormal,
    })
    .onConflict((oc) =>
      oc.columns(['project_id', 'release', 'environment', 'bucket']).doUpdateSet((eb) => ({
        started: eb('release_health.started', '+', add.started),
        exited: eb('release_health.exited', '+', add.exited),
        errored: eb('release_health.errored', '+', add.errored),
        crashed: eb('release_health.crashed', '+', add.crashed),
        abnormal: eb('release_health.abnormal', '+', add.abnormal),
      })),
    )
    .execute();
}

/** The project's buckets, by release, environment and hour. */
export async function findReleaseHealth(db: Db, projectId: number): Promise<ReleaseHealthBucket[]> {
  const rows = await db
    .selectFrom('release_health')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('release')
    .orderBy('environment')
    .orderBy('bucket')
    .execute();
  return rows.map((r) => ({
    projectId: r.project_id,
    release: r.release,
    environment: r.environment,
    bucket: r.bucket,
    started: r.started,
    exited: r.exited,
    errored: r.errored,
    crashed: r.crashed,
    abnormal: r.abnormal,
  }));
}

/** What Errata remembers of one individual session while its updates may still come. */
export interface SessionState {
  readonly projectId: number;
  readonly sid: string;
  readonly release: string;
  readonly environment: string;
  readonly bucket: number;
  readonly userHash: string | null;
  readonly status: string;
  readonly errors: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly lastSeen: number;
}

/** The session's state, locked for the digest transaction on PostgreSQL (another node may update it). */
export async function lockSessionState(
  db: Db,
  engine: Engine,
  projectId: number,
  sid: string,
): Promise<SessionState | undefined> {
  const row = await db
    .selectFrom('session_states')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('sid', '=', sid)
    .$if(engine === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
  return (
    row && {
      projectId: row.project_id,
      sid: row.sid,
      release: row.release,
      environment: row.environment,
      bucket: Number(row.bucket),
      userHash: row.user_hash,
      status: row.status,
      errors: Number(row.errors),
      seq: Number(row.seq),
      timestamp: Number(row.timestamp),
      lastSeen: Number(row.last_seen),
    }
  );
}

/** Records a session first seen; false when another transaction recorded it first. */
export async function insertSessionState(db: Db, state: SessionState): Promise<boolean> {
  const inserted = await db
    .insertInto('session_states')
    .values({
      project_id: state.projectId,
      sid: state.sid,
      release: state.release,
      environment: state.environment,
      bucket: state.bucket,
      user_hash: state.userHash,
      status: state.status,
      errors: state.errors,
      seq: state.seq,
      timestamp: state.timestamp,
      last_seen: state.lastSeen,
    })
    .onConflict((oc) => oc.columns(['project_id', 'sid']).doNothing())
    .returning('sid')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateSessionState(db: Db, state: SessionState): Promise<void> {
  await db
    .updateTable('session_states')
    .set({
      user_hash: state.userHash,
      status: state.status,
      errors: state.errors,
      seq: state.seq,
      timestamp: state.timestamp,
      last_seen: state.lastSeen,
    })
    .where('project_id', '=', state.projectId)
    .where('sid', '=', state.sid)
    .execute();
}

/** Forgets sessions last updated before `ms`: later updates of them are too old to count anyway. */
export async function deleteSessionStatesBefore(db: Db, ms: number): Promise<void> {
  await db.deleteFrom('session_states').where('last_seen', '<', ms).execute();
}

/** A user of an hourly bucket and the worst outcome (see UserSeverity) of its sessions there. */
export interface HealthUser {
  readonly projectId: number;
  readonly release: string;
  readonly environment: string;
  readonly bucket: number;
  readonly userHash: string;
  readonly severity: number;
}

/** Records the user in its bucket, keeping the worst severity seen (one statement, safe across nodes). */
export async function upsertHealthUser(db: Db, user: HealthUser): Promise<void> {
  await db
    .insertInto('release_health_users')
    .values({
      project_id: user.projectId,
      release: user.release,
      environment: user.environment,
      bucket: user.bucket,
      user_hash: user.userHash,
      severity: user.severity,
    })
    .onConflict((oc) =>
      oc.columns(['project_id', 'release', 'environment', 'bucket', 'user_hash']).doUpdateSet({
        severity: sql<number>`case when excluded.severity > release_health_users.severity then excluded.severity else release_health_users.severity end`,
      }),
    )
    .execute();
}
