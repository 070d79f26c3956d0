import { describe, expect, it } from 'vitest';
import { MAX_EVENT_TAGS, normalizeTags } from './event-tags.js';
import type { EventProblem } from './normalized-event.js';

const long = 'x'.repeat(201);

describe('normalizeTags', () => {
  it.each<[string, unknown, [string, string][], string[]]>([
    ['absent', undefined, [], []],
    ['null', null, [], []],
    [
      'object, keys sorted',
      { b: '2', a: '1' },
      [
        ['a', '1'],
        ['b', '2'],
      ],
      [],
    ],
    [
      'pairs keep order',
      [
        ['b', '2'],
        ['a', '1'],
      ],
      [
        ['b', '2'],
        ['a', '1'],
      ],
      [],
    ],
    [
      'pairs keep the first of a key',
      [
        ['a', '1'],
        ['a', '2'],
      ],
      [['a', '1']],
      [],
    ],
    [
      'number and boolean values, Python style',
      { n: 7, t: true, f: false },
      [
        ['f', 'False'],
        ['n', '7'],
        ['t', 'True'],
      ],
      [],
    ],
    ['values trimmed', { a: '  x ' }, [['a', 'x']], []],
    ['spaces in keys become dashes', { 'page name': 'home' }, [['page-name', 'home']], []],
    ['allowed key characters', { 'a.b:c_d-E9': 'v' }, [['a.b:c_d-E9', 'v']], []],
    ['key with a slash', { 'a/b': 'v', ok: 'v' }, [['ok', 'v']], ['tags.a/b']],
    ['empty key', { '': 'v' }, [], ['tags.']],
    ['key too long', { [long]: 'v' }, [], [`tags.${long}`]],
    ['key of 200 is fine', { ['k'.repeat(200)]: 'v' }, [['k'.repeat(200), 'v']], []],
    ['value too long', { a: long }, [], ['tags.a']],
    ['value of 200 is fine', { a: 'v'.repeat(200) }, [['a', 'v'.repeat(200)]], []],
    ['value with newline', { a: 'x\ny' }, [], ['tags.a']],
    ['empty value', { a: '  ' }, [], ['tags.a']],
    ['null value', { a: null }, [], ['tags.a']],
    ['object value', { a: { b: 1 } }, [], ['tags.a']],
    ['pair that is not a pair', [['a', '1', 'extra'], 'b'], [], ['tags.undefined', 'tags.undefined']],
    ['pair with numeric key', [[1, 'x']], [], ['tags.1']],
    ['not an object or list', 'a=b', [], ['tags']],
  ])('%s', (_name, input, expected, problemNames) => {
    const problems: EventProblem[] = [];
    expect(normalizeTags(input, problems)).toEqual(expected);
    expect(problems.map((p) => p.name)).toEqual(problemNames);
  });
});

describe('normalizeTags bounds', () => {
  it(`keeps the first ${MAX_EVENT_TAGS} valid tags and reports the rest once`, () => {
    const problems: EventProblem[] = [];
    const sent = Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`k${String(i).padStart(5, '0')}`, 'v']),
    );
    const tags = normalizeTags(sent, problems);
    expect(tags).toHaveLength(MAX_EVENT_TAGS);
    expect(tags[0]).toEqual(['k00000', 'v']);
    expect(problems).toEqual([
      { type: 'value_too_long', name: 'tags', value: `20000 tags sent, ${MAX_EVENT_TAGS} kept` },
    ]);
  });
});
