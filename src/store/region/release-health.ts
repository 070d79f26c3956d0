import type { Kysely } from 'kysely';
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
