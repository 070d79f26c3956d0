import { asObject } from './json-read.js';
import type { EventProblem, EventTag } from './normalized-event.js';

/** Relay's limits (ingestion.md §5.2); longer tags are dropped, not cut. */
export const MAX_TAG_KEY_LENGTH = 200;
export const MAX_TAG_VALUE_LENGTH = 200;
/**
 * Tags kept of one event; the rest are dropped (the first ones, in the order below, are kept).
 * Relay counts none, but an event's tags become one row per value on its issue and a group in its
 * tag summary, and no SDK sends near this many: the 1 MiB event limit alone would let tens of
 * thousands through.
 */
export const MAX_EVENT_TAGS = 200;

const TAG_KEY = /^[a-zA-Z0-9_.:-]+$/;

function tagValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // Python spelling, as Relay writes booleans.
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return undefined;
}

/**
 * Normalizes `tags`, sent as an object or as a list of `[key, value]` pairs, to a pair list.
 * Object keys come out sorted (as Relay does); pairs keep their order and the first of a
 * repeated key. Keys get spaces turned into `-` and must then be `[a-zA-Z0-9_.:-]{1,200}`;
 * values are stringified (`true` → `True`), trimmed, non-empty, ≤ 200 chars, one line.
 * Anything else is dropped and reported in `problems`, as are the tags past MAX_EVENT_TAGS.
 */
export function normalizeTags(value: unknown, problems: EventProblem[]): EventTag[] {
  if (value === undefined || value === null) return [];
  let entries: [unknown, unknown][];
  if (Array.isArray(value)) {
    entries = value.map((pair) =>
      Array.isArray(pair) && pair.length === 2 ? [pair[0], pair[1]] : [undefined, pair],
    );
  } else {
    const object = asObject(value);
    if (object === undefined) {
      problems.push({ type: 'invalid_data', name: 'tags', value });
      return [];
    }
    entries = Object.keys(object)
      .sort()
      .map((key) => [key, object[key]]);
  }

  const tags: EventTag[] = [];
  const seen = new Set<string>();
  for (const [rawKey, rawValue] of entries) {
    if (tags.length === MAX_EVENT_TAGS) {
      problems.push({
        type: 'value_too_long',
        name: 'tags',
        value: `${entries.length} tags sent, ${MAX_EVENT_TAGS} kept`,
      });
      break;
    }
    const key = typeof rawKey === 'string' ? rawKey.replaceAll(' ', '-').trim() : undefined;
    if (key === undefined || key.length > MAX_TAG_KEY_LENGTH || !TAG_KEY.test(key)) {
      problems.push({ type: 'invalid_data', name: `tags.${String(rawKey)}`, value: rawKey });
      continue;
    }
    const text = tagValue(rawValue);
    if (text === undefined || text === '' || text.length > MAX_TAG_VALUE_LENGTH || text.includes('\n')) {
      problems.push({ type: 'invalid_data', name: `tags.${key}`, value: rawValue });
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    tags.push([key, text]);
  }
  return tags;
}
