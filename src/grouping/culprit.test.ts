import { describe, expect, it } from 'vitest';
import { deriveCulprit } from './culprit.js';
import type { GroupingInput } from './grouping-input.js';

const withFrames = (platform: string | undefined, frames: object[], extra: object = {}): GroupingInput => ({
  platform,
  exception: [{ type: 'E', value: 'x', stacktrace: { frames } }],
  ...extra,
});

describe('deriveCulprit', () => {
  it.each<[string, GroupingInput, string]>([
    [
      'python: module in function',
      withFrames('python', [{ module: 'app.views', function: 'index', in_app: true }]),
      'app.views in index',
    ],
    [
      'node: function(filename)',
      withFrames('node', [{ filename: '/app/server.js', function: 'handler', in_app: true }]),
      'handler(/app/server.js)',
    ],
    [
      'javascript: module wins over filename',
      withFrames('javascript', [{ module: 'app', filename: 'a.js', function: 'f', in_app: true }]),
      'f(app)',
    ],
    [
      'cocoa: function only',
      withFrames('cocoa', [{ filename: 'main.m', function: '-[App crash]', in_app: true }]),
      '-[App crash]',
    ],
    ['native without function: ?', withFrames('native', [{ filename: 'main.c', in_app: true }]), '?'],
    ['missing function: ?', withFrames('python', [{ module: 'app.views', in_app: true }]), 'app.views in ?'],
    [
      'frame platform wins over the event platform',
      withFrames('python', [{ module: 'm', function: 'f', platform: 'node', in_app: true }]),
      'f(m)',
    ],
    [
      'newest in-app frame wins',
      withFrames('python', [
        { module: 'app.a', function: 'outer', in_app: true },
        { module: 'app.b', function: 'inner', in_app: true },
        { module: 'lib.c', function: 'call', in_app: false },
      ]),
      'app.b in inner',
    ],
    [
      'no in-app frame: the newest frame',
      withFrames('python', [
        { module: 'lib.a', function: 'one', in_app: false },
        { module: 'lib.b', function: 'two' },
      ]),
      'lib.b in two',
    ],
    [
      'in-app frame without a location is skipped',
      withFrames('python', [
        { module: 'app.a', function: 'outer', in_app: true },
        { function: 'inner', in_app: true },
      ]),
      'app.a in outer',
    ],
    [
      'the last exception with frames decides',
      {
        platform: 'python',
        exception: [
          { type: 'A', stacktrace: { frames: [{ module: 'app.a', function: 'a', in_app: true }] } },
          { type: 'B', stacktrace: { frames: [{ module: 'app.b', function: 'b', in_app: true }] } },
          { type: 'C' },
        ],
      },
      'app.b in b',
    ],
    [
      'top-level stack trace for messages',
      { message: 'm', stacktrace: { frames: [{ module: 'app.x', function: 'y' }] } },
      'app.x in y',
    ],
    [
      'request URL when there are no frames',
      { exception: [{ type: 'E' }], request: { url: 'https://x.io/a' } },
      'https://x.io/a',
    ],
    [
      'synthetic main exception: empty, even with a request URL',
      {
        exception: [
          {
            type: 'E',
            mechanism: { synthetic: true },
            stacktrace: { frames: [{ module: 'm', function: 'f' }] },
          },
        ],
        request: { url: 'https://x.io/a' },
      },
      '',
    ],
    [
      'transaction wins over frames',
      withFrames('python', [{ module: 'm', function: 'f' }], { transaction: ' /users/{id} ' }),
      '/users/{id}',
    ],
    ['cut to 200', { transaction: 't'.repeat(300) }, `${'t'.repeat(199)}…`],
    ['nothing', {}, ''],
  ])('%s', (_, event, expected) => {
    expect(deriveCulprit(event)).toBe(expected);
  });
});
