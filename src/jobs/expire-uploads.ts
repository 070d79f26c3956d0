import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import { deleteArtifactBundlesUnusedSince } from '../store/region/artifact-bundles.js';
import { deleteFailedAssembliesBefore } from '../store/region/bundle-assemblies.js';
import { deleteChunksBefore } from '../store/region/upload-chunks.js';
import type { RegionSchema } from '../store/schema.js';

export type UploadRetention = Pick<
  Config,
  'uploadChunkRetentionHours' | 'uploadFailedRetentionMinutes' | 'artifactBundleRetentionDays'
>;

const HOUR = 3_600_000;

export interface ExpiredUploads {
  readonly chunks: number;
  readonly bundles: number;
  readonly failedAssemblies: number;
}

/**
 * Deletes what uploads leave behind: chunks no bundle was assembled from, failed assemblies (kept
 * a while for clients still polling), and bundles neither uploaded nor used by symbolication
 * within the retention period. Each kind goes in small transactions, so that a
 * large backlog never holds the database for long.
 */
export async function expireUploads(
  db: Kysely<RegionSchema>,
  retention: UploadRetention,
  now: number,
): Promise<ExpiredUploads> {
  const chunkCutoff = now - retention.uploadChunkRetentionHours * HOUR;
  const bundleCutoff = now - retention.artifactBundleRetentionDays * 24 * HOUR;
  let chunks = 0;
  let bundles = 0;
  for (;;) {
    const n = await db.transaction().execute((trx) => deleteChunksBefore(trx, chunkCutoff));
    chunks += n;
    if (n === 0) break;
  }
  for (;;) {
    const n = await db.transaction().execute((trx) => deleteArtifactBundlesUnusedSince(trx, bundleCutoff));
    bundles += n;
    if (n === 0) break;
  }
  const failedAssemblies = await deleteFailedAssembliesBefore(
    db,
    now - retention.uploadFailedRetentionMinutes * 60_000,
  );
  return { chunks, bundles, failedAssemblies };
}
