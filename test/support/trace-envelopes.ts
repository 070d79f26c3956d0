// Traces as SDKs send them, for tests: a v1 transaction (its own span in `contexts.trace`, the
// others in `spans`, as sentry-python and @sentry/node in static mode send it), v2 spans (the
// span stream @sentry/node 11 sends by default), and an error raised inside a span.
import { randomBytes } from 'node:crypto';
import { SPAN_V2_CONTENT_TYPE } from '../../src/digest/items/span.js';
import type { EnvelopeItemInput } from '../../src/protocol/envelope.js';
import { newEventId } from './envelopes.js';

export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');

/** One span of a planned trace; times are epoch ms. */
export interface PlannedSpan {
  readonly id: string;
  readonly parent: string | null;
  readonly op: string;
  readonly description: string;
  readonly start: number;
  readonly end: number;
  readonly data?: Record<string, unknown>;
}

type Item = EnvelopeItemInput;

/**
 * A `transaction` item: `root` is the transaction's own span, `spans` its children (any depth).
 * `fields` go to the top level of the event (measurements, sdk, a release).
 */
export function transactionItem(
  traceId: string,
  name: string,
  root: PlannedSpan,
  spans: readonly PlannedSpan[],
  fields: Record<string, unknown> = {},
): { eventId: string; item: Item } {
  const eventId = newEventId();
  const payload = {
    event_id: eventId,
    type: 'transaction',
    platform: 'python',
    transaction: name,
    transaction_info: { source: 'route' },
    start_timestamp: root.start / 1000,
    timestamp: root.end / 1000,
    contexts: {
      trace: {
        trace_id: traceId,
        span_id: root.id,
        ...(root.parent ? { parent_span_id: root.parent } : {}),
        op: root.op,
        status: 'ok',
        ...(root.data ? { data: root.data } : {}),
      },
    },
    spans: spans.map((s) => ({
      trace_id: traceId,
      span_id: s.id,
      parent_span_id: s.parent,
      op: s.op,
      description: s.description,
      start_timestamp: s.start / 1000,
      timestamp: s.end / 1000,
      status: 'ok',
      ...(s.data ? { data: s.data } : {}),
    })),
    sdk: { name: 'sentry.python', version: '1.9.10' },
    ...fields,
  };
  return { eventId, item: { headers: { type: 'transaction' }, payload } };
}

const attr = (value: unknown) => ({
  value,
  type: typeof value === 'number' ? 'integer' : typeof value === 'boolean' ? 'boolean' : 'string',
});

/**
 * A v2 `span` item: `segment` names the span every other one belongs to (its name becomes their
 * `sentry.segment.name` unless `nameless` lists them), as @sentry/node 11 streams them.
 */
export function spanStreamItem(
  traceId: string,
  segment: PlannedSpan,
  spans: readonly PlannedSpan[],
  options: { nameless?: readonly string[]; attributes?: Record<string, unknown> } = {},
): Item {
  const items = spans.map((s) => ({
    trace_id: traceId,
    span_id: s.id,
    ...(s.parent ? { parent_span_id: s.parent } : {}),
    name: s.description,
    start_timestamp: s.start / 1000,
    end_timestamp: s.end / 1000,
    is_segment: s.id === segment.id,
    status: 'ok',
    attributes: {
      'sentry.op': attr(s.op),
      'sentry.segment.id': attr(segment.id),
      ...(options.nameless?.includes(s.id) ? {} : { 'sentry.segment.name': attr(segment.description) }),
      'sentry.sdk.name': attr('sentry.javascript.node'),
      ...Object.fromEntries(
        Object.entries({ ...options.attributes, ...s.data }).map(([k, v]) => [k, attr(v)]),
      ),
    },
  }));
  return {
    headers: { type: 'span', item_count: items.length, content_type: SPAN_V2_CONTENT_TYPE },
    payload: { version: 2, items },
  };
}

/** An error event raised in span `spanId` (null: the trace's, no span) of transaction `transaction`. */
export function errorInSpan(
  traceId: string,
  spanId: string | null,
  message: string,
  options: { transaction?: string; timestamp?: number; level?: string } = {},
): { eventId: string; item: Item } {
  const eventId = newEventId();
  return {
    eventId,
    item: {
      headers: { type: 'event' },
      payload: {
        event_id: eventId,
        timestamp: (options.timestamp ?? Date.now()) / 1000,
        platform: 'node',
        level: options.level ?? 'error',
        ...(options.transaction ? { transaction: options.transaction } : {}),
        exception: { values: [{ type: 'Error', value: message }] },
        // An issue of its own per message.
        fingerprint: [message],
        contexts: { trace: { trace_id: traceId, ...(spanId ? { span_id: spanId } : {}), op: 'test' } },
      },
    },
  };
}
