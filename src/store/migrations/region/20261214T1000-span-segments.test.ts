import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../../../test/fixtures/load.js';
import {
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../../test/support/engines.js';
import { SPAN_V2_CONTENT_TYPE } from '../../../digest/items/span.js';
import { serializeEnvelope } from '../../../protocol/envelope.js';
import { backfillSpanSegments } from './20261214T1000-span-segments.js';

// The migration fills the segment columns of spans stored before them exactly as digest fills
// them now: spans digested today, their columns emptied, are filled back to the same values.

const T0 = FIXTURE_RECEIVED_AT / 1000 - 5;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const spanItem = (payload: object, contentType?: string) =>
  serializeEnvelope({
    headers: {},
    items: [{ headers: { type: 'span', ...(contentType ? { content_type: contentType } : {}) }, payload }],
  });

const v2 = (spanId: string, fields: Record<string, unknown>) => ({
  trace_id: TRACE_ID,
  span_id: spanId,
  name: `span ${spanId}`,
  start_timestamp: T0,
  end_timestamp: T0 + 0.1,
  ...fields,
});

/** Span items the fixtures do not cover: bare attribute values, roots without `is_segment`, v1 items. */
const EDGE_CASES = [
  spanItem(
    {
      version: 2,
      items: [
        v2('1111111111111111', {
          attributes: {
            'sentry.segment.name': 'bare name',
            'sentry.segment.id': '1111111111111111',
            'sentry.environment': 'staging',
            'sentry.release': { value: 42, type: 'integer' },
          },
        }),
        v2('2222222222222222', {
          attributes: { 'sentry.segment.id': { value: 'not-a-span-id', type: 'string' } },
        }),
        v2('3333333333333333', { is_segment: true, attributes: {} }),
        v2('4444444444444444', {
          is_segment: false,
          attributes: { 'sentry.segment.id': '3333333333333333' },
        }),
      ],
    },
    SPAN_V2_CONTENT_TYPE,
  ),
  spanItem({
    trace_id: TRACE_ID,
    span_id: '5555555555555555',
    op: 'ui.long-task',
    start_timestamp: T0,
    timestamp: T0 + 0.2,
    is_segment: true,
  }),
  spanItem({
    trace_id: TRACE_ID,
    span_id: '6666666666666666',
    segment_id: '5555555555555555',
    start_timestamp: T0,
    timestamp: T0 + 0.2,
  }),
];

describe.each(TEST_ENGINES)('span segment backfill (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  const segments = () =>
    world.db
      .selectFrom('spans')
      .select(['id', 'span_id', 'transaction_name', 'segment_id', 'is_segment', 'environment', 'release'])
      .orderBy('id')
      .execute();

  it('fills what digest fills, for transactions, streamed spans and single span items', async () => {
    const projectId = await world.newProject();
    for (const [sdk, name] of [
      ['node', 'spans.span'],
      ['node', 'static-transaction.transaction'],
      ['python', 'transaction.transaction'],
    ] as const) {
      await digestBody(world, projectId, loadFixture(sdk, name).body);
    }
    for (const body of EDGE_CASES) await digestBody(world, projectId, body);
    const digested = await segments();
    expect(digested).toHaveLength(9 + 6);
    expect(digested.filter((s) => s.is_segment === 1)).toHaveLength(3 + 3);
    expect(
      digested
        .slice(9)
        .map((s) => [s.span_id, s.transaction_name, s.segment_id, s.is_segment, s.environment]),
    ).toEqual([
      ['1111111111111111', 'bare name', '1111111111111111', 1, 'staging'],
      ['2222222222222222', null, null, 0, null],
      ['3333333333333333', null, '3333333333333333', 1, null],
      ['4444444444444444', null, '3333333333333333', 0, null],
      ['5555555555555555', null, '5555555555555555', 1, null],
      ['6666666666666666', null, '5555555555555555', 0, null],
    ]);
    // A release that is not text is no release.
    expect(digested[9]?.release).toBeNull();

    await world.db
      .updateTable('spans')
      .set({ transaction_name: null, segment_id: null, is_segment: 0, environment: null, release: null })
      .execute();
    await backfillSpanSegments(world.db, engine);
    expect(await segments()).toEqual(digested);
  });
});
