import { decodedMappings, FlattenMap, type SourceMapSegment, type TraceMap } from '@jridgewell/trace-mapping';
import { SourceText } from './source-text.js';

/** Where a generated position came from. Lines and columns are 1-based, as stack frames count them. */
export interface OriginalPosition {
  /** Index into `sources`. */
  readonly sourceIndex: number;
  readonly line: number;
  readonly column: number;
}

/** How far back from a frame the search for its function's declaration goes, in mapping segments. */
const MAX_SEGMENTS_BACK = 20_000;

/** Receivers engines name frames by that no minifier renames: no declaration of theirs is looked for. */
const BUILT_IN_RECEIVERS = new Set([
  'Object',
  'Array',
  'Function',
  'Promise',
  'Module',
  'global',
  'globalThis',
  'window',
  'process',
  'EventEmitter',
  'HTMLDocument',
  'Generator',
  'AsyncGenerator',
]);

/** Bytes a decoded mapping segment takes in V8, roughly: a small array of four or five numbers. */
const SEGMENT_BYTES = 64;

const DECLARING_KEYWORD = /(?:^|[^\p{ID_Continue}$])(?:function\s*\*?|class)\s*$/u;
const ASSIGNED = /^\s*=(?![=>])/;

/**
 * A source map (version 3, regular or indexed) parsed for lookups: original positions of generated
 * ones, the original names of minified functions, and the original sources' text. Built once and
 * kept (see `weight`), since parsing a large map costs far more than any lookup.
 *
 * @example
 * const map = ParsedSourceMap.parse(text);
 * const at = map.originalPosition(1, 32); // { sourceIndex: 0, line: 2, column: 15 }
 * map.sources[at.sourceIndex]; // '../src/math.js'
 */
export class ParsedSourceMap {
  /** The sources as the map names them, its `sourceRoot` applied (relative to the map's own URL). */
  readonly sources: readonly string[];
  readonly weight: number;
  private readonly map: TraceMap;
  private readonly lines: readonly (readonly SourceMapSegment[])[];
  private readonly ignored: ReadonlySet<number>;
  private readonly texts = new Map<number, SourceText | null>();

  private constructor(map: TraceMap, textLength: number) {
    this.map = map;
    this.sources = map.resolvedSources;
    this.lines = decodedMappings(map) as readonly (readonly SourceMapSegment[])[];
    this.ignored = new Set(map.ignoreList ?? []);
    let segments = 0;
    for (const line of this.lines) segments += line.length;
    // The JSON's strings stay referenced (sources' contents, names), two bytes a character.
    this.weight = textLength * 2 + segments * SEGMENT_BYTES;
  }

  /** Parses a map's JSON text; throws when it is not a source map this can read. */
  static parse(text: string): ParsedSourceMap {
    return new ParsedSourceMap(new FlattenMap(text), text.length);
  }

  /**
   * The original position of a generated 1-based line and column: the mapping at or before the
   * column on that line. Undefined when that line has no mapping there or it maps to no source.
   */
  originalPosition(line: number, column: number): OriginalPosition | undefined {
    const segment = this.segmentAt(line - 1, column - 1);
    if (segment === undefined || segment.index < 0) return undefined;
    const found = this.lines[line - 1]?.[segment.index];
    if (found === undefined || found.length === 1) return undefined;
    return { sourceIndex: found[1], line: found[2] + 1, column: found[3] + 1 };
  }

  /** The index of the last segment of a 0-based line at or before a 0-based column (-1: none). */
  private segmentAt(line: number, column: number): { index: number } | undefined {
    const segments = this.lines[line];
    if (segments === undefined) return undefined;
    let low = 0;
    let high = segments.length - 1;
    let index = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if ((segments[mid] as SourceMapSegment)[0] <= column) {
        index = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return { index };
  }

  /**
   * The original name of the function a minified frame ran in. Engines name a frame by the
   * function's minified name (`t`, `o.compute`): each part is looked for backwards from the frame,
   * as a declaration in the minified source (`function t`, `class o`, `o=`) that the map gives a
   * name; a part not found stays as it is. Undefined when no part was found. A heuristic, as
   * Sentry's is: the nearest such declaration is taken to be the function's own.
   */
  functionName(line: number, column: number, minifiedName: string, minified: SourceText): string | undefined {
    const prefix = /^(?:async |new )/.exec(minifiedName)?.[0] ?? '';
    const alias = minifiedName.indexOf(' [as ');
    const bare = minifiedName.slice(prefix.length, alias > 0 ? alias : undefined);
    const parts = bare.split('.');
    let renamed = false;
    const named = parts.map((part) => {
      const original =
        part === '' || part.startsWith('<') || part.startsWith('HTML') || BUILT_IN_RECEIVERS.has(part)
          ? undefined
          : this.declaredName(line, column, part, minified);
      if (original !== undefined) renamed = true;
      return original ?? part;
    });
    return renamed ? `${prefix}${named.join('.')}` : undefined;
  }

  private declaredName(line: number, column: number, identifier: string, minified: SourceText) {
    const { names } = this.map;
    let lineIndex = line - 1;
    let index = this.segmentAt(lineIndex, column - 1)?.index ?? -1;
    for (let seen = 0; seen < MAX_SEGMENTS_BACK && lineIndex >= 0; seen++) {
      if (index < 0) {
        lineIndex--;
        index = (this.lines[lineIndex]?.length ?? 0) - 1;
        continue;
      }
      const segment = this.lines[lineIndex]?.[index] as SourceMapSegment;
      index--;
      if (segment.length !== 5) continue;
      const around = minified.identifierAt(lineIndex, segment[0], identifier);
      if (around && (DECLARING_KEYWORD.test(around.before) || ASSIGNED.test(around.after)))
        return names[segment[4]];
    }
    return undefined;
  }

  /** The text of a source the map carries (`sourcesContent`); undefined when it has none. */
  sourceText(sourceIndex: number): SourceText | undefined {
    let text = this.texts.get(sourceIndex);
    if (text === undefined) {
      const content = this.map.sourcesContent?.[sourceIndex];
      text = typeof content === 'string' ? new SourceText(content) : null;
      this.texts.set(sourceIndex, text);
    }
    return text ?? undefined;
  }

  /** True when the map lists the source as one to leave out of stack traces (`ignoreList`). */
  isIgnored(sourceIndex: number): boolean {
    return this.ignored.has(sourceIndex);
  }
}
