import { describe, expect, it } from 'vitest';
import { parseFunctionCall } from './event-functions.js';

describe('parseFunctionCall', () => {
  it.each([
    ['count()', { name: 'count', args: [] }],
    ['p95( )', { name: 'p95', args: [] }],
    ['p95(span.duration)', { name: 'p95', args: ['span.duration'] }],
    ['percentile(span.duration, 0.99)', { name: 'percentile', args: ['span.duration', '0.99'] }],
    ['count_unique(tags[size,number])', { name: 'count_unique', args: ['tags[size,number]'] }],
    ['count(a,,b)', { name: 'count', args: ['a', '', 'b'] }],
  ])('%s', (field, want) => {
    expect(parseFunctionCall(field)).toEqual(want);
  });

  it.each([['transaction'], ['span.duration'], ['tags[a,number]'], ['(x)'], ['count(']])(
    'leaves the plain field %s alone',
    (field) => {
      expect(parseFunctionCall(field)).toBeUndefined();
    },
  );
});
