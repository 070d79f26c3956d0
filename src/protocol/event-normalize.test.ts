import { describe, expect, it } from 'vitest';
import {
  MAX_EVENT_PROBLEMS,
  type NormalizeOptions,
  normalizeEvent,
  parseEventPayload,
  parseLevel,
  shiftBreadcrumbs,
} from './event-normalize.js';
import type { NormalizedEvent } from './normalized-event.js';

const RECEIVED = Date.parse('2024-05-06T07:08:09Z');
const EID = '9ec79c33ec9942ab8353589fcb2e04dc';
const normalize = (data: unknown, options: Partial<NormalizeOptions> = {}) =>
  normalizeEvent(data, { receivedAt: RECEIVED, ...options });
const problemsOf = (event: NormalizedEvent) => event.problems.map((p) => `${p.type}:${p.name}`);

describe('parseEventPayload', () => {
  it('parses a JSON body', () => {
    expect(parseEventPayload(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
  });

  it('rejects invalid JSON with Relay wording', () => {
    expect(() => parseEventPayload(Buffer.from('{"a":NaN}'))).toThrow(
      expect.objectContaining({
        code: 'invalid_event',
        message: expect.stringMatching(/^invalid JSON data: /),
      }),
    );
  });
});

describe('parseLevel', () => {
  it.each<[unknown, string | undefined]>([
    ['fatal', 'fatal'],
    ['error', 'error'],
    ['warning', 'warning'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['log', 'info'],
    ['critical', 'fatal'],
    ['WARNING', 'warning'],
    [10, 'debug'],
    [20, 'info'],
    [30, 'warning'],
    [40, 'error'],
    [50, 'fatal'],
    [35, undefined],
    ['warn', undefined],
    ['toString', undefined],
    [null, undefined],
  ])('%j → %j', (input, expected) => {
    expect(parseLevel(input)).toBe(expected);
  });
});

describe('normalizeEvent', () => {
  it.each<[string, unknown, string]>([
    ['a list', [], 'event payload is not a JSON object'],
    ['a string', 'event', 'event payload is not a JSON object'],
    ['null', null, 'event payload is not a JSON object'],
  ])('rejects %s', (_name, payload, message) => {
    expect(() => normalize(payload)).toThrow(expect.objectContaining({ code: 'invalid_event', message }));
  });

  describe('event id', () => {
    it.each<[string, Record<string, unknown>, unknown, string]>([
      ['from the payload', { event_id: EID.toUpperCase() }, undefined, EID],
      ['envelope header wins', { event_id: 'ffffffffffffffffffffffffffffffff' }, EID, EID],
      ['envelope header wins over a bad payload id', { event_id: 'bad' }, EID, EID],
      ['dashed envelope header (sentry-cli)', {}, '9ec79c33-ec99-42ab-8353-589fcb2e04dc', EID],
    ])('%s', (_name, data, eventId, expected) => {
      expect(normalize(data, { eventId }).eventId).toBe(expected);
    });

    it('is generated when missing', () => {
      expect(normalize({}).eventId).toMatch(/^[0-9a-f]{32}$/);
    });

    it.each<[string, Record<string, unknown>, unknown]>([
      ['bad payload id', { event_id: 'not-an-id' }, undefined],
      ['bad envelope id', { event_id: EID }, 42],
    ])('rejects a %s', (_name, data, eventId) => {
      expect(() => normalize(data, { eventId })).toThrow(
        expect.objectContaining({ code: 'invalid_event_id' }),
      );
    });
  });

  describe('timestamp', () => {
    it.each<[string, Record<string, unknown>, Partial<NormalizeOptions>, number, string[]]>([
      ['missing → received', {}, {}, RECEIVED, []],
      ['float seconds (JS)', { timestamp: RECEIVED / 1000 - 1.5 }, {}, RECEIVED - 1500, []],
      ['ISO with micros (Python)', { timestamp: '2024-05-06T07:08:08.250000Z' }, {}, RECEIVED - 750, []],
      ['unreadable → received', { timestamp: 'soon' }, {}, RECEIVED, ['invalid_data:timestamp']],
      [
        'too far ahead → received',
        { timestamp: RECEIVED / 1000 + 61 },
        {},
        RECEIVED,
        ['future_timestamp:timestamp'],
      ],
      [
        'too old → received',
        { timestamp: RECEIVED / 1000 - 31 * 86400 },
        {},
        RECEIVED,
        ['past_timestamp:timestamp'],
      ],
      [
        'clock two hours behind is shifted',
        { timestamp: '2024-05-06T05:08:00Z' },
        { sentAt: '2024-05-06T05:08:09Z' },
        RECEIVED - 9000,
        ['clock_drift:timestamp'],
      ],
      [
        'small drift is left alone',
        { timestamp: '2024-05-06T07:08:00Z' },
        { sentAt: '2024-05-06T07:07:09Z' },
        RECEIVED - 9000,
        [],
      ],
    ])('%s', (_name, data, options, expected, problems) => {
      const event = normalize(data, options);
      expect(event.timestamp).toBe(expected);
      expect(event.receivedAt).toBe(RECEIVED);
      expect(problemsOf(event)).toEqual(problems);
    });

    it('says by how much it moved the clock, for the other timestamps of the event', () => {
      expect(normalize({}, { sentAt: '2024-05-06T05:08:09Z' }).clockDriftMs).toBe(2 * 3_600_000);
      expect(normalize({}, { sentAt: '2024-05-06T07:07:09Z' })).not.toHaveProperty('clockDriftMs');
    });
  });

  it.each<[string, Record<string, unknown>, Partial<NormalizedEvent>, string[]]>([
    [
      'defaults',
      {},
      {
        type: 'default',
        level: 'error',
        platform: 'other',
        tags: [],
        contexts: {},
        exceptions: [],
        extra: {},
      },
      [],
    ],
    ['bad level defaults to error', { level: 'loud' }, { level: 'error' }, ['invalid_data:level']],
    ['Python numeric level', { level: 30 }, { level: 'warning' }, []],
    ['platform kept', { platform: 'python' }, { platform: 'python' }, []],
    ['type error with exceptions', { exception: [{ type: 'E' }] }, { type: 'error' }, []],
    ['type transaction', { type: 'transaction' }, { type: 'transaction' }, []],
    ['unknown type inferred', { type: 'csp' }, { type: 'default' }, []],
    [
      'text fields trimmed',
      {
        transaction: ' /checkout ',
        server_name: 'web-1',
        environment: ' prod ',
        release: ' app@1 ',
        dist: '7',
      },
      { transaction: '/checkout', serverName: 'web-1', environment: 'prod', release: 'app@1', dist: '7' },
      [],
    ],
    ['numeric release and dist', { release: 2, dist: 3 }, { release: '2', dist: '3' }, []],
    [
      'long logger cut to 64',
      { logger: 'l'.repeat(65) },
      { logger: 'l'.repeat(64) },
      ['value_too_long:logger'],
    ],
    ['logger with newline dropped', { logger: 'a\nb' }, { logger: undefined }, ['invalid_data:logger']],
    [
      'long transaction cut to 200',
      { transaction: 't'.repeat(201) },
      { transaction: 't'.repeat(200) },
      ['value_too_long:transaction'],
    ],
    [
      'long release dropped',
      { release: 'r'.repeat(201) },
      { release: undefined },
      ['value_too_long:release'],
    ],
    ['empty release ignored', { release: '  ' }, { release: undefined }, ['invalid_data:release']],
    ['release "latest" dropped', { release: 'latest' }, { release: undefined }, ['invalid_data:release']],
    [
      'release with a slash dropped',
      { release: 'web/1.0' },
      { release: undefined },
      ['invalid_data:release'],
    ],
    ['release ".." dropped', { release: '..' }, { release: undefined }, ['invalid_data:release']],
    ['dist with a space dropped', { dist: 'a b' }, { dist: undefined }, ['invalid_data:dist']],
    [
      'long environment dropped',
      { environment: 'e'.repeat(65) },
      { environment: undefined },
      ['value_too_long:environment'],
    ],
    ['environment of 64 kept', { environment: 'e'.repeat(64) }, { environment: 'e'.repeat(64) }, []],
    [
      'environment of wrong type',
      { environment: {} },
      { environment: undefined },
      ['invalid_data:environment'],
    ],
    [
      'fingerprint',
      { fingerprint: ['{{ default }}', 'db', 42] },
      { fingerprint: ['{{ default }}', 'db', '42'] },
      [],
    ],
    ['empty fingerprint is none', { fingerprint: [] }, { fingerprint: undefined }, []],
    [
      'fingerprint not a list',
      { fingerprint: 'x' },
      { fingerprint: undefined },
      ['invalid_data:fingerprint'],
    ],
    ['checksum', { checksum: 'abc' }, { checksum: 'abc' }, []],
    ['culprit from an old client', { culprit: 'app.views in index' }, { culprit: 'app.views in index' }, []],
    [
      'legacy exception alias',
      { 'sentry.interfaces.Exception': { values: [{ type: 'E' }] } },
      { exceptions: [{ type: 'E' }] },
      [],
    ],
    [
      'contexts keep objects only',
      { contexts: { os: { name: 'Linux' }, bad: 'x' } },
      { contexts: { os: { name: 'Linux' } } },
      [],
    ],
    ['extra kept', { extra: { 'sys.argv': ['x'] } }, { extra: { 'sys.argv': ['x'] } }, []],
    ['tags map', { tags: { 'build.number': 7 } }, { tags: [['build.number', '7']] }, []],
  ])('%s', (_name, data, expected, problems) => {
    const event = normalize(data);
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) expect(event).not.toHaveProperty(key);
      else expect(event).toHaveProperty([key], value);
    }
    expect(problemsOf(event)).toEqual(problems);
  });

  it.each<[string, Record<string, unknown>, Partial<NormalizeOptions>, unknown]>([
    [
      'user fields, numeric id',
      { user: { id: 42, email: 'a@b.c', username: 'ada', ip_address: '1.2.3.4', name: 'Ada', extra: 1 } },
      {},
      { id: '42', email: 'a@b.c', username: 'ada', ipAddress: '1.2.3.4', name: 'Ada' },
    ],
    [
      '{{auto}} ip filled in',
      { user: { ip_address: '{{auto}}' } },
      { clientIp: '10.0.0.9' },
      { ipAddress: '10.0.0.9' },
    ],
    ['{{auto}} ip without a client ip', { user: { id: 'u', ip_address: '{{auto}}' } }, {}, { id: 'u' }],
    ['empty user is none', { user: {} }, {}, undefined],
    ['legacy user alias', { 'sentry.interfaces.User': { id: 'u' } }, {}, { id: 'u' }],
  ])('user: %s', (_name, data, options, expected) => {
    expect(normalize(data, options).user).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    [
      'pairs, maps and strings',
      {
        request: {
          url: 'https://shop/checkout',
          method: 'post',
          query_string: '?a=1&b=x%20y',
          cookies: 'sid=abc; theme=dark',
          headers: { 'User-Agent': 'curl', 'X-Num': 5 },
          data: { q: 1 },
          env: { REMOTE_ADDR: '1.2.3.4' },
        },
      },
      {
        url: 'https://shop/checkout',
        method: 'POST',
        queryString: [
          ['a', '1'],
          ['b', 'x y'],
        ],
        cookies: [
          ['sid', 'abc'],
          ['theme', 'dark'],
        ],
        headers: [
          ['User-Agent', 'curl'],
          ['X-Num', '5'],
        ],
        data: { q: 1 },
        env: { REMOTE_ADDR: '1.2.3.4' },
      },
    ],
    [
      'header pairs, bad entries skipped',
      { request: { headers: [['Accept', '*/*'], ['bad'], [1, 'x']], query_string: [['a', '1']] } },
      { headers: [['Accept', '*/*']], queryString: [['a', '1']] },
    ],
    ['legacy alias', { 'sentry.interfaces.Http': { url: 'u' } }, { url: 'u' }],
    ['nothing usable', { request: { data: null } }, undefined],
  ])('request: %s', (_name, data, expected) => {
    expect(normalize(data).request).toEqual(expected);
  });

  it.each<[string, unknown, unknown, string[]]>([
    [
      'name, version, integrations, packages',
      {
        name: 'sentry.python',
        version: '1.9.10',
        integrations: ['argv', 3],
        packages: [{ name: 'pypi:sentry-sdk', version: '1.9.10' }, {}],
      },
      {
        name: 'sentry.python',
        version: '1.9.10',
        integrations: ['argv'],
        packages: [{ name: 'pypi:sentry-sdk', version: '1.9.10' }],
      },
      [],
    ],
    ['missing version', { name: 'x' }, undefined, ['invalid_data:sdk']],
  ])('sdk: %s', (_name, sdk, expected, problems) => {
    const event = normalize({ sdk });
    expect(event.sdk).toEqual(expected);
    expect(problemsOf(event)).toEqual(problems);
  });

  it('keeps the original payload by reference', () => {
    const data = { message: 'hi', custom_field: { x: 1 } };
    expect(normalize(data).data).toBe(data);
  });
});

describe('shiftBreadcrumbs', () => {
  const HOURS_2 = 2 * 3_600_000;
  it.each<[string, unknown, unknown]>([
    [
      'list (JS), float seconds',
      [{ timestamp: 1715000000.5, category: 'cart', data: { a: 1 } }],
      [{ timestamp: 1715007200.5, category: 'cart', data: { a: 1 } }],
    ],
    [
      'values wrapper (Python), ISO timestamp; what has no readable time is kept as sent',
      { values: [{ timestamp: '2024-05-06T05:00:00Z', type: 'http' }, { message: 'no time' }, 'junk'] },
      {
        values: [
          { timestamp: Date.parse('2024-05-06T07:00:00Z') / 1000, type: 'http' },
          { message: 'no time' },
          'junk',
        ],
      },
    ],
    ['not breadcrumbs at all', 'junk', 'junk'],
    ['a wrapper without a list', { values: 5 }, { values: 5 }],
  ])('%s', (_name, breadcrumbs, expected) => {
    expect(shiftBreadcrumbs(breadcrumbs, HOURS_2)).toEqual(expected);
  });
});

describe('normalizeEvent bounds', () => {
  it('works from the trimmed copy of a payload past the bounds, and says so', () => {
    const payload = JSON.parse(`{"message":"m","extra":{"deep":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`);
    const event = normalizeEvent(payload, { receivedAt: Date.now() });
    expect(event.dataTrimmed).toBe(true);
    expect(event.data).not.toBe(payload);
    expect(() => JSON.stringify(event.data)).not.toThrow();
    expect(event.problems.some((p) => p.type === 'value_too_long' && p.name.startsWith('extra.deep'))).toBe(
      true,
    );
  });

  it(`lists at most ${MAX_EVENT_PROBLEMS} problems`, () => {
    const tags = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`bad key ${i}!`, 'v']));
    const event = normalizeEvent({ message: 'm', tags }, { receivedAt: Date.now() });
    expect(event.problems).toHaveLength(MAX_EVENT_PROBLEMS + 1);
    expect(event.problems.at(-1)).toEqual({
      type: 'invalid_data',
      name: 'event',
      value: '450 more problems not listed',
    });
    expect(event.dataTrimmed).toBeUndefined();
  });
});
