import { describe, expect, it } from 'vitest';
import { RetainedEnvelopes } from './retained-envelopes.js';

describe('RetainedEnvelopes', () => {
  it('keeps within its byte budget, hands over once and frees the bytes', () => {
    const kept = new RetainedEnvelopes(25);
    expect(kept.keep(1, { records: undefined, payload: Buffer.alloc(10) })).toBe(true);
    expect(kept.keep(2, { records: undefined, payload: Buffer.alloc(10) })).toBe(true);
    // Past the budget: not kept; digest reads that one from the database.
    expect(kept.keep(3, { records: undefined, payload: Buffer.alloc(10) })).toBe(false);
    expect(kept.payload(3)).toBeUndefined();
    expect(kept.size).toBe(20);
    expect(kept.take(1)?.payload).toHaveLength(10);
    expect(kept.take(1)).toBeUndefined();
    expect(kept.size).toBe(10);
    expect(kept.keep(3, { records: undefined, payload: Buffer.alloc(10) })).toBe(true);
  });

  it('drops what it kept longer than its age limit (another node may have digested it)', () => {
    let now = 0;
    const kept = new RetainedEnvelopes(100, 60_000, () => now);
    kept.keep(1, { records: undefined, payload: Buffer.alloc(10) });
    now = 30_000;
    kept.keep(2, { records: undefined, payload: Buffer.alloc(10) });
    now = 61_000;
    kept.keep(3, { records: undefined, payload: Buffer.alloc(10) });
    expect([kept.payload(1), kept.payload(2)?.length, kept.payload(3)?.length]).toEqual([undefined, 10, 10]);
    expect(kept.size).toBe(20);
  });

  it('keeps nothing for an envelope with nothing to keep', () => {
    const kept = new RetainedEnvelopes(100);
    expect(kept.keep(1, { records: undefined, payload: undefined })).toBe(false);
    expect(kept.take(1)).toBeUndefined();
  });
});
