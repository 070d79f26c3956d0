import { describe, expect, it } from 'vitest';
import { duration, percent } from './format.js';

describe('duration', () => {
  it.each([
    [0.5, '0.50 ms'],
    [58.754, '58.75 ms'],
    [999.994, '999.99 ms'],
    [1000, '1.00 s'],
    [1250, '1.25 s'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s → %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('percent', () => {
  it.each([
    [0, '0.0%'],
    [1 / 3, '33.3%'],
    [1, '100.0%'],
    [undefined, '—'],
  ])('%s → %s', (share, text) => {
    expect(percent(share)).toBe(text);
  });
});
