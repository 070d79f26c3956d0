import { describe, expect, it } from 'vitest';
import { errata202611 } from './errata-2026-11.js';
import type { GroupingInput } from './grouping-input.js';

// Small factories for the shapes real SDKs send (reference §5.1); frames are oldest first.

interface NodeFrameOptions {
  line?: number;
  col?: number;
  inApp?: boolean;
  module?: string;
  context?: string;
}

/** A frame as `@sentry/node` sends it. */
function nodeFrame(fn: string | undefined, filename: string, options: NodeFrameOptions = {}) {
  const inApp = options.inApp ?? !filename.includes('node_modules');
  return {
    filename,
    module: options.module ?? filename.replace(/^.*\/(?:src|node_modules)\//, '').replace(/\.js$/, ''),
    function: fn,
    lineno: options.line ?? 10,
    colno: options.col ?? 5,
    in_app: inApp,
    ...(options.context === undefined
      ? {}
      : { context_line: options.context, pre_context: [], post_context: [] }),
  };
}

const EXPRESS_FRAMES = [
  nodeFrame('process.processTicksAndRejections', 'node:internal/process/task_queues', {
    inApp: false,
    module: 'task_queues',
  }),
  nodeFrame('Layer.handle [as handle_request]', '/app/node_modules/express/lib/router/layer.js'),
  nodeFrame('next', '/app/node_modules/express/lib/router/route.js'),
];

function nodeError(type: string, value: string, frames: object[], extra: object = {}): GroupingInput {
  return {
    platform: 'node',
    level: 'error',
    transaction: 'GET /users/:id',
    exception: {
      values: [
        { type, value, stacktrace: { frames }, mechanism: { type: 'onunhandledrejection', handled: false } },
      ],
    },
    ...extra,
  };
}

const getUserFrames = (line = 42, col = 17) => [
  ...EXPRESS_FRAMES,
  nodeFrame('getUser', '/app/src/routes/users.js', { line, col }),
  nodeFrame('UserRepository.findById', '/app/src/db/users.js', { line: line + 40, col: col + 3 }),
];

/** A frame as `sentry-sdk` (Python) sends it. */
function pyFrame(module: string, fn: string, inApp: boolean, line = 20, context = '    pass') {
  const path = module.replaceAll('.', '/');
  return {
    filename: `${path}.py`,
    abs_path: inApp ? `/srv/${path}.py` : `/usr/lib/python3.12/site-packages/${path}.py`,
    module,
    function: fn,
    lineno: line,
    context_line: context,
    pre_context: [],
    post_context: [],
    vars: { self: '<object>' },
    in_app: inApp,
  };
}

const DJANGO_FRAMES = [
  pyFrame('django.core.handlers.exception', 'inner', false, 55),
  pyFrame('django.core.handlers.base', '_get_response', false, 197),
];

/** `raise UserNotFound(...) from KeyError(...)`: the cause first, the main exception last. */
function pythonChain(
  cause: { type: string; value: string; frames: object[] },
  main: { type: string; value: string; frames: object[] },
): GroupingInput {
  return {
    platform: 'python',
    exception: {
      values: [
        {
          type: cause.type,
          value: cause.value,
          module: null,
          mechanism: { type: 'chained', handled: true, exception_id: 1, parent_id: 0, source: '__cause__' },
          stacktrace: { frames: cause.frames },
        },
        {
          type: main.type,
          value: main.value,
          module: 'app.errors',
          mechanism: { type: 'django', handled: false, exception_id: 0 },
          stacktrace: { frames: main.frames },
        },
      ],
    },
  };
}

const keyErrorIn = (fn: string, line = 12) => ({
  type: 'KeyError',
  value: "'user_id'",
  frames: [pyFrame('app.services', fn, true, line, "    return data['user_id']")],
});
const userNotFoundIn = (fn: string, line = 30) => ({
  type: 'UserNotFound',
  value: 'user 42 not found',
  frames: [...DJANGO_FRAMES, pyFrame('app.views', fn, true, line, '    user = load_user(request)')],
});

/** A frame as the browser SDK sends it: a URL, no module, minified bundle names. */
function browserFrame(fn: string | undefined, url: string, line = 1, col = 100) {
  return { filename: url, function: fn, lineno: line, colno: col, in_app: true };
}

function browserError(
  bundle: string,
  frames: [fn: string | undefined, line: number, col: number][],
): GroupingInput {
  return {
    platform: 'javascript',
    request: { url: 'https://shop.example.com/cart', headers: { 'User-Agent': 'Mozilla/5.0' } },
    exception: {
      values: [
        {
          type: 'Error',
          value: 'Failed to load cart',
          stacktrace: {
            frames: frames.map(([fn, line, col]) =>
              browserFrame(fn, `https://shop.example.com/assets/${bundle}`, line, col),
            ),
          },
          mechanism: { type: 'onerror', handled: false },
        },
      ],
    },
  };
}

const group = (event: GroupingInput) => errata202611.group(event);
const primary = (event: GroupingInput) => group(event).hashes[0];

describe('errata:2026-11 groups the same error together', () => {
  it.each<[string, GroupingInput, GroupingInput]>([
    [
      'node: same error, same code',
      nodeError('TypeError', "Cannot read properties of undefined (reading 'id')", getUserFrames()),
      nodeError('TypeError', "Cannot read properties of undefined (reading 'id')", getUserFrames()),
    ],
    [
      'node: lines and columns moved',
      nodeError('TypeError', "Cannot read properties of undefined (reading 'id')", getUserFrames(42, 17)),
      nodeError('TypeError', "Cannot read properties of undefined (reading 'id')", getUserFrames(58, 3)),
    ],
    [
      'node: the value does not count once frames decide',
      nodeError('TypeError', "Cannot read properties of undefined (reading 'id')", getUserFrames()),
      nodeError('TypeError', "Cannot read properties of null (reading 'name')", getUserFrames()),
    ],
    [
      'node: library frames changed, in-app frames the same',
      nodeError('TypeError', 'x', getUserFrames()),
      nodeError('TypeError', 'x', getUserFrames().slice(2)),
    ],
    [
      'node: receiver prefix and V8 alias are ignored',
      nodeError('Error', 'x', [
        nodeFrame('Object.handler', '/app/src/a.js'),
        nodeFrame('run', '/app/src/b.js'),
      ]),
      nodeError('Error', 'x', [
        nodeFrame('handler', '/app/src/a.js'),
        nodeFrame('Runner.run [as go]', '/app/src/b.js'),
      ]),
    ],
    [
      'node: recursion counts once',
      nodeError('RangeError', 'Maximum call stack size exceeded', [
        nodeFrame('main', '/app/src/main.js'),
        ...Array.from({ length: 3 }, () => nodeFrame('walk', '/app/src/tree.js', { line: 7 })),
      ]),
      nodeError('RangeError', 'Maximum call stack size exceeded', [
        nodeFrame('main', '/app/src/main.js'),
        ...Array.from({ length: 9 }, () => nodeFrame('walk', '/app/src/tree.js', { line: 7 })),
      ]),
    ],
    [
      'node: eval and native frames are dropped',
      nodeError('Error', 'x', [nodeFrame('main', '/app/src/main.js')]),
      nodeError('Error', 'x', [
        nodeFrame('main', '/app/src/main.js'),
        { function: 'eval', filename: '/app/src/main.js', in_app: true },
        { function: 'Array.map', filename: '[native code]', abs_path: '[native code]', in_app: true },
      ]),
    ],
    [
      'python: same chain, lines moved',
      pythonChain(keyErrorIn('load_user', 12), userNotFoundIn('user_detail', 30)),
      pythonChain(keyErrorIn('load_user', 15), userNotFoundIn('user_detail', 41)),
    ],
    [
      'browser: new bundle hash and minified positions',
      browserError('app.9c8d7e.js', [
        ['HTMLButtonElement.onClick', 1, 5531],
        ['CartView.loadCart', 1, 2210],
      ]),
      browserError('app.1a2b3c.js', [
        ['HTMLButtonElement.onClick', 1, 6012],
        ['CartView.loadCart', 1, 2391],
      ]),
    ],
    [
      'exception without frames: values differ only in ids',
      { exception: [{ type: 'OrderError', value: 'Order 1234 failed for bob@x.io' }] },
      { exception: [{ type: 'OrderError', value: 'Order 98 failed for ann@y.org' }] },
    ],
    [
      'message: variable parts normalized',
      { message: 'User 42 logged in from 10.0.0.1' },
      { message: 'User 4711 logged in from 192.168.1.20' },
    ],
    [
      'message: python logging groups by template',
      { logentry: { message: 'Payment %s declined', params: ['ch_1'], formatted: 'Payment ch_1 declined' } },
      { logentry: { message: 'Payment %s declined', params: ['ch_2'], formatted: 'Payment ch_2 declined' } },
    ],
    ['nothing usable: the fixed fallback hash', {}, { level: 'info', tags: { a: 'b' } }],
  ])('%s', (_, a, b) => {
    expect(primary(a)).toBe(primary(b));
  });
});

describe('errata:2026-11 keeps different errors apart', () => {
  it.each<[string, GroupingInput, GroupingInput]>([
    [
      'node: same type thrown from another function',
      nodeError('TypeError', 'x', getUserFrames()),
      nodeError('TypeError', 'x', [...EXPRESS_FRAMES, nodeFrame('listUsers', '/app/src/routes/users.js')]),
    ],
    [
      'node: same place, another type',
      nodeError('TypeError', 'x', getUserFrames()),
      nodeError('RangeError', 'x', getUserFrames()),
    ],
    [
      'node: same function name in another module',
      nodeError('Error', 'x', [nodeFrame('handler', '/app/src/orders.js')]),
      nodeError('Error', 'x', [nodeFrame('handler', '/app/src/users.js')]),
    ],
    [
      'node: anonymous callbacks told apart by their line of code',
      nodeError('Error', 'x', [nodeFrame('<anonymous>', '/app/src/a.js', { context: 'throw new Error(a)' })]),
      nodeError('Error', 'x', [nodeFrame('<anonymous>', '/app/src/a.js', { context: 'throw new Error(b)' })]),
    ],
    [
      'python: another cause',
      pythonChain(keyErrorIn('load_user'), userNotFoundIn('user_detail')),
      pythonChain({ ...keyErrorIn('load_user'), type: 'IndexError' }, userNotFoundIn('user_detail')),
    ],
    [
      'python: cause raised in another function',
      pythonChain(keyErrorIn('load_user'), userNotFoundIn('user_detail')),
      pythonChain(keyErrorIn('load_profile'), userNotFoundIn('user_detail')),
    ],
    [
      'browser: another function',
      browserError('app.js', [['loadCart', 1, 10]]),
      browserError('app.js', [['saveCart', 1, 10]]),
    ],
    [
      'exception without frames: another message',
      { exception: [{ type: 'OrderError', value: 'Order 1234 failed' }] },
      { exception: [{ type: 'OrderError', value: 'Order 1234 shipped' }] },
    ],
    ['message: another text', { message: 'Cache miss for user 1' }, { message: 'Cache hit for user 1' }],
    [
      'message: a placeholder-only template falls back to the final text',
      { logentry: { message: '%s', params: ['disk full'], formatted: 'disk full' } },
      { logentry: { message: '%s', params: ['queue stalled'], formatted: 'queue stalled' } },
    ],
    [
      'a message is not an exception value',
      { message: 'boom' },
      { exception: { values: [{ value: 'boom', mechanism: { type: 'generic', synthetic: true } }] } },
    ],
  ])('%s', (_, a, b) => {
    expect(primary(a)).not.toBe(primary(b));
  });
});

describe('errata:2026-11 variants and hashes', () => {
  it.each<[string, GroupingInput, string, number]>([
    [
      'node error with in-app frames: in-app hash, then all-frames hash',
      nodeError('E', 'x', getUserFrames()),
      'stacktrace',
      2,
    ],
    [
      'all frames in-app: one hash',
      nodeError('E', 'x', [nodeFrame('main', '/app/src/main.js')]),
      'stacktrace',
      1,
    ],
    ['no in-app frames: all frames', nodeError('E', 'x', EXPRESS_FRAMES), 'stacktrace', 1],
    ['exception without frames', { exception: { values: [{ type: 'E', value: 'x' }] } }, 'exception', 1],
    ['frames that contribute nothing', browserError('a.js', [[undefined, 1, 1]]), 'exception', 1],
    ['message', { message: 'hello' }, 'message', 1],
    [
      'message with the only thread stack',
      {
        message: 'hello',
        threads: {
          values: [{ id: 1, current: true, stacktrace: { frames: [pyFrame('app.jobs', 'run', true)] } }],
        },
      },
      'stacktrace',
      1,
    ],
    [
      'message with several thread stacks',
      {
        message: 'hello',
        threads: [
          { id: 1, stacktrace: { frames: [pyFrame('app.jobs', 'run', true)] } },
          { id: 2, stacktrace: { frames: [pyFrame('app.jobs', 'poll', true)] } },
        ],
      },
      'message',
      1,
    ],
    [
      'message with a top-level stack trace',
      { message: 'hi', stacktrace: { frames: [pyFrame('a', 'b', true)] } },
      'stacktrace',
      1,
    ],
    ['whitespace message', { message: ' \n ' }, 'fallback', 1],
    ['empty event', {}, 'fallback', 1],
    [
      'synthetic exception with only a type',
      { exception: [{ type: 'Error', mechanism: { synthetic: true } }] },
      'fallback',
      1,
    ],
  ])('%s', (_, event, variant, count) => {
    const result = group(event);
    expect(result.variant).toBe(variant);
    expect(result.hashes).toHaveLength(count);
    expect(result.mechanism).toBe('errata:2026-11');
    for (const hash of result.hashes) expect(hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('lets an SDK that marks no frame in-app find the issue through the all-frames hash', () => {
    const marked = group(nodeError('TypeError', 'x', getUserFrames()));
    const unmarked = group(
      nodeError(
        'TypeError',
        'x',
        getUserFrames().map(({ in_app: _, ...frame }) => frame),
      ),
    );
    expect(unmarked.hashes).toEqual([marked.hashes[1]]);
  });

  it('uses the MD5 of no bytes as the fallback hash', () => {
    expect(group({}).hashes).toEqual(['d41d8cd98f00b204e9800998ecf8427e']);
  });

  it('ignores the type of a synthetic exception', () => {
    const frames = [nodeFrame('main', '/app/src/main.js')];
    const synthetic = (type: string) => ({
      exception: [{ type, value: 'x', mechanism: { synthetic: true }, stacktrace: { frames } }],
    });
    expect(primary(synthetic('Error'))).toBe(primary(synthetic('Event')));
  });

  it('groups an NSError by domain and code, not its value', () => {
    const nsError = (code: number, value: string) => ({
      platform: 'cocoa',
      exception: [
        {
          type: 'NSError',
          value,
          mechanism: { type: 'nserror', meta: { ns_error: { domain: 'NSURLErrorDomain', code } } },
        },
      ],
    });
    expect(primary(nsError(-1001, 'timed out (1)'))).toBe(primary(nsError(-1001, 'timed out (2)')));
    expect(primary(nsError(-1001, 'x'))).not.toBe(primary(nsError(-1009, 'x')));
  });
});

describe('errata:2026-11 fingerprints', () => {
  const timeoutA = nodeError('TimeoutError', 'query timed out', getUserFrames());
  const timeoutB = nodeError('TimeoutError', 'query timed out', [
    nodeFrame('listOrders', '/app/src/routes/orders.js'),
  ]);
  const withFingerprint = (event: GroupingInput, fingerprint: unknown[]) => ({ ...event, fingerprint });

  it('merges unrelated errors under one custom fingerprint', () => {
    const a = group(withFingerprint(timeoutA, ['database-timeout']));
    const b = group(withFingerprint({ message: 'pool exhausted' }, ['database-timeout']));
    expect(a).toEqual(b);
    expect(a.variant).toBe('custom-fingerprint');
    expect(a.hashes).toHaveLength(1);
  });

  it('treats exactly {{ default }} as no fingerprint', () => {
    expect(group(withFingerprint(timeoutA, ['{{ default }}']))).toEqual(group(timeoutA));
    expect(group(withFingerprint(timeoutA, ['{{default}}']))).toEqual(group(timeoutA));
  });

  it('combines {{ default }} with other values: splits by them, still splits by stack', () => {
    const a1 = group(withFingerprint(timeoutA, ['{{ default }}', 'tenant-1']));
    const a2 = group(withFingerprint(timeoutA, ['{{ default }}', 'tenant-2']));
    const b1 = group(withFingerprint(timeoutB, ['{{ default }}', 'tenant-1']));
    expect(a1.variant).toBe('custom-fingerprint');
    expect(a1.hashes).toHaveLength(2);
    expect(a1.hashes[0]).not.toBe(a2.hashes[0]);
    expect(a1.hashes[0]).not.toBe(b1.hashes[0]);
    expect(a1.hashes).not.toContain(group(timeoutA).hashes[0]);
    expect(group(withFingerprint(timeoutA, ['{{ default }}', 'tenant-1']))).toEqual(a1);
  });

  it.each<[string, unknown[], unknown[], boolean]>([
    ['{{ transaction }}', ['{{ transaction }}'], ['GET /users/:id'], true],
    ['{{ type }}', ['{{ type }}'], ['TimeoutError'], true],
    [
      '{{ error.type }} and {{ function }}',
      ['{{ error.type }}', '{{ function }}'],
      ['TimeoutError', 'UserRepository.findById'],
      true,
    ],
    ['{{ module }}', ['{{ module }}'], ['db/users'], true],
    ['{{ tags.tenant }}', ['{{ tags.tenant }}'], ['acme'], true],
    ['missing tag', ['{{ tags.region }}'], ['<no-value-for-tag-region>'], true],
    ['{{ level }} and {{ logger }}', ['{{ level }}', '{{ logger }}'], ['error', '<no-logger>'], true],
    ['numbers are stringified, objects dropped', [42, { a: 1 }, null], ['42'], true],
    ['an unknown variable stays literal', ['{{ nope }}'], ['{{ nope }}'], true],
    ['values are not parameterized', ['user-1'], ['user-2'], false],
  ])('%s', (_, fingerprint, literal, same) => {
    const event = { ...timeoutA, tags: { tenant: 'acme' } };
    const a = primary(withFingerprint(event, fingerprint));
    const b = primary(withFingerprint(event, literal));
    if (same) expect(a).toBe(b);
    else expect(a).not.toBe(b);
  });
});

describe('errata:2026-11 tolerates SDK garbage', () => {
  it.each<[string, unknown]>([
    ['exception as a string', { exception: 'boom' }],
    ['values not a list', { exception: { values: 'boom' } }],
    [
      'null items and frames',
      { exception: { values: [null, { type: 'E', stacktrace: { frames: [null, 1, 'x'] } }] } },
    ],
    [
      'non-string fields',
      { exception: [{ type: 42, value: { a: 1 }, stacktrace: { frames: [{ function: 7, module: [] }] } }] },
    ],
    ['frames not a list', { stacktrace: { frames: { a: 1 } }, message: 12 }],
    ['threads garbage', { threads: [null, { stacktrace: 'x' }], logentry: 'x' }],
    ['fingerprint not a list', { fingerprint: 'x', message: 'm' }],
    ['tags as pairs with junk', { fingerprint: ['{{ tags.a }}'], tags: [null, ['a'], ['a', 1]] }],
  ])('%s', (_, event) => {
    const result = group(event as GroupingInput);
    expect(result.hashes.length).toBeGreaterThan(0);
  });
});

// These hashes are stored with issues: if one changes, existing issues split. Change grouping in a
// new mechanism file instead of updating these.
describe('errata:2026-11 hashes are frozen', () => {
  it.each<[string, GroupingInput, string[]]>([
    [
      'node',
      nodeError('TypeError', 'x', getUserFrames()),
      ['38ec649a1945070e2ccfe1c39f72a8a2', '70e49496c22338856e5315e4157634e3'],
    ],
    [
      'python chain',
      pythonChain(keyErrorIn('load_user'), userNotFoundIn('user_detail')),
      ['3ce525535e2a5cdd61f1576bcfecf738', 'c394c249edc99fbb61d181476b9dd951'],
    ],
    ['browser', browserError('app.js', [['loadCart', 1, 10]]), ['b416ee27a9e75db3d1bd85a82bf76cf7']],
    [
      'exception',
      { exception: [{ type: 'OrderError', value: 'Order 1234 failed' }] },
      ['a3439c512226c44badf2ab5d1cbee10e'],
    ],
    ['message', { message: 'User 42 logged in from 10.0.0.1' }, ['f7b00340b2ea964ec8dbefa95eef7155']],
    [
      'fingerprint',
      { message: 'x', fingerprint: ['db', '{{ default }}'] },
      ['9b0062e7a68ca361bfbf1b46880855d3'],
    ],
  ])('%s', (_, event, hashes) => {
    expect(group(event).hashes).toEqual(hashes);
  });
});
