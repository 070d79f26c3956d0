import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureSdk, loadFixture } from '../../../test/fixtures/load.js';
import {
  countRows,
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { serializeEnvelope } from '../../protocol/envelope.js';
import { storedDocument } from '../../store/region/events.js';
import { findSpansByTrace } from '../../store/region/spans.js';
import { UNLABELED_TRANSACTION } from './transaction.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ROOT_SPAN = 'b7ad6b7169203331';
const T0 = FIXTURE_RECEIVED_AT / 1000 - 10;

function transaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'transaction',
    event_id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    transaction: 'GET /orders',
    start_timestamp: T0,
    timestamp: T0 + 0.25,
    contexts: { trace: { trace_id: TRACE_ID, span_id: ROOT_SPAN, op: 'http.server', status: 'ok' } },
    spans: [
      {
        span_id: 'c0ffee00c0ffee00',
        parent_span_id: ROOT_SPAN,
        op: 'db',
        description: 'select 1',
        start_timestamp: T0 + 0.01,
        timestamp: T0 + 0.02,
      },
    ],
    ...overrides,
  };
}

const envelope = (payload: unknown, headers: Record<string, unknown> = {}) =>
  serializeEnvelope({ headers, items: [{ headers: { type: 'transaction' }, payload: payload as object }] });

const iso = (text: string) => Date.parse(text);
/** Seconds as the SDK sent them, in milliseconds. */
const secs = (seconds: number) => seconds * 1000;

describe.each(TEST_ENGINES)('transaction digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  const eventsOf = (projectId: number) =>
    world.db.selectFrom('events').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

  const fixtures: {
    sdk: FixtureSdk;
    name: string;
    eventId: string;
    traceId: string;
    rootSpanId: string;
    rootStatus: string | null;
    timestamp: number;
    platform: string;
    spans: { description: string; op: string; parent: string | null; start: number; end: number }[];
  }[] = [
    {
      sdk: 'node',
      name: 'static-transaction.transaction',
      eventId: 'db0785652dd7497084ab88eb11ceb850',
      traceId: '072a77c9e35f4d84b8eb1d6c827c8ea2',
      rootSpanId: 'bada50482b5d4956',
      rootStatus: 'ok',
      timestamp: 1795886667641,
      platform: 'node',
      spans: [
        {
          description: 'process-order',
          op: 'task',
          parent: null,
          start: secs(1795886667.6285021),
          end: secs(1795886667.6410854),
        },
        {
          description: 'load order',
          op: 'db.query',
          parent: 'bada50482b5d4956',
          start: secs(1795886667.6291423),
          end: secs(1795886667.635452),
        },
        {
          description: 'charge card',
          op: 'http.client',
          parent: 'bada50482b5d4956',
          start: secs(1795886667.6357973),
          end: secs(1795886667.6410503),
        },
      ],
    },
    {
      sdk: 'python',
      name: 'transaction.transaction',
      eventId: 'cec1229e176d4505a422a5225baf79ad',
      traceId: '88632c7beddc4771870c8ed2df41b53b',
      rootSpanId: 'a2793cad72e0f60f',
      rootStatus: null,
      timestamp: iso('2026-11-28T17:24:27.819Z'),
      platform: 'python',
      spans: [
        {
          description: 'process-order',
          op: 'task',
          parent: null,
          start: iso('2026-11-28T17:24:27Z') + 818.567,
          end: iso('2026-11-28T17:24:27Z') + 818.655,
        },
        {
          description: 'load order',
          op: 'db.query',
          parent: 'a2793cad72e0f60f',
          start: iso('2026-11-28T17:24:27Z') + 818.63,
          end: iso('2026-11-28T17:24:27Z') + 818.636,
        },
        {
          description: 'charge card',
          op: 'http.client',
          parent: 'a2793cad72e0f60f',
          start: iso('2026-11-28T17:24:27Z') + 818.65,
          end: iso('2026-11-28T17:24:27Z') + 818.652,
        },
      ],
    },
  ];

  it.each(fixtures)('stores the $sdk fixture transaction and its spans', async (f) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, loadFixture(f.sdk, f.name).body);

    const [event, ...more] = await eventsOf(projectId);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      event_id: f.eventId,
      issue_id: null,
      type: 'transaction',
      title: 'process-order',
      message: '',
      level: 'info',
      timestamp: f.timestamp,
      received_at: FIXTURE_RECEIVED_AT,
      release: 'errata-fixtures@1.0.0',
      environment: 'fixtures',
      platform: f.platform,
      transaction_name: 'process-order',
      trace_id: f.traceId,
      user_key: 'id:user-42',
    });
    const tags = JSON.parse(event!.tags) as [string, string][];
    expect(tags).toEqual(
      expect.arrayContaining([
        ['feature', 'checkout'],
        ['level', 'info'],
        ['transaction', 'process-order'],
        ['release', 'errata-fixtures@1.0.0'],
      ]),
    );
    const data = JSON.parse(storedDocument(event!)) as Record<string, unknown>;
    expect(data).toMatchObject({ type: 'transaction', transaction: 'process-order', event_id: f.eventId });
    expect(data.spans).toHaveLength(2);

    const spans = await findSpansByTrace(world.db, projectId, f.traceId);
    expect(spans).toHaveLength(3);
    expect(spans.map((s) => s.transactionEventId)).toEqual([f.eventId, f.eventId, f.eventId]);
    expect(spans[0]!.spanId).toBe(f.rootSpanId);
    expect(spans[0]!.status).toBe(f.rootStatus);
    expect((spans[0]!.data as { trace_id: string }).trace_id).toBe(f.traceId);
    f.spans.forEach((want, i) => {
      const span = spans[i]!;
      expect({ description: span.description, op: span.op, parent: span.parentSpanId }).toEqual({
        description: want.description,
        op: want.op,
        parent: want.parent,
      });
      // Sub-millisecond precision survives: the digits are the SDK's, not rounded to the millisecond.
      expect(span.startTimestamp).toBeCloseTo(want.start, 3);
      expect(span.timestamp).toBeCloseTo(want.end, 3);
    });
    // Every span belongs to the transaction; its root is the transaction's own.
    expect(spans.map((s) => [s.transactionName, s.segmentId, s.isSegment, s.environment, s.release])).toEqual(
      [
        ['process-order', f.rootSpanId, true, 'fixtures', 'errata-fixtures@1.0.0'],
        ['process-order', f.rootSpanId, false, 'fixtures', 'errata-fixtures@1.0.0'],
        ['process-order', f.rootSpanId, false, 'fixtures', 'errata-fixtures@1.0.0'],
      ],
    );
  });

  it('stores a repeated transaction id once, spans included', async () => {
    const projectId = await world.newProject();
    const body = loadFixture('node', 'static-transaction.transaction').body;
    await digestBody(world, projectId, body);
    await digestBody(world, projectId, body);
    expect(await countRows(world, 'events', projectId)).toBe(1);
    expect(await countRows(world, 'spans', projectId)).toBe(3);
  });

  it('keeps the same event id apart in two projects', async () => {
    const [a, b] = [await world.newProject(), await world.newProject()];
    const body = loadFixture('python', 'transaction.transaction').body;
    await digestBody(world, a, body);
    await digestBody(world, b, body);
    expect([await countRows(world, 'events', a), await countRows(world, 'events', b)]).toEqual([1, 1]);
  });

  it('files the transaction under the id ingest answered with, not the payload one', async () => {
    const projectId = await world.newProject();
    const answered = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    await digestBody(world, projectId, envelope(transaction()), { eventId: answered });
    const [event] = await eventsOf(projectId);
    expect(event?.event_id).toBe(answered);
    const spans = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(spans.map((s) => [s.spanId, s.transactionEventId])).toEqual([
      [ROOT_SPAN, answered],
      ['c0ffee00c0ffee00', answered],
    ]);
  });

  it('names a nameless transaction as Relay does and gives spans the transaction trace', async () => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(transaction({ transaction: undefined })));
    const [event] = await eventsOf(projectId);
    expect(event).toMatchObject({ title: UNLABELED_TRANSACTION, transaction_name: UNLABELED_TRANSACTION });
    const spans = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(spans.map((s) => s.description)).toEqual([UNLABELED_TRANSACTION, 'select 1']);
  });

  it('leaves out spans without ids or times and keeps the rest', async () => {
    const projectId = await world.newProject();
    const spans = [
      { span_id: '1111111111111111', start_timestamp: T0, timestamp: T0 + 0.1 },
      { span_id: 'not-a-span-id', start_timestamp: T0, timestamp: T0 + 0.1 },
      { span_id: '2222222222222222', timestamp: T0 + 0.1 },
      { span_id: '3333333333333333', start_timestamp: T0, timestamp: 'later' },
      'not a span',
    ];
    await digestBody(world, projectId, envelope(transaction({ spans })));
    const stored = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(stored.map((s) => s.spanId).sort()).toEqual(['1111111111111111', ROOT_SPAN]);
  });

  const skipped: [string, unknown][] = [
    ['bad JSON', '{"type":"transaction",'],
    ['a JSON array', [transaction()]],
    ['no trace context', transaction({ contexts: {} })],
    ['a trace context without span id', transaction({ contexts: { trace: { trace_id: TRACE_ID } } })],
    ['a malformed trace id', transaction({ contexts: { trace: { trace_id: 'xyz', span_id: ROOT_SPAN } } })],
    ['no start_timestamp', transaction({ start_timestamp: undefined })],
    ['a malformed event id', transaction({ event_id: 'not-an-id' })],
  ];

  it.each(skipped)('skips a transaction with %s', async (_, payload) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(payload), { eventId: null });
    expect(await countRows(world, 'events', projectId)).toBe(0);
    expect(await countRows(world, 'spans', projectId)).toBe(0);
  });
});
