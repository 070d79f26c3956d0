// Transactions as the SDKs send them, in both forms: a `transaction` event (sentry_sdk, @sentry/node
// 10 and `traceLifecycle: 'static'`) and a stream of v2 span items (@sentry/node 11), and the
// percentile the events endpoint computes, to check its numbers against.
import { randomBytes } from 'node:crypto';
import { SPAN_V2_CONTENT_TYPE } from '../../src/digest/items/span.js';
import { serializeEnvelope } from '../../src/protocol/envelope.js';

export interface SentChild {
  readonly op: string;
  readonly description: string;
  /** Offset from the transaction's start and length, ms. */
  readonly offsetMs: number;
  readonly durationMs: number;
  readonly status?: string;
}

export interface SentTransaction {
  readonly name: string;
  readonly op: string;
  /** Seconds since the epoch, as the SDKs send them. */
  readonly start: number;
  readonly durationMs: number;
  /** Left out of the payload when undefined. */
  readonly status?: string;
  readonly environment?: string;
  readonly release?: string;
  readonly children?: readonly SentChild[];
  readonly traceId?: string;
  readonly spanId?: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The ids a transaction is sent with: its own when given, else new random ones. */
export function idsOf(tx: SentTransaction): { traceId: string; spanId: string } {
  return { traceId: tx.traceId ?? hex(16), spanId: tx.spanId ?? hex(8) };
}

/** The end of a span, seconds, from its start and length as the test chose them. */
const endOf = (start: number, durationMs: number) => start + durationMs / 1000;

/**
 * The duration the server stores for a span sent with these start and end seconds: both
 * become milliseconds before they are subtracted, as digest does.
 */
export const storedDurationMs = (start: number, end: number) => end * 1000 - start * 1000;

/** What a sent transaction's root span lasts, as the server stores it. */
export const rootDurationMs = (tx: SentTransaction) =>
  storedDurationMs(tx.start, endOf(tx.start, tx.durationMs));

/** A `transaction` event item: the root span in `contexts.trace`, the children in `spans`. */
export function transactionEnvelope(tx: SentTransaction, ids = idsOf(tx)): Buffer {
  const children = (tx.children ?? []).map((c) => ({
    trace_id: ids.traceId,
    span_id: hex(8),
    parent_span_id: ids.spanId,
    op: c.op,
    description: c.description,
    start_timestamp: tx.start + c.offsetMs / 1000,
    timestamp: endOf(tx.start + c.offsetMs / 1000, c.durationMs),
    ...(c.status === undefined ? {} : { status: c.status }),
  }));
  const event = {
    event_id: hex(16),
    type: 'transaction',
    platform: 'node',
    transaction: tx.name,
    start_timestamp: tx.start,
    timestamp: endOf(tx.start, tx.durationMs),
    ...(tx.environment === undefined ? {} : { environment: tx.environment }),
    ...(tx.release === undefined ? {} : { release: tx.release }),
    contexts: {
      trace: {
        trace_id: ids.traceId,
        span_id: ids.spanId,
        op: tx.op,
        ...(tx.status === undefined ? {} : { status: tx.status }),
      },
    },
    spans: children,
  };
  return serializeEnvelope({ headers: {}, items: [{ headers: { type: 'transaction' }, payload: event }] });
}

const str = (value: string) => ({ value, type: 'string' });

/** A v2 span container as @sentry/node 11 streams it: the children first, the segment root last. */
export function spanStreamEnvelope(tx: SentTransaction, ids = idsOf(tx)): Buffer {
  const common = {
    'sentry.segment.name': str(tx.name),
    'sentry.segment.id': str(ids.spanId),
    ...(tx.environment === undefined ? {} : { 'sentry.environment': str(tx.environment) }),
    ...(tx.release === undefined ? {} : { 'sentry.release': str(tx.release) }),
  };
  const children = (tx.children ?? []).map((c) => ({
    trace_id: ids.traceId,
    span_id: hex(8),
    parent_span_id: ids.spanId,
    name: c.description,
    start_timestamp: tx.start + c.offsetMs / 1000,
    end_timestamp: endOf(tx.start + c.offsetMs / 1000, c.durationMs),
    is_segment: false,
    status: c.status ?? 'ok',
    attributes: { 'sentry.op': str(c.op), ...common },
  }));
  const root = {
    trace_id: ids.traceId,
    span_id: ids.spanId,
    name: tx.name,
    start_timestamp: tx.start,
    end_timestamp: endOf(tx.start, tx.durationMs),
    is_segment: true,
    status: tx.status ?? 'ok',
    attributes: { 'sentry.op': str(tx.op), ...common },
  };
  const items = [...children, root];
  return serializeEnvelope({
    headers: {},
    items: [
      {
        headers: { type: 'span', item_count: items.length, content_type: SPAN_V2_CONTENT_TYPE },
        payload: { version: 2, items },
      },
    ],
  });
}

/**
 * The q-quantile of the values (0 ≤ q ≤ 1) as the events endpoint defines it: sorted, the value
 * at rank q·(n−1), interpolated linearly between the two values around it.
 */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (rank - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Whether Sentry counts a status as a failure: anything but ok, cancelled and unknown (or none). */
export const failed = (status: string | undefined) =>
  status !== undefined && !['ok', 'cancelled', 'unknown'].includes(status);
