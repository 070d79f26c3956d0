import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { serializeEnvelope } from '../../protocol/envelope.js';
import { findClientOutcomes } from '../../store/region/client-outcomes.js';

const at = (iso: string) => Date.parse(iso);
const RECEIVED_HOUR = at('2026-11-28T17:00:00Z');

const envelope = (...reports: unknown[]) =>
  serializeEnvelope({
    headers: {},
    items: reports.map((payload) => ({ headers: { type: 'client_report' }, payload: payload as object })),
  });

describe.each(TEST_ENGINES)('client report digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  const outcomes = async (projectId: number) =>
    (await findClientOutcomes(world.db, projectId)).map(({ projectId: _, ...o }) => o);

  it('sums @sentry/node discarded events per hour, reason and category', async () => {
    const projectId = await world.newProject();
    // The shape @sentry/node 11 sends (clients.md §3), twice in one hour, plus one report without a time.
    const report = {
      timestamp: 1795882344.831,
      discarded_events: [
        { reason: 'ratelimit_backoff', category: 'error', quantity: 1 },
        { reason: 'send_error', category: 'span', quantity: 3 },
        { reason: 'ratelimit_backoff', category: 'error', quantity: 2 },
      ],
    };
    await digestBody(world, projectId, envelope(report));
    await digestBody(
      world,
      projectId,
      envelope(report, {
        discarded_events: [{ reason: 'sample_rate', category: 'transaction', quantity: 5 }],
      }),
    );
    expect(await outcomes(projectId)).toEqual([
      {
        bucket: at('2026-11-28T16:00:00Z'),
        outcome: 'client_discard',
        reason: 'ratelimit_backoff',
        category: 'error',
        quantity: 6,
      },
      {
        bucket: at('2026-11-28T16:00:00Z'),
        outcome: 'client_discard',
        reason: 'send_error',
        category: 'span',
        quantity: 6,
      },
      {
        bucket: RECEIVED_HOUR,
        outcome: 'client_discard',
        reason: 'sample_rate',
        category: 'transaction',
        quantity: 5,
      },
    ]);
  });

  it('counts each list under its own outcome, with an ISO timestamp', async () => {
    const projectId = await world.newProject();
    const entry = (reason: string, quantity = 1) => [{ reason, category: 'error', quantity }];
    await digestBody(
      world,
      projectId,
      envelope({
        timestamp: '2026-11-28T15:30:00.000Z',
        discarded_events: entry('queue_overflow', 2),
        rate_limited_events: entry('ratelimit_backoff', 3),
        filtered_events: entry('before_send', 4),
        filtered_sampling_events: entry('sample_rate', 5),
        unknown_events: entry('whatever', 6),
      }),
    );
    const rows = await outcomes(projectId);
    expect(rows.map((o) => [o.outcome, o.reason, o.quantity])).toEqual([
      ['client_discard', 'queue_overflow', 2],
      ['filtered', 'before_send', 4],
      ['filtered_sampling', 'sample_rate', 5],
      ['rate_limited', 'ratelimit_backoff', 3],
    ]);
    expect(rows.every((o) => o.bucket === at('2026-11-28T15:00:00Z'))).toBe(true);
  });

  it.each([
    ['missing', undefined, RECEIVED_HOUR],
    ['unreadable', 'yesterday', RECEIVED_HOUR],
    ['far in the future', (FIXTURE_RECEIVED_AT + 86_400_000) / 1000, RECEIVED_HOUR],
    ['a numeric string', '1795878000', at('2026-11-28T15:00:00Z')],
  ])('buckets by the receive time when the timestamp is %s', async (_, timestamp, bucket) => {
    const projectId = await world.newProject();
    await digestBody(
      world,
      projectId,
      envelope({
        timestamp,
        discarded_events: [{ reason: 'network_error', category: 'error', quantity: 1 }],
      }),
    );
    expect((await outcomes(projectId)).map((o) => o.bucket)).toEqual([bucket]);
  });

  it('leaves out entries without a reason, a category or a positive quantity', async () => {
    const projectId = await world.newProject();
    await digestBody(
      world,
      projectId,
      envelope({
        discarded_events: [
          { reason: 'send_error', category: 'error', quantity: 1 },
          { category: 'error', quantity: 1 },
          { reason: 'send_error', quantity: 1 },
          { reason: 'send_error', category: 'error', quantity: 0 },
          { reason: 'send_error', category: 'error', quantity: -2 },
          { reason: 'send_error', category: 'error', quantity: 1.5 },
          { reason: 'send_error', category: 'error' },
          'entry',
        ],
      }),
    );
    expect((await outcomes(projectId)).map((o) => o.quantity)).toEqual([1]);
  });

  it.each([
    ['bad JSON', '{"discarded_events":['],
    ['a JSON list', [{ reason: 'send_error', category: 'error', quantity: 1 }]],
    ['discarded events that are not a list', { discarded_events: { reason: 'send_error' } }],
  ])('skips a report with %s', async (_, payload) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(payload));
    expect(await countRows(world, 'client_outcomes', projectId)).toBe(0);
  });
});
