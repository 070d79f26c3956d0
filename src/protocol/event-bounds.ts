import type { EventProblem } from './normalized-event.js';

/**
 * How deep the protocol itself nests before free-form data starts: a frame's `vars` sit eight
 * containers down (event, exception, values, one exception, stacktrace, frames, one frame, vars).
 */
const PROTOCOL_DEPTH = 8;
/** Relay's deepest data bag (extra, contexts, frame vars, request data): 7 levels. */
export const MAX_DATABAG_DEPTH = 7;
/**
 * Containers nested in a stored event at most, the event itself counted. Deeper ones are dropped
 * (null), as Relay drops what lies past a data bag's depth: readers walk documents recursively
 * (JSON.stringify among them), and one nested 20,000 deep overflows their stack.
 */
export const MAX_EVENT_DEPTH = PROTOCOL_DEPTH + MAX_DATABAG_DEPTH;
/**
 * Items kept of one list or object; the rest are dropped. Relay trims data bags by a byte budget
 * rather than a count; a count is enough here, since the event is already at most 1 MiB: it is
 * above Relay's own caps on lists (250 frames, 100 breadcrumbs) and bounds what one reader walks.
 */
export const MAX_CONTAINER_ITEMS = 1000;
/**
 * Characters kept of one string (or object key) in free-form data; a longer one is cut and ends
 * in `...`, as Relay cuts. Relay's budget for one `extra` value: 16 KiB.
 */
export const MAX_STRING_CHARS = 16_384;
/**
 * What U+0000 in a string or key becomes: PostgreSQL text cannot hold it, so an event's title, tags
 * and other columns would fail to store there, and the event must read the same on both engines.
 */
const NUL_REPLACEMENT = '\ufffd';
/** Trimmed places named in `problems` per event; past it, the count alone. */
const MAX_NAMED_PLACES = 10;

/**
 * The payload within MAX_EVENT_DEPTH, MAX_CONTAINER_ITEMS and MAX_STRING_CHARS, without U+0000
 * (NUL_REPLACEMENT instead): the same object when
 * it is (nothing copied, the common case), else a trimmed copy, with the trimmed places added to
 * `problems`. Never recurses deeper than MAX_EVENT_DEPTH, whatever the payload's depth.
 *
 * @example
 * boundEventData({ extra: { s: 'x'.repeat(20_000) } }, []).extra // { s: 'xxx…x...' } (16,384 chars)
 */
export function boundEventData(
  data: Record<string, unknown>,
  problems: EventProblem[],
): Record<string, unknown> {
  if (withinBounds(data, 1)) return data;
  const places: string[] = [];
  const trimmed = trimValue(data, 1, '', places) as Record<string, unknown>;
  for (const place of places.slice(0, MAX_NAMED_PLACES))
    problems.push({ type: 'value_too_long', name: place || 'event' });
  if (places.length > MAX_NAMED_PLACES)
    problems.push({ type: 'value_too_long', name: 'event', value: `${places.length} places trimmed` });
  return trimmed;
}

function withinBounds(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.length <= MAX_STRING_CHARS && !value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return true;
  if (depth > MAX_EVENT_DEPTH) return false;
  if (Array.isArray(value)) {
    if (value.length > MAX_CONTAINER_ITEMS) return false;
    for (const item of value) if (!withinBounds(item, depth + 1)) return false;
    return true;
  }
  let count = 0;
  for (const key in value) {
    if (++count > MAX_CONTAINER_ITEMS || key.length > MAX_STRING_CHARS || key.includes('\u0000'))
      return false;
    if (!withinBounds((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** Cuts a string to MAX_STRING_CHARS ending in `...`, without splitting a surrogate pair. */
function cutString(text: string): string {
  if (text.length <= MAX_STRING_CHARS) return text;
  let end = MAX_STRING_CHARS - 3;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}...`;
}

function trimValue(value: unknown, depth: number, path: string, places: string[]): unknown {
  if (typeof value === 'string') {
    if (value.length <= MAX_STRING_CHARS && !value.includes('\u0000')) return value;
    if (value.length > MAX_STRING_CHARS) places.push(path);
    return cutString(value).replaceAll('\u0000', NUL_REPLACEMENT);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_EVENT_DEPTH) {
    places.push(path);
    return null;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_CONTAINER_ITEMS) places.push(path);
    return value
      .slice(0, MAX_CONTAINER_ITEMS)
      .map((item, index) => trimValue(item, depth + 1, `${path}.${index}`, places));
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const key in value) {
    if (++count > MAX_CONTAINER_ITEMS) {
      places.push(path);
      break;
    }
    const name = cutString(key).replaceAll('\u0000', NUL_REPLACEMENT);
    const child = path === '' ? name.slice(0, 64) : `${path}.${name.slice(0, 64)}`;
    if (key.length > MAX_STRING_CHARS) places.push(child);
    // Defined, not assigned: a payload's own `__proto__` key must stay a plain key.
    Object.defineProperty(out, name, {
      value: trimValue((value as Record<string, unknown>)[key], depth + 1, child, places),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
