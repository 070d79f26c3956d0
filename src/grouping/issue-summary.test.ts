import { describe, expect, it } from 'vitest';
import type { GroupingInput } from './grouping-input.js';
import { deriveIssueSummary, type IssueSummary } from './issue-summary.js';

const nodeFrames = [
  {
    filename: 'node:internal/process/task_queues',
    module: 'task_queues',
    function: 'processTicks',
    in_app: false,
  },
  {
    filename: '/app/src/routes/users.js',
    module: 'routes:users',
    function: 'getUser',
    lineno: 42,
    in_app: true,
  },
  {
    filename: '/app/node_modules/pg/lib/client.js',
    module: 'pg.lib:client',
    function: 'Client.query',
    in_app: false,
  },
];

const pythonFrames = [
  {
    filename: 'django/core/handlers/base.py',
    module: 'django.core.handlers.base',
    function: '_get_response',
    in_app: false,
  },
  {
    filename: 'app/views.py',
    abs_path: '/srv/app/views.py',
    module: 'app.views',
    function: 'index',
    in_app: true,
  },
  {
    filename: 'app/models.py',
    abs_path: '/srv/app/models.py',
    module: 'app.models',
    function: 'save',
    in_app: true,
  },
];

const longValue = `${'x'.repeat(150)}\nsecond line`;

describe('deriveIssueSummary', () => {
  it.each<[string, GroupingInput, IssueSummary]>([
    [
      'node exception: newest in-app frame, transaction as culprit',
      {
        platform: 'node',
        transaction: 'GET /users/:id',
        exception: {
          values: [
            {
              type: 'TypeError',
              value: "Cannot read properties of undefined (reading 'id')",
              stacktrace: { frames: nodeFrames },
            },
          ],
        },
      },
      {
        type: 'error',
        title: "TypeError: Cannot read properties of undefined (reading 'id')",
        culprit: 'GET /users/:id',
        metadata: {
          title: "TypeError: Cannot read properties of undefined (reading 'id')",
          type: 'TypeError',
          value: "Cannot read properties of undefined (reading 'id')",
          filename: '/app/src/routes/users.js',
          function: 'getUser',
        },
      },
    ],
    [
      'node exception without transaction: culprit from the in-app frame',
      { platform: 'node', exception: [{ type: 'Error', value: 'boom', stacktrace: { frames: nodeFrames } }] },
      {
        type: 'error',
        title: 'Error: boom',
        culprit: 'getUser(routes:users)',
        metadata: {
          title: 'Error: boom',
          type: 'Error',
          value: 'boom',
          filename: '/app/src/routes/users.js',
          function: 'getUser',
        },
      },
    ],
    [
      'python chain: the main exception is the last one',
      {
        platform: 'python',
        exception: {
          values: [
            {
              type: 'KeyError',
              value: "'id'",
              mechanism: { type: 'chained', exception_id: 1, parent_id: 0 },
            },
            {
              type: 'ValidationError',
              value: 'bad input',
              stacktrace: { frames: pythonFrames },
              mechanism: { type: 'django', exception_id: 0 },
            },
          ],
        },
      },
      {
        type: 'error',
        title: 'ValidationError: bad input',
        culprit: 'app.models in save',
        metadata: {
          title: 'ValidationError: bad input',
          type: 'ValidationError',
          value: 'bad input',
          filename: 'app/models.py',
          function: 'save',
        },
      },
    ],
    [
      'browser: no in-app frame, so the newest frame; request URL is not needed',
      {
        platform: 'javascript',
        request: { url: 'https://shop.example.com/cart' },
        exception: [
          {
            type: 'Error',
            value: 'x',
            stacktrace: {
              frames: [
                { filename: 'https://cdn.example.com/a.js', function: 'a', in_app: false },
                { filename: 'https://cdn.example.com/b.js', function: 'b', in_app: false },
              ],
            },
          },
        ],
      },
      {
        type: 'error',
        title: 'Error: x',
        culprit: 'b(https://cdn.example.com/b.js)',
        metadata: {
          title: 'Error: x',
          type: 'Error',
          value: 'x',
          filename: 'https://cdn.example.com/b.js',
          function: 'b',
        },
      },
    ],
    [
      'no type: Error; no frames: culprit from the request URL',
      { exception: [{ value: 'boom' }], request: { url: 'https://x.io/a' } },
      {
        type: 'error',
        title: 'Error: boom',
        culprit: 'https://x.io/a',
        metadata: { title: 'Error: boom', type: 'Error', value: 'boom' },
      },
    ],
    [
      'no value: the type alone',
      { exception: [{ type: 'StopIteration' }] },
      {
        type: 'error',
        title: 'StopIteration',
        culprit: '',
        metadata: { title: 'StopIteration', type: 'StopIteration', value: '' },
      },
    ],
    [
      'long multi-line value: first line, cut to 100',
      { exception: [{ type: 'E', value: longValue }] },
      {
        type: 'error',
        title: `E: ${'x'.repeat(99)}…`,
        culprit: '',
        metadata: { title: `E: ${'x'.repeat(99)}…`, type: 'E', value: longValue },
      },
    ],
    [
      'synthetic: no type, titled by the crash function, empty culprit',
      {
        platform: 'cocoa',
        exception: [
          {
            type: 'EXC_BAD_ACCESS',
            value: 'crash',
            mechanism: { type: 'mach', synthetic: true },
            stacktrace: {
              frames: [
                { function: 'main', in_app: true },
                { function: '<redacted>', in_app: true },
              ],
            },
          },
        ],
      },
      {
        type: 'error',
        title: 'main',
        culprit: '',
        metadata: { title: 'main', value: 'crash', function: 'main' },
      },
    ],
    [
      'synthetic without frames: <unknown>',
      { exception: [{ type: 'Error', value: 'x', mechanism: { synthetic: true } }] },
      { type: 'error', title: '<unknown>', culprit: '', metadata: { title: '<unknown>', value: 'x' } },
    ],
    [
      'old client culprit wins over transaction',
      { culprit: 'views.index', transaction: '/index', exception: [{ type: 'E' }] },
      { type: 'error', title: 'E', culprit: 'views.index', metadata: { title: 'E', type: 'E', value: '' } },
    ],
    [
      'message string',
      { message: 'Disk almost full: 93%\nsecond line', logger: 'disk' },
      {
        type: 'default',
        title: 'Disk almost full: 93%',
        culprit: '',
        metadata: { title: 'Disk almost full: 93%' },
      },
    ],
    [
      'python logging: the formatted text, culprit from the top-level stack trace',
      {
        platform: 'python',
        logentry: { message: 'User %s failed', params: ['42'], formatted: 'User 42 failed' },
        stacktrace: { frames: pythonFrames },
      },
      {
        type: 'default',
        title: 'User 42 failed',
        culprit: 'app.models in save',
        metadata: { title: 'User 42 failed' },
      },
    ],
    [
      'logentry template without formatted text',
      { logentry: { message: 'Job %s stalled' } },
      { type: 'default', title: 'Job %s stalled', culprit: '', metadata: { title: 'Job %s stalled' } },
    ],
    [
      'long message is cut to 100',
      { message: 'm'.repeat(300) },
      {
        type: 'default',
        title: `${'m'.repeat(99)}…`,
        culprit: '',
        metadata: { title: `${'m'.repeat(99)}…` },
      },
    ],
    [
      'nothing at all',
      {},
      { type: 'default', title: '<unlabeled event>', culprit: '', metadata: { title: '<unlabeled event>' } },
    ],
    [
      'fingerprint does not change the title',
      { message: 'Payment declined', fingerprint: ['payments'], transaction: 'POST /pay' },
      {
        type: 'default',
        title: 'Payment declined',
        culprit: 'POST /pay',
        metadata: { title: 'Payment declined' },
      },
    ],
    [
      'fingerprinted exception keeps its title',
      { fingerprint: ['{{ default }}', 'x'], exception: [{ type: 'DbError', value: 'timeout' }] },
      {
        type: 'error',
        title: 'DbError: timeout',
        culprit: '',
        metadata: { title: 'DbError: timeout', type: 'DbError', value: 'timeout' },
      },
    ],
    [
      'garbage: numbers as strings, junk ignored',
      { exception: { values: [null, { type: 42, value: false, stacktrace: 'x' }] }, transaction: 7 },
      {
        type: 'error',
        title: '42: false',
        culprit: '7',
        metadata: { title: '42: false', type: '42', value: 'false' },
      },
    ],
  ])('%s', (_, event, expected) => {
    expect(deriveIssueSummary(event)).toEqual(expected);
  });
});
