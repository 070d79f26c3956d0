import { describe, expect, it } from 'vitest';
import { parseNumberFilter } from './field-filter.js';
import { IssueQueryError } from './issue-query.js';

describe('parseNumberFilter', () => {
  it.each([
    ['>100', 'duration', { operator: '>', value: 100 }],
    ['100', 'duration', { operator: '=', value: 100 }],
    ['<=1.5s', 'duration', { operator: '<=', value: 1500 }],
    ['>=250ms', 'duration', { operator: '>=', value: 250 }],
    ['<2min', 'duration', { operator: '<', value: 120_000 }],
    ['>1h', 'duration', { operator: '>', value: 3_600_000 }],
    ['<1d', 'duration', { operator: '<', value: 86_400_000 }],
    ['>=-3', 'number', { operator: '>=', value: -3 }],
    ['17', 'number', { operator: '=', value: 17 }],
  ] as const)('%s (%s)', (text, kind, want) => {
    expect(parseNumberFilter('f', text, kind)).toEqual(want);
  });

  it.each([
    ['>fast', 'duration'],
    ['>1x', 'duration'],
    ['1s', 'number'],
    ['', 'number'],
    ['>>1', 'number'],
  ] as const)('refuses %s (%s)', (text, kind) => {
    expect(() => parseNumberFilter('f', text, kind)).toThrow(IssueQueryError);
  });
});
