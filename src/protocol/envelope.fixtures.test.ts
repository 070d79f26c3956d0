// Parses every request captured from real clients (test/fixtures/, see its README) through the
// protocol layer, and checks what those clients are known to send.
import { describe, expect, it } from 'vitest';
import {
  FIXTURE_PUBLIC_KEY,
  FIXTURE_SDKS,
  type Fixture,
  type FixtureSdk,
  loadFixture,
  loadFixtures,
} from '../../test/fixtures/load.js';
import { type Envelope, parseEnvelope } from './envelope.js';
import { normalizeEventId } from './event-id.js';
import { normalizeEvent, parseEventPayload } from './event-normalize.js';
import type { NormalizedEvent } from './normalized-event.js';
import { dataCategoryForItemType } from './rate-limits.js';
import { findRequestAuth } from './sentry-auth.js';
import { parseTimestamp } from './timestamp.js';

const all = FIXTURE_SDKS.flatMap((sdk) => loadFixtures(sdk));
const isStore = (fixture: Fixture) => fixture.url.includes('/store/');
const envelopeOf = (sdk: FixtureSdk, name: string) => parseEnvelope(loadFixture(sdk, name).body);
type RawFrame = Record<string, unknown>;
/** The stack frames of the payload's exceptions as sent (oldest exception first). */
const framesAsSent = (event: NormalizedEvent): RawFrame[][] =>
  (event.data.exception as { values: { stacktrace?: { frames: RawFrame[] } }[] }).values.map(
    (e) => e.stacktrace?.frames ?? [],
  );

function eventOf(sdk: FixtureSdk, name: string): { event: NormalizedEvent; envelope?: Envelope } {
  const fixture = loadFixture(sdk, name);
  const receivedAt = Date.now();
  if (isStore(fixture)) return { event: normalizeEvent(parseEventPayload(fixture.body), { receivedAt }) };
  const envelope = parseEnvelope(fixture.body);
  const item = envelope.items.find((i) => i.headers.type === 'event' || i.headers.type === 'transaction');
  if (!item) throw new Error(`${sdk}/${name} has no event`);
  const { event_id: eventId, sent_at: sentAt } = envelope.headers;
  // Replayed fixtures are old: measure time from when they were sent, not from now.
  const sent = parseTimestamp(sentAt) ?? parseTimestamp(JSON.parse(item.payload.toString()).timestamp);
  const options = { receivedAt: sent ?? receivedAt, eventId, sentAt, clientIp: '127.0.0.1' };
  return { event: normalizeEvent(parseEventPayload(item.payload), options), envelope };
}

describe('every captured request', () => {
  it('exists for each client', () => {
    for (const sdk of FIXTURE_SDKS) expect(all.filter((f) => f.sdk === sdk).length).toBeGreaterThan(0);
  });

  it.each(all.map((f) => [`${f.sdk}/${f.name}`, f] as const))(
    '%s authenticates and parses',
    (_name, fixture) => {
      const url = new URL(fixture.url, 'http://fixture');
      const auth = findRequestAuth({
        xSentryAuth: fixture.headers['x-sentry-auth'],
        authorization: fixture.headers.authorization,
        query: url.searchParams,
      });
      expect(auth?.publicKey).toBe(FIXTURE_PUBLIC_KEY);
      expect(fixture.method).toBe('POST');
      expect(fixture.body.length).toBeLessThan(8 * 1024);

      const types = fixture.name.split('.')[1];
      if (isStore(fixture)) {
        expect(url.pathname).toBe('/api/42/store/');
        expect(types).toBe('store');
        const event = normalizeEvent(parseEventPayload(fixture.body), { receivedAt: Date.now() });
        expect(event.eventId).toMatch(/^[0-9a-f]{32}$/);
        return;
      }
      expect(url.pathname).toBe('/api/42/envelope/');
      const envelope = parseEnvelope(fixture.body);
      const itemTypes = [...new Set(envelope.items.map((i) => i.headers.type))];
      expect(itemTypes.join('+')).toBe(types?.replace(/-\d+$/, ''));
      for (const type of itemTypes) expect(dataCategoryForItemType(type)).toBeDefined();
    },
  );
});

describe('@sentry/node 11.12.0', () => {
  it('sends auth only in the query string, chunked, with no content type', () => {
    const fixture = loadFixture('node', 'exception-with-cause.event');
    expect(fixture.headers).not.toHaveProperty('x-sentry-auth');
    expect(fixture.headers).not.toHaveProperty('content-type');
    expect(fixture.headers['transfer-encoding']).toBe('chunked');
    expect(findRequestAuth({ query: new URL(fixture.url, 'http://x').searchParams })).toEqual({
      publicKey: FIXTURE_PUBLIC_KEY,
      version: 7,
      client: 'sentry.javascript.node/11.12.0',
    });
  });

  it('writes JSON items without length and no trailing newline', () => {
    const fixture = loadFixture('node', 'exception-with-cause.event');
    const envelope = parseEnvelope(fixture.body);
    expect(envelope.items.map((i) => i.headers)).toEqual([{ type: 'event' }]);
    expect(fixture.body.at(-1)).not.toBe(0x0a);
  });

  it('sends a cause chain innermost first, with frames and context lines', () => {
    const { event, envelope } = eventOf('node', 'exception-with-cause.event');
    expect(event.eventId).toBe(envelope?.headers.event_id);
    expect(event.type).toBe('error');
    expect(event.platform).toBe('node');
    expect(event.exceptions.map((e) => [e.type, e.mechanism?.type, e.mechanism?.source])).toEqual([
      ['SyntaxError', 'chained', 'cause'],
      ['Error', 'generic', undefined],
    ]);
    expect(event.exceptions[0]?.mechanism).toMatchObject({ exceptionId: 1, parentId: 0, handled: true });
    const main = event.exceptions.at(-1);
    expect(main?.value).toBe('could not parse order');
    const [cause, thrown] = framesAsSent(event);
    const crash = thrown?.at(-1);
    expect(crash).toMatchObject({ function: 'parseOrder', module: 'node-sdk', in_app: true });
    expect(crash?.context_line).toContain("throw new Error('could not parse order'");
    expect(crash?.pre_context).toHaveLength(5);
    expect(cause?.at(-1)).toMatchObject({ function: 'JSON.parse', in_app: false });
  });

  it('sends scope data: user, tags (numbers included), breadcrumbs as a list, contexts', () => {
    const { event } = eventOf('node', 'exception-with-cause.event');
    expect(event.user).toEqual({ id: 'user-42', email: 'ada@example.com', username: 'ada' });
    expect(event.tags).toEqual([
      ['build.number', '7'],
      ['feature', 'checkout'],
    ]);
    expect(event.data.breadcrumbs).toEqual([
      expect.objectContaining({
        category: 'cart',
        message: 'added item',
        level: 'info',
        data: { sku: 'A-1' },
        timestamp: expect.any(Number),
      }),
    ]);
    expect(Object.keys(event.contexts)).toEqual(expect.arrayContaining(['trace', 'order', 'runtime', 'os']));
    expect(event).toMatchObject({
      release: 'errata-fixtures@1.0.0',
      environment: 'fixtures',
      serverName: 'fixture-host',
    });
    expect(event.sdk).toMatchObject({ name: 'sentry.javascript.node', version: '11.12.0' });
    expect(typeof event.data.timestamp).toBe('number');
    expect(event.problems).toEqual([]);
  });

  it('sends captureMessage as a message plus a synthetic exception without type', () => {
    const { event } = eventOf('node', 'message.event');
    expect(event.level).toBe('warning');
    expect(event.message).toEqual({ formatted: 'payment provider slow' });
    expect(event.exceptions).toHaveLength(1);
    expect(event.exceptions[0]?.type).toBeUndefined();
    expect(event.exceptions[0]?.mechanism?.synthetic).toBe(true);
  });

  it('puts attachments with length, binary bytes intact, in the event envelope', () => {
    const envelope = envelopeOf('node', 'attachment.event+attachment');
    expect(envelope.items.map((i) => [i.headers.type, i.headers.length, i.headers.filename])).toEqual([
      ['event', undefined, undefined],
      ['attachment', 18, 'notes.txt'],
      ['attachment', 6, 'blob.bin'],
    ]);
    expect(envelope.items[1]?.payload.toString()).toBe('line one\nline two\n');
    expect([...(envelope.items[2]?.payload ?? [])]).toEqual([0, 10, 255, 13, 10, 1]);
  });

  it('sends sessions in their own envelopes without event_id', () => {
    const envelope = envelopeOf('node', 'session.session-3');
    expect(envelope.headers).not.toHaveProperty('event_id');
    const session = JSON.parse(envelope.items[0]?.payload.toString() ?? '');
    expect(session).toMatchObject({
      init: false,
      status: 'exited',
      attrs: { release: 'errata-fixtures@1.0.0' },
    });
    expect(session.sid).toMatch(/^[0-9a-f]{32}$/);
  });

  it('streams spans as one span v2 item by default', () => {
    const [item] = envelopeOf('node', 'spans.span').items;
    expect(item?.headers).toEqual({
      type: 'span',
      item_count: 3,
      content_type: 'application/vnd.sentry.items.span.v2+json',
    });
    const payload = JSON.parse(item?.payload.toString() ?? '');
    expect(payload.version).toBe(2);
    expect(payload.items.map((s: { name: string; is_segment: boolean }) => [s.name, s.is_segment])).toEqual([
      ['load order', false],
      ['charge card', false],
      ['process-order', true],
    ]);
  });

  it("sends a classic transaction with traceLifecycle: 'static'", () => {
    const { event } = eventOf('node', 'static-transaction.transaction');
    expect(event.type).toBe('transaction');
    expect(event.transaction).toBe('process-order');
    expect(event.data.spans).toHaveLength(2);
  });
});

describe('python sentry_sdk 1.9.10', () => {
  it('posts plain errors to /store/, gzipped, with X-Sentry-Auth', () => {
    const fixture = loadFixture('python', 'exception-with-cause.store');
    expect(fixture.headers).toMatchObject({
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'x-sentry-auth': `Sentry sentry_key=${FIXTURE_PUBLIC_KEY}, sentry_version=7, sentry_client=sentry.python/1.9.10`,
    });
    expect(fixture.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('sends a `raise … from …` chain innermost first, mechanism null, ISO timestamp', () => {
    const { event } = eventOf('python', 'exception-with-cause.store');
    expect(event.exceptions.map((e) => [e.type, e.value])).toEqual([
      ['KeyError', "'price'"],
      ['ValueError', 'bad order line'],
    ]);
    expect(event.exceptions.every((e) => e.mechanism === undefined && e.module === undefined)).toBe(true);
    expect(event.data.exception).toMatchObject({ values: [{ mechanism: null }, { mechanism: null }] });
    expect(framesAsSent(event)[0]?.at(-1)).toMatchObject({
      function: 'price_of',
      module: '__main__',
      filename: 'python-sdk.py',
      abs_path: expect.stringMatching(/python-sdk\.py$/),
      in_app: true,
      vars: { line: { quantity: '2' } },
    });
    expect(event.data.timestamp).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(event.timestamp).toBe(parseTimestamp(event.data.timestamp));
    expect(event.platform).toBe('python');
  });

  it('wraps breadcrumbs in values and records its own HTTP calls', () => {
    const { event } = eventOf('python', 'logging-message.store');
    const { values } = event.data.breadcrumbs as { values: { category?: string; type?: string }[] };
    expect(values[0]).toMatchObject({ category: 'cart', type: 'default' });
    expect(values.slice(1).every((b) => b.category === 'httplib')).toBe(true);
  });

  it('sends capture_message as a plain message string', () => {
    const { event } = eventOf('python', 'message.store');
    expect(event).toMatchObject({
      type: 'default',
      level: 'warning',
      message: { formatted: 'payment provider slow' },
    });
    expect(event.exceptions).toEqual([]);
  });

  it('sends logging records as a template with params and no formatted text', () => {
    const { event } = eventOf('python', 'logging-message.store');
    expect(event.data.logentry).toEqual({ message: 'order %s failed after %d tries', params: ['A-1', 3] });
    expect(event.message?.formatted).toBe('order A-1 failed after 3 tries');
    expect(event.logger).toBe('shop.orders');
  });

  it('uses envelopes with length and content_type on every item for attachments', () => {
    const fixture = loadFixture('python', 'attachment.event+attachment');
    expect(fixture.headers['content-type']).toBe('application/x-sentry-envelope');
    const envelope = parseEnvelope(fixture.body);
    expect(
      envelope.items.map((i) => [
        i.headers.type,
        i.headers.content_type,
        i.headers.length === i.payload.length,
      ]),
    ).toEqual([
      ['event', 'application/json', true],
      ['attachment', 'text/plain', true],
    ]);
    expect(envelope.items[1]?.payload.toString()).toBe('line one\nline two\n');
    expect(fixture.body.at(-1)).toBe(0x0a);
  });

  it('sends a classic transaction with ISO start and end', () => {
    const { event } = eventOf('python', 'transaction.transaction');
    expect(event.type).toBe('transaction');
    expect(event.data.start_timestamp).toEqual(expect.any(String));
  });

  it('sends a session with an empty envelope header and a dashed sid', () => {
    const envelope = envelopeOf('python', 'session.session');
    expect(envelope.headers).toEqual({});
    expect(JSON.parse(envelope.items[0]?.payload.toString() ?? '').sid).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('sentry-cli 3.8.0 send-event', () => {
  it('puts a dashed event id in the envelope header and a plain one in the event', () => {
    const fixture = loadFixture('sentry-cli', 'send-event-hello.event');
    const { event, envelope } = eventOf('sentry-cli', 'send-event-hello.event');
    expect(envelope?.headers.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(event.eventId).toBe(normalizeEventId(envelope?.headers.event_id));
    expect(event.eventId).toBe(event.data.event_id);
    expect(envelope?.items[0]?.headers.length).toBe(envelope?.items[0]?.payload.length);
    expect(fixture.body.at(-1)).toBe(0x0a);
    expect(fixture.headers['x-sentry-auth']).toContain('sentry_timestamp=');
    expect(fixture.headers).not.toHaveProperty('content-type');
  });

  it('sends logentry.message, platform native and an {{auto}} ip', () => {
    const { event } = eventOf('sentry-cli', 'send-event-hello.event');
    expect(event.message).toEqual({ formatted: 'hello', template: 'hello' });
    expect(event.platform).toBe('native');
    expect(event.data.user).toMatchObject({ ip_address: '{{auto}}' });
    expect(event.user?.ipAddress).toBe('127.0.0.1');
  });

  it('maps -a, -t, -e, -u, -f and --level into the event', () => {
    const { event } = eventOf('sentry-cli', 'send-event-with-args.event');
    expect(event).toMatchObject({
      level: 'warning',
      message: { formatted: 'order A-1 failed', template: 'order %s failed', params: ['A-1'] },
      tags: [['feature', 'checkout']],
      extra: { attempt: '3' },
      user: { id: 'user-42', ipAddress: '127.0.0.1' },
      fingerprint: ['custom-group'],
      environment: 'fixtures',
      release: 'errata-fixtures@1.0.0',
    });
  });
});
