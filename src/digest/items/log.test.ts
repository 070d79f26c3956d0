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
import { findLogsByProject } from '../../store/region/logs.js';
import { INVALID_LOG_REASON, LOG_CONTENT_TYPE } from './log.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = 'b7ad6b7169203331';
const T0 = FIXTURE_RECEIVED_AT / 1000 - 5;

/** A record as @sentry/node 11 serializes it (core `logs/internal.js`). */
const record = (body: string, level: string, extra: Record<string, unknown> = {}) => ({
  timestamp: T0,
  level,
  body,
  trace_id: TRACE_ID,
  severity_number: level === 'warn' ? 13 : 9,
  attributes: {
    'sentry.release': { value: 'web@1.0.0', type: 'string' },
    'sentry.environment': { value: 'production', type: 'string' },
    'sentry.sdk.name': { value: 'sentry.javascript.node', type: 'string' },
    'sentry.sdk.version': { value: '11.12.0', type: 'string' },
    'sentry.timestamp.sequence': { value: body.length, type: 'integer' },
  },
  ...extra,
});

const envelope = (records: unknown, headers: Record<string, unknown> = {}) =>
  serializeEnvelope({
    headers: { sdk: { name: 'sentry.javascript.node', version: '11.12.0' } },
    items: [
      {
        headers: { type: 'log', content_type: LOG_CONTENT_TYPE, ...headers },
        payload: (Array.isArray(records) ? { version: 2, items: records } : records) as object,
      },
    ],
  });

describe.each(TEST_ENGINES)('log digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  const all = (projectId: number) => findLogsByProject(world.db, projectId);

  it('keeps each record with its level, body, attributes, trace and span ids, once', async () => {
    const projectId = await world.newProject();
    const withSpan = record('order placed', 'info', {
      attributes: {
        ...record('x', 'info').attributes,
        orderId: { value: 42, type: 'integer' },
        'sentry.trace.parent_span_id': { value: SPAN_ID, type: 'string' },
      },
    });
    const body = envelope([withSpan, record('stock low', 'warn')]);
    expect(await digestBody(world, projectId, body)).toEqual([]);
    expect(await digestBody(world, projectId, body)).toEqual([]);

    const logs = await all(projectId);
    expect(logs).toHaveLength(2);
    const [placed, low] = logs;
    expect(placed).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      level: 'info',
      severityNumber: 9,
      body: 'order placed',
      release: 'web@1.0.0',
      environment: 'production',
      sdk: 'sentry.javascript.node/11.12.0',
      observedTimestamp: FIXTURE_RECEIVED_AT,
    });
    expect(placed?.timestamp).toBeCloseTo(T0 * 1000, 3);
    expect(placed?.attributes.orderId).toEqual({ value: 42, type: 'integer' });
    expect(placed?.itemId).toMatch(/^[0-9a-f]{32}$/);
    expect(low).toMatchObject({ level: 'warn', severityNumber: 13, spanId: null });
  });

  it('rejects malformed records, so that they count as invalid log items, and keeps the rest', async () => {
    const projectId = await world.newProject();
    const { trace_id: _, ...noTrace } = record('no trace', 'info');
    const rejects = await digestBody(
      world,
      projectId,
      envelope([
        record('kept', 'info'),
        noTrace,
        record('bad level', 'loud'),
        record('bad time', 'info', { timestamp: 'later' }),
        { ...record('x', 'info'), body: { nested: true } },
        'not a record',
      ]),
    );
    expect((await all(projectId)).map((l) => l.body)).toEqual(['kept']);
    expect(rejects).toEqual([{ count: 5, reason: INVALID_LOG_REASON }]);
  });

  it('rejects every record of a container it cannot read, by its item_count', async () => {
    const projectId = await world.newProject();
    const rejected = async (records: unknown, headers: Record<string, unknown> = {}) =>
      (await digestBody(world, projectId, envelope(records as object, headers))).map((r) => r.count);
    expect(await rejected({ version: 2, items: 'nope' }, { item_count: 3 })).toEqual([3]);
    expect(await rejected({ version: 2 })).toEqual([1]);
    expect(await countRows(world, 'logs', projectId)).toBe(0);
    // A client's count is believed only so far.
    expect(await rejected('not json', { item_count: Number.MAX_SAFE_INTEGER })).toEqual([10_000]);
  });

  it('takes release, environment and SDK from the envelope when attributes do not say', async () => {
    const projectId = await world.newProject();
    const body = serializeEnvelope({
      headers: {
        sdk: { name: 'sentry.python', version: '2.40.0' },
        trace: { trace_id: TRACE_ID, release: 'api@2', environment: 'staging' },
      },
      items: [
        {
          headers: { type: 'log', content_type: LOG_CONTENT_TYPE },
          payload: { items: [{ timestamp: T0, trace_id: TRACE_ID, level: 'WARNING', body: 'plain' }] },
        },
      ],
    });
    await digestBody(world, projectId, body);
    expect(await all(projectId)).toMatchObject([
      {
        level: 'warn',
        severityNumber: 13,
        release: 'api@2',
        environment: 'staging',
        sdk: 'sentry.python/2.40.0',
      },
    ]);
  });
});
