import path from 'node:path';
import { normalizeDebugId } from './artifact-bundle.js';

// What Sentry's JavaScript processing reads of an event and writes back: which stack frames can
// be mapped through a source map, where their maps are named (debug images), how a mapped frame is
// named and whether it is the app's own code, and the processing errors of frames that could not
// be mapped. Pure; the lookups and the mapping itself are digest's.

/** Sentry's processing error types for JavaScript frames, each with the fields Sentry gives it. */
export type JsProcessingError =
  /** No source map was found for the frame's file (by debug id, nor by release and URL). */
  | { readonly type: 'js_no_source'; readonly url: string }
  /** The source map found is not one that can be read. */
  | { readonly type: 'js_invalid_source'; readonly url: string }
  /** The map maps the frame, but does not carry the original source's text. */
  | { readonly type: 'js_missing_sources_content'; readonly source: string; readonly sourcemap: string }
  /** The frame's position has no mapping in the map. */
  | {
      readonly type: 'js_invalid_sourcemap_location';
      readonly column: number;
      readonly row: number;
      readonly source: string;
    };

export type JsProcessingErrorType = JsProcessingError['type'];

/** Sentry's words for each, as its API gives them in an event's `errors[].message`. */
export const JS_PROCESSING_ERROR_MESSAGES: Readonly<Record<JsProcessingErrorType, string>> = {
  js_no_source: 'Source code was not found',
  js_invalid_source: 'Sourcemap was invalid or not parseable',
  js_missing_sources_content: 'Missing sources content',
  js_invalid_sourcemap_location: 'Invalid location in sourcemap',
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const JS_PLATFORMS = new Set(['javascript', 'node']);

/** True for the platforms whose frames source maps apply to. */
export function isJsPlatform(platform: unknown): boolean {
  return typeof platform === 'string' && JS_PLATFORMS.has(platform);
}

/** A stack trace of an event and the object that holds it (where its `raw_stacktrace` goes). */
export interface StacktraceSite {
  /** The event field it is in. */
  readonly field: 'exception' | 'threads' | 'stacktrace';
  readonly frames: readonly unknown[];
  /** The exception or thread; undefined for the event's top-level `stacktrace`, which keeps no raw copy. */
  readonly container: Json | undefined;
}

const valuesOf = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : isObject(value) && Array.isArray(value.values) ? value.values : [];

/** The stack traces of an event: each exception's, each thread's, and the top-level one. */
export function stacktraceSites(data: Json): StacktraceSite[] {
  const sites: StacktraceSite[] = [];
  const add = (field: StacktraceSite['field'], container: Json | undefined, stacktrace: unknown) => {
    if (isObject(stacktrace) && Array.isArray(stacktrace.frames) && stacktrace.frames.length > 0)
      sites.push({ field, frames: stacktrace.frames, container });
  };
  for (const exception of valuesOf(data.exception))
    if (isObject(exception)) add('exception', exception, exception.stacktrace);
  for (const thread of valuesOf(data.threads))
    if (isObject(thread)) add('threads', thread, thread.stacktrace);
  add('stacktrace', undefined, data.stacktrace);
  return sites;
}

/** A frame's file as a location to look up: `abs_path`, else `filename` (SDKs send either). */
export function frameLocation(frame: Json): string | undefined {
  const location = frame.abs_path ?? frame.filename;
  return typeof location === 'string' && location !== '' ? location : undefined;
}

/**
 * The file of a frame that a source map can apply to, as Sentry decides: one with a file, a line
 * and a column; not native code; and on Node only a path of the app's own (`/…`, `app:`, `webpack:`,
 * `file:`), not one of Node's built-in modules (`node:internal/…`).
 */
export function mappableLocation(frame: Json, platform: string): string | undefined {
  const location = frameLocation(frame);
  if (location === undefined || location === 'native' || location === '[native code]') return undefined;
  if (!isPosition(frame.lineno) || !isPosition(frame.colno)) return undefined;
  if (platform === 'node' && !/^(?:\/|app:|webpack:|file:)/.test(location)) return undefined;
  return location;
}

const isPosition = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/**
 * The debug ids of the event's source-map images (`debug_meta.images` of type `sourcemap`) by the
 * file they belong to (`code_file`), which is a frame's `abs_path` or `filename`.
 */
export function sourceMapImages(data: Json): Map<string, string> {
  const images = new Map<string, string>();
  const debugMeta = data.debug_meta;
  const list = isObject(debugMeta) && Array.isArray(debugMeta.images) ? debugMeta.images : [];
  for (const image of list) {
    if (!isObject(image) || image.type !== 'sourcemap' || typeof image.code_file !== 'string') continue;
    const debugId = normalizeDebugId(image.debug_id);
    if (debugId !== null) images.set(image.code_file, debugId);
  }
  return images;
}

/**
 * Whether a frame's file missing its map is worth an error: Sentry leaves out libraries (their maps
 * are seldom uploaded) and browser extensions.
 */
export function reportsMissingSource(location: string): boolean {
  return !location.includes('node_modules') && !location.startsWith('chrome-extension:');
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** True for a location that is a URL (`https://…`, `app:///…`, `webpack://…`), not a file path. */
export function isUrlLocation(location: string): boolean {
  return SCHEME.test(location) && !/^[a-z]:[\\/]/i.test(location);
}

/**
 * `relative` resolved against `base` (a URL, a `~/` URL or a file path): how a map's sources are
 * found from the map's location, and a map from its file's. Absolute ones are kept as they are.
 *
 * @example resolveLocation('/srv/app/dist/app.js.map', '../src/math.js') // '/srv/app/src/math.js'
 */
export function resolveLocation(base: string, relative: string): string {
  if (isUrlLocation(relative)) return relative;
  if (base.startsWith('~/')) {
    const resolved = resolveLocation(`http://tilde.invalid${base.slice(1)}`, relative);
    return resolved.startsWith('http://tilde.invalid/')
      ? `~${resolved.slice('http://tilde.invalid'.length)}`
      : resolved;
  }
  if (isUrlLocation(base)) {
    try {
      return new URL(relative, base).href;
    } catch {
      return relative;
    }
  }
  if (relative.startsWith('/')) return relative;
  return path.posix.join(path.posix.dirname(base), relative);
}

/**
 * A map's source as a frame shows it: without the bundler's scheme and namespace
 * (`webpack://app/`) and the `../` that lead out of the build directory.
 *
 * @example sourceFilename('webpack://shop/./src/cart.ts') // 'src/cart.ts'
 */
export function sourceFilename(source: string): string {
  let name = source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '');
  name = name.replace(/^(?:\.\.?\/)+/, '');
  return name === '' ? source : name;
}

/**
 * The module name of a frame mapped to a source: its path without extension, from the package
 * when it is in `node_modules`. It names the code the same way whatever directory or URL the
 * build ran from, which grouping needs.
 *
 * @example sourceModule('../src/math.js') // 'src/math'
 * @example sourceModule('../node_modules/lodash/map.js') // 'lodash/map'
 */
export function sourceModule(source: string): string {
  let name = sourceFilename(source).replace(/[?#].*$/, '');
  const packageAt = name.lastIndexOf('node_modules/');
  if (packageAt >= 0) name = name.slice(packageAt + 'node_modules/'.length);
  return name.replace(/\.[a-z0-9]+$/i, '').replace(/^\//, '');
}

/** Whether a mapped frame's source is the app's own: not a package and not the bundler's runtime. */
export function isInAppSource(source: string): boolean {
  return !/(?:^|\/)node_modules\//.test(source) && !/^webpack:\/\/\/?(?:\(webpack\)|webpack\/)/.test(source);
}
