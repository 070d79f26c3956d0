import { describe, expect, it } from 'vitest';
import { WeighedLru } from './weighed-lru.js';

describe('WeighedLru', () => {
  it('drops the entries read longest ago once the weights pass the budget', () => {
    const cache = new WeighedLru<string, number>(10);
    cache.set('a', 1, 4);
    cache.set('b', 2, 4);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3, 4);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.bytes).toBe(8);
  });

  it('replaces an entry with its new weight, and keeps nothing heavier than the budget', () => {
    const cache = new WeighedLru<string, number>(10);
    cache.set('a', 1, 4);
    cache.set('a', 2, 6);
    expect([cache.get('a'), cache.bytes, cache.size]).toEqual([2, 6, 1]);
    cache.set('big', 3, 11);
    expect([cache.has('big'), cache.has('a'), cache.bytes]).toEqual([false, true, 6]);
    cache.set('a', 4, 11);
    expect([cache.has('a'), cache.bytes]).toEqual([false, 0]);
  });

  it('keeps nothing with a budget of 0', () => {
    const cache = new WeighedLru<string, number>(0);
    cache.set('a', 1, 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
