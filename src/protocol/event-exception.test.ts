import { describe, expect, it } from 'vitest';
import { normalizeExceptions, normalizeStacktrace, normalizeThreads } from './event-exception.js';
import type { EventProblem } from './normalized-event.js';

describe('normalizeStacktrace', () => {
  it.each<[string, unknown, unknown]>([
    ['absent', undefined, undefined],
    ['no frames', { frames: [] }, undefined],
    ['frames not a list', { frames: {} }, undefined],
    ['only junk frames', { frames: [1, null] }, undefined],
    [
      'a Node frame',
      {
        frames: [
          {
            filename: '/app/a.js',
            module: 'a',
            function: 'f',
            lineno: 3,
            colno: 7,
            in_app: true,
            pre_context: ['x'],
            context_line: 'y',
            post_context: ['z'],
          },
        ],
      },
      {
        frames: [
          {
            filename: '/app/a.js',
            module: 'a',
            function: 'f',
            lineno: 3,
            colno: 7,
            inApp: true,
            preContext: ['x'],
            contextLine: 'y',
            postContext: ['z'],
          },
        ],
      },
    ],
    [
      'a Python frame with nulls, vars and abs_path',
      {
        frames: [
          {
            filename: 'a.py',
            abs_path: '/a.py',
            module: null,
            lineno: 1,
            vars: { x: '1' },
            pre_context: [null, 'b'],
          },
        ],
      },
      {
        frames: [{ filename: 'a.py', absPath: '/a.py', lineno: 1, vars: { x: '1' }, preContext: ['', 'b'] }],
      },
    ],
    [
      'native addresses and bad line numbers',
      {
        frames: [
          {
            instruction_addr: '0x1',
            symbol_addr: '0x0',
            image_addr: '0x2',
            lineno: 0,
            colno: -1,
            in_app: 'yes',
          },
        ],
      },
      { frames: [{ instructionAddr: '0x1', symbolAddr: '0x0', imageAddr: '0x2' }] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(normalizeStacktrace(input)).toEqual(expected);
  });
});

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

describe('normalizeThreads', () => {
  it.each<[string, unknown, unknown]>([
    ['absent', undefined, []],
    [
      'values wrapper',
      {
        values: [
          {
            id: 1,
            name: 'main',
            crashed: true,
            current: true,
            main: true,
            stacktrace: { frames: [{ function: 'f' }] },
          },
        ],
      },
      [
        {
          id: 1,
          name: 'main',
          crashed: true,
          current: true,
          main: true,
          stacktrace: { frames: [{ function: 'f' }] },
        },
      ],
    ],
    ['bare list, string id, junk dropped', [{ id: 'worker-1' }, 'x'], [{ id: 'worker-1' }]],
  ])('%s', (_name, input, expected) => {
    expect(normalizeThreads(input)).toEqual(expected);
  });
});
