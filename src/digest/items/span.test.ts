import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../../test/fixtures/load.js';
import {
  countRows,
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { serializeEnvelope } from '../../protocol/envelope.js';
import { readSpanId, readTraceId } from '../../protocol/trace-ids.js';
import { findSpansByTrace } from '../../store/region/spans.js';
import { SPAN_V2_CONTENT_TYPE, spanTimeMs } from './span.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const T0 = FIXTURE_RECEIVED_AT / 1000 - 5;

describe('spanTimeMs', () => {
  const second = Date.parse('2026-11-28T17:24:27Z');
  it.each([
    [1795886667.6291423, 1795886667629.1423],
    [1795886667, 1795886667000],
    ['1795886667.5', 1795886667500],
    ['2026-11-28T17:24:27.818636Z', second + 818.636],
    ['2026-11-28T17:24:27.818636', second + 818.636],
    ['2026-11-28T19:24:27.5+02:00', second + 500],
    ['2026-11-28T17:24:27Z', second],
  ])('%s → %d', (input, want) => {
    expect(spanTimeMs(input)).toBeCloseTo(want, 3);
  });

  it.each([[null], [undefined], ['later'], [-1], [Number.NaN], ['2026-02-30T00:00:00Z'], [{}]])(
    'rejects %s',
    (input) => {
      expect(spanTimeMs(input)).toBeUndefined();
    },
  );
});

describe('span and trace ids', () => {
  it.each([
    ['4BF92F3577B34DA6A3CE929D0E0E4736', TRACE_ID],
    ['4bf92f35-77b3-4da6-a3ce-929d0e0e4736', TRACE_ID],
    ['4bf92f3577b34da6a3ce929d0e0e473', undefined],
    ['4bf-92f3577b34da6a3ce929d0e0e4736', undefined],
    [42, undefined],
  ])('trace id %s → %s', (input, want) => {
    expect(readTraceId(input)).toBe(want);
  });

  it.each([
    ['B7AD6B7169203331', 'b7ad6b7169203331'],
    ['b7ad6b716920333', undefined],
    ['b7ad6b71692033zz', undefined],
    [null, undefined],
  ])('span id %s → %s', (input, want) => {
    expect(readSpanId(input)).toBe(want);
  });
});

function v2Span(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    trace_id: TRACE_ID,
    span_id: 'aaaaaaaaaaaaaaaa',
    name: 'GET /users',
    status: 'ok',
    start_timestamp: T0,
    end_timestamp: T0 + 0.5,
    is_segment: true,
    attributes: {
      'sentry.op': { value: 'http.server', type: 'string' },
      'http.status': { value: 200, type: 'integer' },
    },
    ...overrides,
  };
}

const spanEnvelope = (payload: unknown, headers: Record<string, unknown> = { type: 'span' }) =>
  serializeEnvelope({
    headers: {},
    items: [{ headers: headers as { type: string }, payload: payload as object }],
  });

const container = (items: unknown) =>
  spanEnvelope({ version: 2, items }, { type: 'span', item_count: 1, content_type: SPAN_V2_CONTENT_TYPE });

describe.each(TEST_ENGINES)('span digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  it('stores the spans of the @sentry/node 11 span stream', async () => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, loadFixture('node', 'spans.span').body);
    const traceId = 'c7c06743d4834da786a04aaf19f631b5';
    const spans = await findSpansByTrace(world.db, projectId, traceId);
    expect(
      spans.map((s) => ({
        id: s.spanId,
        parent: s.parentSpanId,
        op: s.op,
        description: s.description,
        status: s.status,
      })),
    ).toEqual([
      { id: 'b2ea7df75e37248f', parent: null, op: 'task', description: 'process-order', status: 'ok' },
      {
        id: '82a06da77f2f5cd2',
        parent: 'b2ea7df75e37248f',
        op: 'db.query',
        description: 'load order',
        status: 'ok',
      },
      {
        id: '8e108fc088e43140',
        parent: 'b2ea7df75e37248f',
        op: 'http.client',
        description: 'charge card',
        status: 'ok',
      },
    ]);
    expect(spans.every((s) => s.transactionEventId === null && s.traceId === traceId)).toBe(true);
    expect(spans[1]!.startTimestamp).toBeCloseTo(1795886667163.836, 3);
    expect(spans[1]!.timestamp).toBeCloseTo(1795886667169.2407, 3);
    const attributes = spans[0]!.data.attributes as Record<string, { value: unknown }>;
    expect(attributes['sentry.segment.name']?.value).toBe('process-order');
    expect(attributes['sentry.release']?.value).toBe('errata-fixtures@1.0.0');
    expect(await countRows(world, 'events', projectId)).toBe(0);
    // The segment root comes last in the stream; every span names it and its transaction.
    expect(spans.map((s) => [s.transactionName, s.segmentId, s.isSegment, s.environment, s.release])).toEqual(
      [
        ['process-order', 'b2ea7df75e37248f', true, 'fixtures', 'errata-fixtures@1.0.0'],
        ['process-order', 'b2ea7df75e37248f', false, 'fixtures', 'errata-fixtures@1.0.0'],
        ['process-order', 'b2ea7df75e37248f', false, 'fixtures', 'errata-fixtures@1.0.0'],
      ],
    );
  });

  it('takes a span as its segment root when its id is the segment id, without is_segment', async () => {
    const projectId = await world.newProject();
    const segment = { 'sentry.segment.id': { value: 'AAAAAAAAAAAAAAAA', type: 'string' } };
    await digestBody(
      world,
      projectId,
      container([
        v2Span({ is_segment: undefined, attributes: segment }),
        v2Span({ span_id: 'cccccccccccccccc', is_segment: undefined, attributes: segment }),
        v2Span({ span_id: 'dddddddddddddddd', is_segment: undefined, attributes: {} }),
      ]),
    );
    const spans = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(spans.map((s) => [s.spanId, s.segmentId, s.isSegment])).toEqual([
      ['aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaa', true],
      ['cccccccccccccccc', 'aaaaaaaaaaaaaaaa', false],
      ['dddddddddddddddd', null, false],
    ]);
  });

  it('reads a v2 container by its shape when the content type is missing', async () => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, spanEnvelope({ version: 2, items: [v2Span()] }));
    const [span] = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(span).toMatchObject({ op: 'http.server', description: 'GET /users', parentSpanId: null });
    expect(span!.timestamp - span!.startTimestamp).toBeCloseTo(500, 3);
  });

  it('takes sentry.op given as a bare attribute value', async () => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, container([v2Span({ attributes: { 'sentry.op': 'queue.process' } })]));
    const [span] = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(span?.op).toBe('queue.process');
  });

  it('stores a single v1 span item', async () => {
    const projectId = await world.newProject();
    const v1 = {
      trace_id: TRACE_ID,
      span_id: 'bbbbbbbbbbbbbbbb',
      parent_span_id: 'aaaaaaaaaaaaaaaa',
      op: 'ui.long-task',
      description: 'Main UI thread blocked',
      status: 'ok',
      start_timestamp: T0,
      timestamp: T0 + 0.125,
      data: { 'sentry.origin': 'auto' },
    };
    await digestBody(world, projectId, spanEnvelope(v1));
    const spans = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      spanId: 'bbbbbbbbbbbbbbbb',
      parentSpanId: 'aaaaaaaaaaaaaaaa',
      op: 'ui.long-task',
      description: 'Main UI thread blocked',
      transactionEventId: null,
      data: v1,
      transactionName: null,
      segmentId: null,
      isSegment: false,
    });
    expect(spans[0]!.startTimestamp).toBeCloseTo(T0 * 1000, 3);
  });

  it('moves span times by the envelope clock drift', async () => {
    const projectId = await world.newProject();
    const twoHoursSlow = new Date(FIXTURE_RECEIVED_AT - 7_200_000).toISOString();
    const body = serializeEnvelope({
      headers: { sent_at: twoHoursSlow },
      items: [
        {
          headers: { type: 'span', content_type: SPAN_V2_CONTENT_TYPE },
          payload: { version: 2, items: [v2Span()] },
        },
      ],
    });
    await digestBody(world, projectId, body);
    const [span] = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(span!.startTimestamp).toBeCloseTo(T0 * 1000 + 7_200_000, 3);
  });

  it('leaves out spans without ids or times and keeps the rest', async () => {
    const projectId = await world.newProject();
    await digestBody(
      world,
      projectId,
      container([
        v2Span({ span_id: '1111111111111111' }),
        v2Span({ span_id: undefined }),
        v2Span({ span_id: '2222222222222222', trace_id: 'nope' }),
        v2Span({ span_id: '3333333333333333', end_timestamp: undefined }),
        42,
      ]),
    );
    const spans = await findSpansByTrace(world.db, projectId, TRACE_ID);
    expect(spans.map((s) => s.spanId)).toEqual(['1111111111111111']);
    expect(await countRows(world, 'spans', projectId)).toBe(1);
  });

  const skipped: [string, Buffer][] = [
    ['bad JSON', spanEnvelope('{"version":2,"items":[')],
    ['a JSON string', spanEnvelope('"span"')],
    ['items that are not a list', container({ span: v2Span() })],
    ['a v1 span without times', spanEnvelope({ trace_id: TRACE_ID, span_id: 'bbbbbbbbbbbbbbbb' })],
  ];

  it.each(skipped)('skips an item with %s', async (_, body) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, body);
    expect(await countRows(world, 'spans', projectId)).toBe(0);
  });
});
