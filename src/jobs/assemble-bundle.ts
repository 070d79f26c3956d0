import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import { sourceMapProblem } from '../lib/source-map.js';
import { openZip, type ZipArchive, ZipProblem } from '../lib/zip.js';
import {
  type BundleManifest,
  BundleProblem,
  MANIFEST_NAME,
  parseBundleManifest,
} from '../protocol/artifact-bundle.js';
import {
  addArtifactBundleAssociations,
  findArtifactBundleByChecksum,
  insertArtifactBundle,
  type NewArtifactFile,
  packArtifactFile,
  type ReleaseAssociation,
} from '../store/region/artifact-bundles.js';
import {
  type BundleAssembly,
  deleteBundleAssembly,
  failBundleAssembly,
} from '../store/region/bundle-assemblies.js';
import { deleteChunks, readChunk } from '../store/region/upload-chunks.js';
import type { RegionSchema } from '../store/schema.js';

type Db = Kysely<RegionSchema>;

/** The settings assembly reads. */
export type AssemblyLimits = Pick<
  Config,
  'uploadMaxBundleBytes' | 'uploadMaxUnpackedBytes' | 'uploadMaxCompressionRatio' | 'uploadMaxBundleFiles'
>;

/** Files smaller than this are not held to the compression ratio: tiny repetitive files inflate a lot honestly. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** The bundle's bytes: its chunks in order, checked against the upload's size limit and SHA-1. */
async function bundleBytes(db: Db, assembly: BundleAssembly, limits: AssemblyLimits): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for (const checksum of assembly.chunks) {
    const chunk = await readChunk(db, assembly.organizationId, checksum);
    if (!chunk) throw new BundleProblem(`chunk ${checksum} is no longer stored; upload the bundle again`);
    size += chunk.length;
    if (size > limits.uploadMaxBundleBytes) {
      throw new BundleProblem(`the bundle is larger than the limit of ${limits.uploadMaxBundleBytes} bytes`);
    }
    parts.push(chunk);
  }
  const bytes = Buffer.concat(parts, size);
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  if (sha1 !== assembly.checksum) {
    throw new BundleProblem(
      `the chunks make up a file of SHA-1 ${sha1}, not the checksum ${assembly.checksum}`,
    );
  }
  return bytes;
}

/** Every file the manifest lists, read, checked (source maps must be usable) and packed for storage. */
async function manifestFiles(zip: ZipArchive, manifest: BundleManifest): Promise<NewArtifactFile[]> {
  const files: NewArtifactFile[] = [];
  for (const file of manifest.files) {
    const data = await zip.read(file.path);
    if (file.type === 'source_map') {
      const problem = sourceMapProblem(data.toString('utf8'));
      if (problem) throw new BundleProblem(`${file.path} is not a usable source map: ${problem}`);
    }
    files.push({
      path: file.path,
      url: file.url,
      type: file.type,
      debugId: file.debugId,
      sourcemap: file.sourcemap,
      size: data.length,
      packed: packArtifactFile(data),
    });
  }
  return files;
}

interface ReadBundle {
  readonly manifest: BundleManifest;
  readonly files: NewArtifactFile[];
  readonly size: number;
}

/** Reads and checks everything before anything is written; throws BundleProblem with the reason. */
async function readBundle(db: Db, assembly: BundleAssembly, limits: AssemblyLimits): Promise<ReadBundle> {
  const bytes = await bundleBytes(db, assembly, limits);
  let zip: ZipArchive;
  try {
    zip = await openZip(bytes, {
      maxEntries: limits.uploadMaxBundleFiles,
      maxUnpackedBytes: limits.uploadMaxUnpackedBytes,
      maxRatio: limits.uploadMaxCompressionRatio,
      ratioFloorBytes: RATIO_FLOOR_BYTES,
    });
  } catch (error) {
    if (error instanceof ZipProblem)
      throw new BundleProblem(`the bundle is not a valid zip: ${error.message}`);
    throw error;
  }
  try {
    if (!zip.names.includes(MANIFEST_NAME)) throw new BundleProblem('the bundle has no manifest.json');
    const manifest = parseBundleManifest((await zip.read(MANIFEST_NAME)).toString('utf8'), zip.names);
    return { manifest, files: await manifestFiles(zip, manifest), size: bytes.length };
  } catch (error) {
    if (error instanceof ZipProblem)
      throw new BundleProblem(`the bundle is not a valid zip: ${error.message}`);
    throw error;
  } finally {
    zip.close();
  }
}

/** A bundle id for a manifest that names none: the checksum's first 128 bits, as a UUID. */
function idFromChecksum(checksum: string): string {
  const h = checksum.slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The release the upload names, else the manifest's; a dist only ever with a release. */
function associationOf(assembly: BundleAssembly, manifest: BundleManifest): ReleaseAssociation | null {
  const release = assembly.release ?? manifest.release;
  if (!release) return null;
  return { release, dist: (assembly.release ? assembly.dist : manifest.dist) ?? null };
}

/** Projects of the upload that still exist (one may have been deleted while the bundle waited). */
async function existingProjects(db: Db, assembly: BundleAssembly): Promise<number[]> {
  if (assembly.projectIds.length === 0) return [];
  const rows = await db
    .selectFrom('projects')
    .select('id')
    .where('organization_id', '=', assembly.organizationId)
    .where('id', 'in', [...assembly.projectIds])
    .execute();
  return rows.map((r) => r.id);
}

/** Records why an upload cannot be assembled, and deletes its chunks: nothing of it stays. */
export async function failAssembly(
  db: Db,
  assembly: BundleAssembly,
  detail: string,
  now: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await failBundleAssembly(trx, assembly.id, detail, now);
    await deleteChunks(trx, assembly.organizationId, assembly.chunks);
  });
}

export type AssemblyOutcome = { readonly state: 'ok' } | { readonly state: 'error'; readonly detail: string };

/**
 * Turns a claimed upload into an artifact bundle: reads its chunks, checks the whole (size, SHA-1,
 * zip, manifest, source maps), then in one transaction stores the bundle and its files and deletes
 * the chunks and the queue entry. A bad bundle stores nothing: its chunks are deleted and the
 * queue entry says why (`error`). Database failures are thrown, leaving the entry to be retried.
 */
export async function assembleBundle(
  db: Db,
  assembly: BundleAssembly,
  limits: AssemblyLimits,
  now: () => number,
): Promise<AssemblyOutcome> {
  let bundle: ReadBundle;
  try {
    bundle = await readBundle(db, assembly, limits);
  } catch (error) {
    if (!(error instanceof BundleProblem)) throw error;
    await failAssembly(db, assembly, error.message, now());
    return { state: 'error', detail: error.message };
  }
  const { manifest, files, size } = bundle;
  await db.transaction().execute(async (trx) => {
    const at = now();
    const projectIds = await existingProjects(trx, assembly);
    const association = associationOf(assembly, manifest);
    const existing = await findArtifactBundleByChecksum(trx, assembly.organizationId, assembly.checksum);
    if (existing) {
      await addArtifactBundleAssociations(trx, existing.id, projectIds, association, at);
    } else {
      await insertArtifactBundle(
        trx,
        {
          organizationId: assembly.organizationId,
          bundleId: manifest.bundleId ?? idFromChecksum(assembly.checksum),
          checksum: assembly.checksum,
          size,
          projectIds,
          association,
          files,
        },
        at,
      );
    }
    await deleteChunks(trx, assembly.organizationId, assembly.chunks);
    await deleteBundleAssembly(trx, assembly.id);
  });
  return { state: 'ok' };
}
