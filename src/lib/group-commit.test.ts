import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('writes items added in the same turn as one batch, and later ones in the next', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const writer = new GroupCommit<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = [writer.add(1), writer.add(2), writer.add(3)];
    await new Promise((r) => setImmediate(r));
    const second = [writer.add(4), writer.add(5)];
    expect(batches).toEqual([[1, 2, 3]]);
    release();
    await Promise.all([...first, ...second]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects every caller of a failed batch and keeps going', async () => {
    let fail = true;
    const writer = new GroupCommit<string>(async () => {
      if (fail) throw new Error('disk full');
    });
    const results = await Promise.allSettled([writer.add('a'), writer.add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(writer.add('c')).resolves.toBeUndefined();
  });

  it('caps a batch at maxBatch items', async () => {
    const sizes: number[] = [];
    const writer = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => writer.add(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('says when everything added so far is written', async () => {
    const written: number[] = [];
    const writer = new GroupCommit<number>(async (items) => {
      await new Promise((r) => setImmediate(r));
      written.push(...items);
    }, 2);
    await writer.idle();
    for (const n of [1, 2, 3]) void writer.add(n);
    await writer.idle();
    expect(written).toEqual([1, 2, 3]);
  });
});
