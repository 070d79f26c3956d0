import type { Kysely } from 'kysely';
import { normalizeDebugId, resolveSourceMapUrl } from '../../protocol/artifact-bundle.js';
import type { RegionSchema } from '../schema.js';
import { type ArtifactFile, readArtifactFiles, toArtifactFile } from './artifact-bundles.js';

type Db = Kysely<RegionSchema>;

/** What symbolication knows about an event's JavaScript: its images' debug ids, its release and the frames' URLs. */
export interface SourceFileQuery {
  readonly debugIds?: readonly string[];
  readonly release?: string | null;
  readonly dist?: string | null;
  /** Candidate URLs (protocol's `sourceUrlCandidates` of each frame's `abs_path`); looked up in the release. */
  readonly urls?: readonly string[];
}

export interface SourceFile {
  readonly file: ArtifactFile;
  /** The id of the bundle it came from (Sentry's `bundleId`). */
  readonly bundleId: string;
  /** The file's bytes, unpacked. */
  readonly data: Buffer;
}

export interface SourcePair {
  readonly minifiedSource?: SourceFile;
  readonly sourceMap?: SourceFile;
}

export interface SourceFiles {
  /** By (normalized) debug id: the minified source and the source map that carry it. */
  readonly byDebugId: ReadonlyMap<string, SourcePair>;
  /**
   * By URL, for URLs of `urls` that the release (and dist) has a file under: that file, and the
   * source map its `sourcemap` header names, when the release has it too.
   */
  readonly byUrl: ReadonlyMap<string, SourcePair>;
}

export interface FindSourceFilesOptions {
  /** Marks the bundles read as used now (they then outlive the retention period); omit to only read. */
  readonly now?: number;
}

/** A bundle's last-used date moves at most this often: retention counts in days, digest runs per event. */
const TOUCH_EVERY_MS = 3_600_000;

const PAIRED = ['minified_source', 'source_map'];

interface Row {
  readonly file: ArtifactFile;
  readonly bundleId: string;
}

function filesOfProject(db: Db, projectId: number) {
  return (
    db
      .selectFrom('artifact_bundle_files')
      .innerJoin('artifact_bundles', 'artifact_bundles.id', 'artifact_bundle_files.artifact_bundle_id')
      .innerJoin(
        'artifact_bundle_projects',
        'artifact_bundle_projects.artifact_bundle_id',
        'artifact_bundle_files.artifact_bundle_id',
      )
      .selectAll('artifact_bundle_files')
      .select('artifact_bundles.bundle_id as bundle_uuid')
      .where('artifact_bundle_projects.project_id', '=', projectId)
      // The newest upload wins where two bundles hold the same debug id or URL.
      .orderBy('artifact_bundles.date_uploaded', 'desc')
      .orderBy('artifact_bundles.id', 'desc')
  );
}

async function byDebugIdRows(db: Db, projectId: number, debugIds: readonly string[]): Promise<Row[]> {
  if (debugIds.length === 0) return [];
  const rows = await filesOfProject(db, projectId)
    .where('artifact_bundle_files.debug_id', 'in', debugIds)
    .where('artifact_bundle_files.file_type', 'in', PAIRED)
    .execute();
  return rows.map((r) => ({ file: toArtifactFile(r), bundleId: r.bundle_uuid }));
}

async function byUrlRows(
  db: Db,
  projectId: number,
  release: string,
  dist: string | null,
  urls: readonly string[],
): Promise<Row[]> {
  if (urls.length === 0) return [];
  const rows = await filesOfProject(db, projectId)
    .innerJoin(
      'artifact_bundle_releases',
      'artifact_bundle_releases.artifact_bundle_id',
      'artifact_bundle_files.artifact_bundle_id',
    )
    .where('artifact_bundle_releases.release', '=', release)
    .where('artifact_bundle_releases.dist', '=', dist ?? '')
    .where('artifact_bundle_files.url', 'in', [...new Set(urls)])
    .execute();
  return rows.map((r) => ({ file: toArtifactFile(r), bundleId: r.bundle_uuid }));
}

/** The first (newest) row per key. */
function newest(rows: readonly Row[], key: (row: Row) => string): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const row of rows) if (!out.has(key(row))) out.set(key(row), row);
  return out;
}

/**
 * The minified sources and source maps symbolication needs for one event of a project: by debug
 * id first (bundles uploaded after `sentry-cli sourcemaps inject`), and by release, dist and URL
 * (bundles uploaded with `--release` and no debug ids). Bundles of other projects are never read.
 *
 * @example
 * const found = await findSourceFiles(trx, projectId, { debugIds: ['8d2f…'], release: 'web@1.2', urls }, { now });
 * found.byDebugId.get('8d2f…')?.sourceMap?.data // the map's bytes
 */
export async function findSourceFiles(
  db: Db,
  projectId: number,
  query: SourceFileQuery,
  options: FindSourceFilesOptions = {},
): Promise<SourceFiles> {
  const debugIds = [...new Set((query.debugIds ?? []).map(normalizeDebugId).filter((d) => d !== null))];
  const debugRows = newest(
    await byDebugIdRows(db, projectId, debugIds),
    (r) => `${r.file.debugId} ${r.file.type}`,
  );

  const urlRows = new Map<string, Row>();
  const mapRows = new Map<string, Row>();
  if (query.release && query.urls && query.urls.length > 0) {
    const { release } = query;
    const dist = query.dist ?? null;
    for (const [url, row] of newest(
      await byUrlRows(db, projectId, release, dist, query.urls),
      (r) => r.file.url as string,
    )) {
      urlRows.set(url, row);
    }
    const mapUrls = new Map<string, string>();
    for (const [url, row] of urlRows) {
      const target =
        row.file.sourcemap && row.file.url && resolveSourceMapUrl(row.file.url, row.file.sourcemap);
      if (target) mapUrls.set(url, target);
    }
    const maps = await byUrlRows(db, projectId, release, dist, [...mapUrls.values()]);
    for (const [url, target] of mapUrls) {
      const candidates = maps.filter((m) => m.file.url === target);
      // The map of the same bundle first: a later bundle may hold a map of another build.
      const own = urlRows.get(url)?.file.artifactBundleId;
      const chosen = candidates.find((m) => m.file.artifactBundleId === own) ?? candidates[0];
      if (chosen) mapRows.set(url, chosen);
    }
  }

  const wanted = [...debugRows.values(), ...urlRows.values(), ...mapRows.values()];
  const bytes = await readArtifactFiles(
    db,
    wanted.map((r) => r.file.id),
  );
  const load = (row: Row | undefined): SourceFile | undefined => {
    const data = row && bytes.get(row.file.id);
    return row && data ? { file: row.file, bundleId: row.bundleId, data } : undefined;
  };

  const byDebugId = new Map<string, SourcePair>();
  for (const debugId of debugIds) {
    const minifiedSource = load(debugRows.get(`${debugId} minified_source`));
    const sourceMap = load(debugRows.get(`${debugId} source_map`));
    if (minifiedSource || sourceMap) {
      byDebugId.set(debugId, { ...(minifiedSource && { minifiedSource }), ...(sourceMap && { sourceMap }) });
    }
  }
  const byUrl = new Map<string, SourcePair>();
  for (const [url, row] of urlRows) {
    const file = load(row);
    const sourceMap = load(mapRows.get(url));
    if (!file) continue;
    byUrl.set(
      url,
      row.file.type === 'source_map'
        ? { sourceMap: file }
        : { minifiedSource: file, ...(sourceMap && { sourceMap }) },
    );
  }

  if (options.now !== undefined && wanted.length > 0) {
    await touchArtifactBundles(
      db,
      wanted.map((r) => r.file.artifactBundleId),
      options.now,
    );
  }
  return { byDebugId, byUrl };
}

/** Counts bundles as used now, writing only where the last mark is older than an hour. */
export async function touchArtifactBundles(db: Db, ids: readonly number[], now: number): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  await db
    .updateTable('artifact_bundles')
    .set({ date_last_used: now })
    .where('id', 'in', unique)
    .where('date_last_used', '<', now - TOUCH_EVERY_MS)
    .execute();
}
