import { describe, expect, it } from 'vitest';
import { boundEventData, MAX_CONTAINER_ITEMS, MAX_EVENT_DEPTH, MAX_STRING_CHARS } from './event-bounds.js';
import type { EventProblem } from './normalized-event.js';

function depthOf(value: unknown): number {
  let depth = 0;
  for (let node = value; typeof node === 'object' && node !== null; depth++)
    node = (node as { a: unknown }).a;
  return depth;
}

describe('boundEventData', () => {
  it('returns the payload itself when it is within bounds', () => {
    const data = { message: 'hi', extra: { list: [1, 2, { a: 'b' }] } };
    const problems: EventProblem[] = [];
    expect(boundEventData(data, problems)).toBe(data);
    expect(problems).toEqual([]);
  });

  it('drops containers past the depth limit, from JSON deeper than any stack', () => {
    const data = JSON.parse(`{"extra":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`);
    const problems: EventProblem[] = [];
    const bounded = boundEventData(data, problems);
    // The event is the first container, extra the second.
    expect(depthOf(bounded.extra)).toBe(MAX_EVENT_DEPTH - 1);
    expect(JSON.stringify(bounded).length).toBeLessThan(1000);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.name).toMatch(/^extra(\.a)+$/);
  });

  it('keeps the first items of wide lists and objects, and cuts long strings and keys', () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_CONTAINER_ITEMS + 5 }, (_, i) => [`k${i}`, i]));
    const list = Array.from({ length: MAX_CONTAINER_ITEMS + 5 }, (_, i) => i);
    const long = `${'x'.repeat(MAX_STRING_CHARS - 4)}😀${'y'.repeat(10)}`;
    const problems: EventProblem[] = [];
    const bounded = boundEventData({ extra: { wide, list, long, [long]: 1 } }, problems);
    const extra = bounded.extra as Record<string, unknown>;
    expect(Object.keys(extra.wide as object)).toHaveLength(MAX_CONTAINER_ITEMS);
    expect(extra.list).toEqual(list.slice(0, MAX_CONTAINER_ITEMS));
    // Cut before the surrogate pair rather than through it.
    expect(extra.long).toBe(`${'x'.repeat(MAX_STRING_CHARS - 4)}...`);
    expect(Object.keys(extra).some((k) => k.length === MAX_STRING_CHARS - 1 && k.endsWith('...'))).toBe(true);
    expect(problems.map((p) => p.name)).toEqual(
      expect.arrayContaining(['extra.wide', 'extra.list', 'extra.long']),
    );
  });

  it('keeps a __proto__ key a plain key of the copy', () => {
    const data = JSON.parse(
      `{"extra":{"__proto__":{"polluted":1},"s":"${'x'.repeat(MAX_STRING_CHARS + 1)}"}}`,
    );
    const bounded = boundEventData(data, []);
    const extra = bounded.extra as Record<string, unknown>;
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.hasOwn(extra, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names at most ten trimmed places, then the count', () => {
    const extra = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`k${i}`, 'x'.repeat(MAX_STRING_CHARS + 1)]),
    );
    const problems: EventProblem[] = [];
    boundEventData({ extra }, problems);
    expect(problems).toHaveLength(11);
    expect(problems.at(-1)).toEqual({ type: 'value_too_long', name: 'event', value: '30 places trimmed' });
  });
});

describe('boundEventData and U+0000', () => {
  it('replaces NUL in strings and keys, so every engine can store what is derived from them', () => {
    const problems: EventProblem[] = [];
    const bounded = boundEventData({ message: 'a\u0000b', tags: { 'k\u0000': 'v' } }, problems);
    expect(bounded).toEqual({ message: 'a\ufffdb', tags: { 'k\ufffd': 'v' } });
    expect(problems).toEqual([]);
  });
});
