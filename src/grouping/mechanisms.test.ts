import { describe, expect, it } from 'vitest';
import { computeGrouping, mechanisms } from './mechanisms.js';

const EVENTS = [
  { message: 'User 42 logged in from 10.0.0.1' },
  { exception: [{ type: 'OrderError', value: 'Order 1234 failed' }] },
  { message: 'x', fingerprint: ['db', '{{ default }}'] },
];

describe('mechanisms', () => {
  it('names in each result a mechanism that, asked by that name, groups the event the same', () => {
    // Stored hashes keep the name; the digest recomputes with it to find an issue across a change.
    for (const event of EVENTS) {
      const result = computeGrouping(event);
      expect(mechanisms.has(result.mechanism)).toBe(true);
      expect(computeGrouping(event, result.mechanism)).toEqual(result);
    }
    for (const id of mechanisms.keys()) expect(computeGrouping(EVENTS[0]!, id).mechanism).toBe(id);
  });

  it('still groups by the first mechanism that shipped, as it did then', () => {
    // Hashes stored since errata:2026-11 shipped must be found again, whatever is current.
    expect(computeGrouping({ message: 'User 42 logged in from 10.0.0.1' }, 'errata:2026-11')).toEqual({
      mechanism: 'errata:2026-11',
      hashes: ['f7b00340b2ea964ec8dbefa95eef7155'],
      variant: 'message',
    });
  });

  it('refuses an unknown mechanism', () => {
    expect(() => computeGrouping({}, 'errata:1999-01')).toThrow(
      'unknown grouping mechanism "errata:1999-01"',
    );
    expect(() => computeGrouping({}, 'constructor')).toThrow('unknown grouping mechanism');
  });
});
