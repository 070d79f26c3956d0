// Sentry's artifact bundles, as sentry-cli uploads them: a zip (behind a `SYSB` header and a
// version when it is a "source bundle") whose manifest.json lists every file with its URL, type
// and headers, and names the bundle's id, organization, project(s), release and dist.

/** The file types a manifest gives (symbolic's SourceFileType). */
export const ARTIFACT_FILE_TYPES = ['source', 'minified_source', 'source_map', 'indexed_ram_bundle'] as const;
export type ArtifactFileType = (typeof ARTIFACT_FILE_TYPES)[number];

export const MANIFEST_NAME = 'manifest.json';

/** One file of a bundle, from its manifest. */
export interface ManifestFile {
  /** Its name in the zip. */
  readonly path: string;
  readonly type: ArtifactFileType;
  readonly url: string | null;
  /** Lowercase hyphenated UUID. */
  readonly debugId: string | null;
  /** The `sourcemap` header: where the file's source map is, relative to its URL. */
  readonly sourcemap: string | null;
}

export interface BundleManifest {
  readonly files: readonly ManifestFile[];
  /** The bundle's own id (`debug_id`), lowercase hyphenated; null when the manifest gives none. */
  readonly bundleId: string | null;
  readonly org: string | null;
  readonly projects: readonly string[];
  readonly release: string | null;
  readonly dist: string | null;
}

/** Why a bundle cannot be stored; the message is the `detail` sentry-cli shows. */
export class BundleProblem extends Error {}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * A debug id as Errata keys it: lowercase, hyphenated; null for anything that is not a UUID.
 * SDKs and sentry-cli send it hyphenated, in either case; native-style ids add an age (`-0`) that
 * JavaScript never uses, so it is not accepted here.
 *
 * @example normalizeDebugId('8D2F1B0A0E3C4B5A9F6E7D8C9B0A1F2E') // '8d2f1b0a-0e3c-4b5a-9f6e-7d8c9b0a1f2e'
 */
export function normalizeDebugId(value: unknown): string | null {
  if (typeof value !== 'string' || !UUID.test(value)) return null;
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalText(manifest: Record<string, unknown>, field: string): string | null {
  const value = manifest[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new BundleProblem(`manifest.json: ${field} is not a string`);
  return value;
}

/** A header of the manifest, whatever its case; sentry-cli writes `debug-id`, older tools `debug_id`. */
function header(headers: Record<string, unknown>, ...names: string[]): unknown {
  for (const [key, value] of Object.entries(headers)) {
    if (names.includes(key.toLowerCase())) return value;
  }
  return undefined;
}

function manifestFile(path: string, entry: unknown): ManifestFile {
  if (!isObject(entry)) throw new BundleProblem(`manifest.json: the entry of ${path} is not an object`);
  const type = entry.type;
  if (!ARTIFACT_FILE_TYPES.includes(type as ArtifactFileType)) {
    throw new BundleProblem(`manifest.json: ${path} has an unknown type ${JSON.stringify(type)}`);
  }
  if (entry.url !== undefined && entry.url !== null && typeof entry.url !== 'string') {
    throw new BundleProblem(`manifest.json: the url of ${path} is not a string`);
  }
  const headers = entry.headers ?? {};
  if (!isObject(headers)) throw new BundleProblem(`manifest.json: the headers of ${path} are not an object`);
  const rawDebugId = header(headers, 'debug-id', 'debug_id');
  const debugId = rawDebugId === undefined ? null : normalizeDebugId(rawDebugId);
  if (rawDebugId !== undefined && debugId === null) {
    throw new BundleProblem(`manifest.json: ${path} has an invalid debug id ${JSON.stringify(rawDebugId)}`);
  }
  const sourcemap = header(headers, 'sourcemap', 'x-sourcemap');
  if (sourcemap !== undefined && typeof sourcemap !== 'string') {
    throw new BundleProblem(`manifest.json: the sourcemap header of ${path} is not a string`);
  }
  return {
    path,
    type: type as ArtifactFileType,
    url: (entry.url as string | undefined) || null,
    debugId,
    sourcemap: sourcemap || null,
  };
}

/**
 * Reads manifest.json and checks it against the archive's file names: every file it lists must be
 * in the archive.
 */
export function parseBundleManifest(text: string, archiveNames: readonly string[]): BundleManifest {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new BundleProblem(`manifest.json is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(manifest)) throw new BundleProblem('manifest.json is not a JSON object');
  if (!isObject(manifest.files)) throw new BundleProblem('manifest.json: files is not an object');
  const present = new Set(archiveNames);
  const files = Object.entries(manifest.files).map(([path, entry]) => manifestFile(path, entry));
  const missing = files.filter((f) => !present.has(f.path)).map((f) => f.path);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ');
    throw new BundleProblem(
      `manifest.json lists ${missing.length} file(s) the bundle does not contain: ${shown}${missing.length > 5 ? ', …' : ''}`,
    );
  }
  const rawBundleId = manifest.debug_id ?? manifest.bundle_id;
  const bundleId = rawBundleId === undefined || rawBundleId === null ? null : normalizeDebugId(rawBundleId);
  if (rawBundleId !== undefined && rawBundleId !== null && bundleId === null) {
    throw new BundleProblem(`manifest.json: debug_id ${JSON.stringify(rawBundleId)} is not a UUID`);
  }
  const project = manifest.project;
  const projects = Array.isArray(project)
    ? project
    : project === undefined || project === null
      ? []
      : [project];
  if (!projects.every((p) => typeof p === 'string')) {
    throw new BundleProblem('manifest.json: project is not a string or a list of strings');
  }
  return {
    files,
    bundleId,
    org: optionalText(manifest, 'org'),
    projects: projects as string[],
    release: optionalText(manifest, 'release'),
    dist: optionalText(manifest, 'dist'),
  };
}

/**
 * The URLs a stack frame's `abs_path` may have been uploaded under, most specific first: itself,
 * without its query or fragment, and the same path under `~/` (any scheme and host), which is how
 * sentry-cli names files by default.
 *
 * @example sourceUrlCandidates('https://example.com/static/app.js?v=2')
 * // ['https://example.com/static/app.js?v=2', 'https://example.com/static/app.js', '~/static/app.js?v=2', '~/static/app.js']
 */
export function sourceUrlCandidates(absPath: string): string[] {
  const out: string[] = [];
  const add = (url: string) => {
    if (!out.includes(url)) out.push(url);
  };
  const bare = absPath.replace(/#.*$/, '');
  add(absPath);
  add(bare);
  add(bare.replace(/\?.*$/, ''));
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)$/i.exec(bare);
  if (match) {
    add(`~${match[1]}`);
    add(`~${(match[1] as string).replace(/\?.*$/, '')}`);
  }
  return out;
}

/**
 * Where a file's `sourcemap` header points, resolved against the file's URL the way a browser
 * resolves it (`~/` URLs keep their `~/`); null for an inline (`data:`) map or one that cannot be
 * resolved.
 *
 * @example resolveSourceMapUrl('~/static/app.min.js', 'app.min.js.map') // '~/static/app.min.js.map'
 */
export function resolveSourceMapUrl(fileUrl: string, sourcemap: string): string | null {
  if (sourcemap.startsWith('data:')) return null;
  const tilde = fileUrl.startsWith('~/');
  // A host no real URL has stands for `~`, so that URL resolution does the rest.
  const base = tilde ? `http://tilde.invalid${fileUrl.slice(1)}` : fileUrl;
  let resolved: URL;
  try {
    resolved = new URL(sourcemap, base);
  } catch {
    return null;
  }
  if (tilde && resolved.host === 'tilde.invalid') return `~${resolved.pathname}${resolved.search}`;
  return resolved.href;
}
