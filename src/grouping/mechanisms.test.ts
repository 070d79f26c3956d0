import { describe, expect, it } from 'vitest';
import { CURRENT_MECHANISM, computeGrouping, mechanisms } from './mechanisms.js';

describe('mechanisms', () => {
  it('registers the current mechanism under its id', () => {
    expect(CURRENT_MECHANISM).toBe('errata:2026-11');
    expect(mechanisms.get(CURRENT_MECHANISM)?.id).toBe(CURRENT_MECHANISM);
    for (const [id, mechanism] of mechanisms) expect(mechanism.id).toBe(id);
  });

  it('groups with the current mechanism by default and names it in the result', () => {
    const event = { message: 'Order 1234 failed' };
    const result = computeGrouping(event);
    expect(result).toEqual(computeGrouping(event, CURRENT_MECHANISM));
    expect(result).toMatchObject({ mechanism: CURRENT_MECHANISM, variant: 'message' });
    expect(result.hashes).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
  });

  it('refuses an unknown mechanism', () => {
    expect(() => computeGrouping({}, 'errata:1999-01')).toThrow(
      'unknown grouping mechanism "errata:1999-01"',
    );
    expect(() => computeGrouping({}, 'constructor')).toThrow('unknown grouping mechanism');
  });
});
