import { describe, expect, it } from 'vitest';
import { asBoolean, asCount, asLenientString, asObject, asString, asValues, compact } from './json-read.js';

describe('json readers', () => {
  it.each<[string, (v: unknown) => unknown, unknown, unknown]>([
    ['asObject object', asObject, { a: 1 }, { a: 1 }],
    ['asObject array', asObject, [1], undefined],
    ['asObject null', asObject, null, undefined],
    ['asString string', asString, 'x', 'x'],
    ['asString number', asString, 1, undefined],
    ['asLenientString number', asLenientString, 42, '42'],
    ['asLenientString boolean', asLenientString, true, 'true'],
    ['asLenientString NaN', asLenientString, Number.NaN, undefined],
    ['asLenientString object', asLenientString, {}, undefined],
    ['asBoolean', asBoolean, false, false],
    ['asBoolean string', asBoolean, 'true', undefined],
    ['asCount integer', asCount, 3, 3],
    ['asCount digit string', asCount, '12', 12],
    ['asCount negative', asCount, -1, undefined],
    ['asCount fraction', asCount, 1.5, undefined],
    ['asValues list', asValues, [1, 2], [1, 2]],
    ['asValues wrapper', asValues, { values: [1] }, [1]],
    ['asValues wrapper without list', asValues, { values: 1 }, undefined],
    ['asValues null', asValues, null, undefined],
  ])('%s', (_name, read, input, expected) => {
    expect(read(input)).toEqual(expected);
  });

  it('compact drops undefined fields only', () => {
    expect(compact({ a: undefined, b: null, c: 0, d: '' })).toStrictEqual({ b: null, c: 0, d: '' });
  });
});
