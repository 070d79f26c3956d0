import { decodedMappings, TraceMap } from '@jridgewell/trace-mapping';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const MAPPINGS = /^[A-Za-z0-9+/,;]*$/;

/** By character code: 1 for a base64 digit with the continuation bit set (a VLQ number goes on). */
const CONTINUES = new Uint8Array(128);
for (const digit of BASE64.slice(32)) CONTINUES[digit.charCodeAt(0)] = 1;
const COMMA = 44;
const SEMICOLON = 59;

/** Checks that every segment is made of whole VLQ numbers, 1, 4 or 5 of them (one pass: maps run to megabytes). */
function segmentProblem(mappings: string): string | null {
  let fields = 0;
  let line = 1;
  let open = false;
  for (let i = 0; i <= mappings.length; i++) {
    const code = i < mappings.length ? mappings.charCodeAt(i) : SEMICOLON;
    if (code === COMMA || code === SEMICOLON) {
      if (open) return 'mappings has an unfinished VLQ number';
      if (fields !== 0 && fields !== 1 && fields !== 4 && fields !== 5) {
        return `mappings line ${line} has a segment of ${fields} fields`;
      }
      fields = 0;
      if (code === SEMICOLON) line++;
      continue;
    }
    open = CONTINUES[code] === 1;
    // The decoder drops stray fields, so they are counted here.
    if (!open) fields++;
  }
  return null;
}

interface RawMap {
  version?: unknown;
  sources?: unknown;
  names?: unknown;
  mappings?: unknown;
  sections?: unknown;
}

/**
 * What is wrong with a source map (version 3, regular or indexed), or null when symbolication can
 * use it: valid JSON, `sources` and `names` lists, and `mappings` made of whole VLQ segments of
 * 1, 4 or 5 fields whose source and name indexes exist and whose positions are not negative.
 * The decoder is lenient (it reads garbage as numbers), so these checks run on its output.
 *
 * @example sourceMapProblem('{"version":3,"sources":[],"names":[],"mappings":"!"}') // 'mappings …'
 */
export function sourceMapProblem(text: string): string | null {
  let map: unknown;
  try {
    map = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  return mapProblem(map, 0);
}

function mapProblem(map: unknown, depth: number): string | null {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return 'not a JSON object';
  const raw = map as RawMap;
  if (raw.version !== 3) return `version ${JSON.stringify(raw.version)} is not 3`;
  if (raw.sections !== undefined) return sectionsProblem(raw.sections, depth);
  if (!Array.isArray(raw.sources)) return 'sources is not a list';
  if (raw.names !== undefined && !Array.isArray(raw.names)) return 'names is not a list';
  if (typeof raw.mappings !== 'string') return 'mappings is not a string';
  const mappings = raw.mappings;
  if (!MAPPINGS.test(mappings)) return 'mappings holds characters outside base64 VLQ';
  const segments = segmentProblem(mappings);
  if (segments) return segments;
  let lines: ReturnType<typeof decodedMappings>;
  try {
    lines = decodedMappings(new TraceMap(raw as never));
  } catch (error) {
    return `mappings cannot be decoded (${(error as Error).message})`;
  }
  const sources = raw.sources.length;
  const names = Array.isArray(raw.names) ? raw.names.length : 0;
  for (const [line, segments] of lines.entries()) {
    for (const segment of segments as readonly number[][]) {
      const [column, source, sourceLine, sourceColumn, name] = segment;
      const where = `mappings line ${line + 1}`;
      if ((column as number) < 0) return `${where} has a negative column`;
      if (source === undefined) continue;
      if (source < 0 || source >= sources) return `${where} names source ${source} of ${sources}`;
      if ((sourceLine as number) < 0 || (sourceColumn as number) < 0)
        return `${where} has a negative position`;
      if (name !== undefined && (name < 0 || name >= names)) return `${where} names name ${name} of ${names}`;
    }
  }
  return null;
}

function sectionsProblem(sections: unknown, depth: number): string | null {
  if (depth > 0) return 'sections are nested';
  if (!Array.isArray(sections)) return 'sections is not a list';
  for (const [index, section] of sections.entries()) {
    const map = (section as { map?: unknown } | null)?.map;
    if (map === undefined) return `section ${index} has no map (maps by URL are not supported)`;
    const problem = mapProblem(map, depth + 1);
    if (problem) return `section ${index}: ${problem}`;
  }
  return null;
}
