import type { ParsedSourceMap } from '../lib/parsed-source-map.js';
import type { SourceContext, SourceText } from '../lib/source-text.js';
import {
  isInAppSource,
  type JsProcessingError,
  resolveLocation,
  sourceFilename,
  sourceModule,
} from '../protocol/js-frames.js';

type Json = Record<string, unknown>;

/** How a frame's map was found, as Sentry's frame `data.resolved_with` says it. */
export type ResolvedWith = 'debug-id' | 'release';

/** A frame's source map, read and parsed, with the minified file it belongs to when that was uploaded. */
export interface FrameSources {
  /** The map's URL in its bundle (`~/static/app.js.map`). */
  readonly mapUrl: string;
  /** The parsed map, or why it cannot be read. */
  readonly map: ParsedSourceMap | { readonly problem: string };
  /** The minified file's text, for function names. */
  readonly minified?: SourceText;
  /** The minified file's `sourcemap` header: where its map is, relative to it. */
  readonly sourcemapHeader?: string | null;
  readonly resolvedWith: ResolvedWith;
}

/** One frame to map: where it ran (its file, 1-based line and column) and in which function. */
export interface FramePosition {
  readonly location: string;
  readonly line: number;
  readonly column: number;
}

export type MappedFrame =
  | { readonly frame: Json; readonly error?: JsProcessingError }
  | { readonly error: JsProcessingError };

const CONTEXT_KEYS = new Set(['pre_context', 'context_line', 'post_context']);

const basename = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/**
 * Where the map sits as the running code sees it: its sources are relative to that. The minified
 * file's `sourcemap` header says, else the map is taken to lie beside the file, as bundlers write it.
 */
function mapLocation(position: FramePosition, sources: FrameSources): string {
  const header = sources.sourcemapHeader;
  const relative = header && !header.startsWith('data:') ? header : basename(sources.mapUrl);
  return resolveLocation(position.location, relative);
}

/**
 * A frame mapped through its source map: the original file (`abs_path` resolved as the running
 * code would, `filename` and `module` as the map names the source), line, column, function name,
 * `in_app` from the original path, and the context lines from the map's `sourcesContent`. The
 * frame's other fields are kept. Only an error when the position has no mapping; a mapped frame
 * whose map lacks the source's text comes with `js_missing_sources_content`.
 */
export function mapFrame(frame: Json, position: FramePosition, sources: FrameSources): MappedFrame {
  const { map } = sources;
  if (!('originalPosition' in map)) return { error: { type: 'js_invalid_source', url: sources.mapUrl } };
  const minifiedName = typeof frame.function === 'string' ? frame.function : undefined;
  const original = originalFrame(map, position, minifiedName, sources);
  if ('type' in original) return { error: original };

  // Built key by key: spreading the frame and deleting its context lines costs V8 twenty times more.
  const mapped: Json = {};
  for (const field in frame) if (!CONTEXT_KEYS.has(field)) mapped[field] = frame[field];
  mapped.abs_path = original.absPath;
  mapped.filename = original.filename;
  mapped.module = original.module;
  mapped.lineno = original.line;
  mapped.colno = original.column;
  mapped.in_app = original.inApp;
  if (original.function !== undefined) mapped.function = original.function;
  const data = { sourcemap: sources.mapUrl, resolved_with: sources.resolvedWith };
  mapped.data =
    typeof frame.data === 'object' && frame.data !== null ? { ...(frame.data as Json), ...data } : data;
  // The minified file's lines (left out above) would stand beside the original position.
  const { context } = original;
  if (context === undefined) {
    return {
      frame: mapped,
      error: { type: 'js_missing_sources_content', source: original.absPath, sourcemap: sources.mapUrl },
    };
  }
  mapped.pre_context = context.pre;
  mapped.context_line = context.line;
  mapped.post_context = context.post;
  return { frame: mapped };
}

/** What a frame's position maps to, apart from the frame itself: what `mapFrame` remembers per map. */
interface OriginalFrame {
  readonly absPath: string;
  readonly filename: string;
  readonly module: string;
  readonly line: number;
  readonly column: number;
  readonly inApp: boolean;
  readonly function: string | undefined;
  readonly context: SourceContext | undefined;
}

function originalFrame(
  map: ParsedSourceMap,
  position: FramePosition,
  minifiedName: string | undefined,
  sources: FrameSources,
): OriginalFrame | JsProcessingError {
  const original = map.originalPosition(position.line, position.column);
  if (original === undefined) {
    return {
      type: 'js_invalid_sourcemap_location',
      column: position.column,
      row: position.line,
      source: position.location,
    };
  }
  const source = map.sources[original.sourceIndex] ?? '';
  return {
    absPath: resolveLocation(mapLocation(position, sources), source),
    filename: sourceFilename(source),
    module: sourceModule(source),
    line: original.line,
    column: original.column,
    inApp: isInAppSource(source) && !map.isIgnored(original.sourceIndex),
    function:
      minifiedName && sources.minified
        ? map.functionName(position.line, position.column, minifiedName, sources.minified)
        : undefined,
    context: map.sourceText(original.sourceIndex)?.context(original.line, original.column),
  };
}
