import { describe, expect, it } from 'vitest';
import { normalizeExceptions } from './event-exception.js';
import type { EventProblem } from './normalized-event.js';

describe('normalizeExceptions', () => {
  it.each<[string, unknown, unknown[], string[]]>([
    ['absent', undefined, [], []],
    ['values wrapper', { values: [{ type: 'E', value: 'v' }] }, [{ type: 'E', value: 'v' }], []],
    ['bare list (Go SDK)', [{ type: 'E' }, { value: 'v' }], [{ type: 'E' }, { value: 'v' }], []],
    [
      'neither type nor value',
      { values: [{ module: 'm' }, { type: '' }, 5] },
      [],
      ['exception.values.0', 'exception.values.1', 'exception.values.2'],
    ],
    ['not a list', 'boom', [], ['exception']],
    [
      'object value stringified',
      [{ type: 'E', value: { code: 1 } }],
      [{ type: 'E', value: '{"code":1}' }],
      [],
    ],
    ['numeric value', [{ type: 'E', value: 404 }], [{ type: 'E', value: '404' }], []],
    [
      'mechanism of a chained cause (Node)',
      [
        {
          type: 'TypeError',
          value: 'x',
          mechanism: { type: 'chained', source: 'cause', handled: true, exception_id: 1, parent_id: 0 },
        },
      ],
      [
        {
          type: 'TypeError',
          value: 'x',
          mechanism: { type: 'chained', source: 'cause', handled: true, exceptionId: 1, parentId: 0 },
        },
      ],
      [],
    ],
    [
      'synthetic message exception (Node 11 captureMessage)',
      [{ value: 'hi', mechanism: { type: 'generic', handled: true, synthetic: true } }],
      [{ value: 'hi', mechanism: { type: 'generic', handled: true, synthetic: true } }],
      [],
    ],
    [
      'mechanism null (Python) or without type',
      [
        { type: 'E', mechanism: null },
        { type: 'F', mechanism: { handled: false } },
      ],
      [{ type: 'E' }, { type: 'F' }],
      [],
    ],
    [
      'ns_error meta and thread id kept',
      [
        {
          type: 'E',
          thread_id: 5,
          mechanism: { type: 'nserror', meta: { ns_error: { domain: 'D', code: 2 } } },
        },
      ],
      [
        {
          type: 'E',
          threadId: 5,
          mechanism: { type: 'nserror', meta: { ns_error: { domain: 'D', code: 2 } } },
        },
      ],
      [],
    ],
  ])('%s', (_name, input, expected, problemNames) => {
    const problems: EventProblem[] = [];
    expect(normalizeExceptions(input, problems)).toEqual(expected);
    expect(problems.map((p) => p.name)).toEqual(problemNames);
  });
});
