import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { Kysely, Selectable } from 'kysely';
import { blobStoreOf } from '../blob-store.js';
import type { ArtifactBundleFileTable, ArtifactBundleTable, RegionSchema } from '../schema.js';
import type { PageRequest } from '../types.js';

type Db = Kysely<RegionSchema>;

/** One file of an artifact bundle, as its manifest describes it. */
export interface ArtifactFile {
  readonly id: number;
  readonly artifactBundleId: number;
  /** The file's name inside the bundle's zip. */
  readonly path: string;
  /** The URL the manifest gives it (`~/static/app.min.js`), null when it gives none. */
  readonly url: string | null;
  /** The manifest's type: `minified_source`, `source_map`, `source`, … */
  readonly type: string;
  /** Lowercase hyphenated UUID from the file's `debug-id` header. */
  readonly debugId: string | null;
  /** The file's `sourcemap` header: where its source map is, relative to its URL. */
  readonly sourcemap: string | null;
  /** Bytes unpacked. */
  readonly size: number;
}

export interface NewArtifactFile extends Omit<ArtifactFile, 'id' | 'artifactBundleId'> {
  /** The bytes as `packArtifactFile` packs them. */
  readonly packed: Uint8Array;
}

export interface ReleaseAssociation {
  readonly release: string;
  readonly dist: string | null;
}

export interface ArtifactBundle {
  readonly id: number;
  readonly organizationId: number;
  /** The bundle's own id (its manifest's `debug_id`), what Sentry's API calls `bundleId`. */
  readonly bundleId: string;
  /** SHA-1 of the bundle as uploaded. */
  readonly checksum: string;
  /** Bytes as uploaded. */
  readonly size: number;
  readonly fileCount: number;
  readonly dateUploaded: number;
  /** Last time an upload added to it (a project, a release) or uploaded it again. */
  readonly dateModified: number;
  /** Last time symbolication read from it (its upload, until then). */
  readonly dateLastUsed: number;
}

export interface NewArtifactBundle {
  readonly organizationId: number;
  readonly bundleId: string;
  readonly checksum: string;
  readonly size: number;
  readonly projectIds: readonly number[];
  readonly association: ReleaseAssociation | null;
  readonly files: readonly NewArtifactFile[];
}

/** A bundle with what the list shows of it. */
export interface ArtifactBundleSummary extends ArtifactBundle {
  readonly associations: readonly ReleaseAssociation[];
  readonly debugIds: readonly string[];
}

/**
 * Bundle files are stored brotli-packed (quality 1: fast, and source text shrinks 4 to 10 times):
 * pack before the write transaction, so that the CPU work holds no lock.
 */
export function packArtifactFile(data: Uint8Array): Buffer {
  return brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
}

function unpack(packed: Uint8Array): Buffer {
  return brotliDecompressSync(packed);
}

const fileKey = (organizationId: number, checksum: string, index: number) =>
  `bundle/${organizationId}/${checksum}/${index}`;

function toBundle(row: Selectable<ArtifactBundleTable>): ArtifactBundle {
  return {
    id: row.id,
    organizationId: row.organization_id,
    bundleId: row.bundle_id,
    checksum: row.checksum,
    size: row.size,
    fileCount: row.file_count,
    dateUploaded: row.date_uploaded,
    dateModified: row.date_modified,
    dateLastUsed: row.date_last_used,
  };
}

export function toArtifactFile(row: Selectable<ArtifactBundleFileTable>): ArtifactFile {
  return {
    id: row.id,
    artifactBundleId: row.artifact_bundle_id,
    path: row.path,
    url: row.url,
    type: row.file_type,
    debugId: row.debug_id,
    sourcemap: row.sourcemap,
    size: row.size,
  };
}

export async function findArtifactBundleByChecksum(
  db: Db,
  organizationId: number,
  checksum: string,
): Promise<ArtifactBundle | undefined> {
  const row = await db
    .selectFrom('artifact_bundles')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('checksum', '=', checksum)
    .executeTakeFirst();
  return row && toBundle(row);
}

/**
 * Adds projects and a release to a bundle; answers whether anything was new (and then counts the
 * bundle as modified now).
 */
export async function addArtifactBundleAssociations(
  db: Db,
  bundleId: number,
  projectIds: readonly number[],
  association: ReleaseAssociation | null,
  now: number,
): Promise<boolean> {
  let added = 0;
  for (const projectId of new Set(projectIds)) {
    const result = await db
      .insertInto('artifact_bundle_projects')
      .values({ artifact_bundle_id: bundleId, project_id: projectId })
      .onConflict((oc) => oc.columns(['artifact_bundle_id', 'project_id']).doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  if (association) {
    const result = await db
      .insertInto('artifact_bundle_releases')
      .values({ artifact_bundle_id: bundleId, release: association.release, dist: association.dist ?? '' })
      .onConflict((oc) => oc.columns(['artifact_bundle_id', 'release', 'dist']).doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  if (added > 0) {
    await db.updateTable('artifact_bundles').set({ date_modified: now }).where('id', '=', bundleId).execute();
  }
  return added > 0;
}

/** Stores an assembled bundle with its projects, release and files (bytes into the blob store). */
export async function insertArtifactBundle(
  db: Db,
  bundle: NewArtifactBundle,
  now: number,
): Promise<ArtifactBundle> {
  const row = await db
    .insertInto('artifact_bundles')
    .values({
      organization_id: bundle.organizationId,
      bundle_id: bundle.bundleId,
      checksum: bundle.checksum,
      size: bundle.size,
      file_count: bundle.files.length,
      date_uploaded: now,
      date_modified: now,
      date_last_used: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await addArtifactBundleAssociations(db, row.id, bundle.projectIds, bundle.association, now);
  const blobs = blobStoreOf(db);
  for (const [index, file] of bundle.files.entries()) {
    const key = fileKey(bundle.organizationId, bundle.checksum, index);
    await blobs.put(key, file.packed);
    await db
      .insertInto('artifact_bundle_files')
      .values({
        artifact_bundle_id: row.id,
        path: file.path,
        url: file.url,
        file_type: file.type,
        debug_id: file.debugId,
        sourcemap: file.sourcemap,
        size: file.size,
        blob_key: key,
      })
      .execute();
  }
  return toBundle(row);
}

/** The bundles linked to a project, as a query to narrow and order. */
function bundlesOfProject(db: Db, projectId: number) {
  return db
    .selectFrom('artifact_bundles')
    .innerJoin(
      'artifact_bundle_projects',
      'artifact_bundle_projects.artifact_bundle_id',
      'artifact_bundles.id',
    )
    .selectAll('artifact_bundles')
    .where('artifact_bundle_projects.project_id', '=', projectId);
}

/** The bundles of a project, newest upload first, with their releases and debug ids. */
export async function listArtifactBundles(
  db: Db,
  projectId: number,
  page: PageRequest,
): Promise<ArtifactBundleSummary[]> {
  const rows = await bundlesOfProject(db, projectId)
    .orderBy('artifact_bundles.date_uploaded', 'desc')
    .orderBy('artifact_bundles.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return summarize(db, rows.map(toBundle));
}

async function summarize(db: Db, bundles: readonly ArtifactBundle[]): Promise<ArtifactBundleSummary[]> {
  if (bundles.length === 0) return [];
  const ids = bundles.map((b) => b.id);
  const releases = await db
    .selectFrom('artifact_bundle_releases')
    .selectAll()
    .where('artifact_bundle_id', 'in', ids)
    .orderBy('release')
    .orderBy('dist')
    .execute();
  const debugIds = await db
    .selectFrom('artifact_bundle_files')
    .select(['artifact_bundle_id', 'debug_id'])
    .distinct()
    .where('artifact_bundle_id', 'in', ids)
    .where('debug_id', 'is not', null)
    .orderBy('debug_id')
    .execute();
  return bundles.map((bundle) => ({
    ...bundle,
    associations: releases
      .filter((r) => r.artifact_bundle_id === bundle.id)
      .map((r) => ({ release: r.release, dist: r.dist === '' ? null : r.dist })),
    debugIds: debugIds.filter((d) => d.artifact_bundle_id === bundle.id).map((d) => d.debug_id as string),
  }));
}

/** The bundles of a project with this bundle id (one, unless two uploads claimed the same id). */
export async function findArtifactBundlesOfProject(
  db: Db,
  projectId: number,
  bundleId: string,
): Promise<ArtifactBundleSummary[]> {
  const rows = await bundlesOfProject(db, projectId)
    .where('artifact_bundles.bundle_id', '=', bundleId)
    .execute();
  return summarize(db, rows.map(toBundle));
}

export async function listArtifactFiles(db: Db, artifactBundleId: number): Promise<ArtifactFile[]> {
  const rows = await db
    .selectFrom('artifact_bundle_files')
    .selectAll()
    .where('artifact_bundle_id', '=', artifactBundleId)
    .orderBy('id')
    .execute();
  return rows.map(toArtifactFile);
}

/** The bytes of bundle files, unpacked, by file id. */
export async function readArtifactFiles(db: Db, fileIds: readonly number[]): Promise<Map<number, Buffer>> {
  if (fileIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('artifact_bundle_files')
    .select(['id', 'blob_key'])
    .where('id', 'in', [...new Set(fileIds)])
    .execute();
  const blobs = await blobStoreOf(db).getMany(rows.map((r) => r.blob_key));
  const out = new Map<number, Buffer>();
  for (const row of rows) {
    const packed = blobs.get(row.blob_key);
    if (packed) out.set(row.id, unpack(packed));
  }
  return out;
}

/** Deletes bundles with their files' bytes (projects, releases and file rows go by cascade). */
export async function deleteArtifactBundles(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const keys = await db
    .selectFrom('artifact_bundle_files')
    .select('blob_key')
    .where('artifact_bundle_id', 'in', ids)
    .execute();
  await blobStoreOf(db).delete(keys.map((k) => k.blob_key));
  await db.deleteFrom('artifact_bundle_files').where('artifact_bundle_id', 'in', ids).execute();
  await db.deleteFrom('artifact_bundles').where('id', 'in', ids).execute();
}

/**
 * Takes a bundle out of a project; a bundle left in no project is deleted. Answers whether the
 * bundle itself went.
 */
export async function removeArtifactBundleFromProject(
  db: Db,
  id: number,
  projectId: number,
): Promise<boolean> {
  await db
    .deleteFrom('artifact_bundle_projects')
    .where('artifact_bundle_id', '=', id)
    .where('project_id', '=', projectId)
    .execute();
  const left = await db
    .selectFrom('artifact_bundle_projects')
    .select('project_id')
    .where('artifact_bundle_id', '=', id)
    .limit(1)
    .executeTakeFirst();
  if (left) return false;
  await deleteArtifactBundles(db, [id]);
  return true;
}

/** Deletes up to `limit` bundles last used before `cutoff`; returns how many. */
export async function deleteArtifactBundlesUnusedSince(db: Db, cutoff: number, limit = 100): Promise<number> {
  const rows = await db
    .selectFrom('artifact_bundles')
    .select('id')
    .where('date_last_used', '<', cutoff)
    .limit(limit)
    .execute();
  await deleteArtifactBundles(
    db,
    rows.map((r) => r.id),
  );
  return rows.length;
}
