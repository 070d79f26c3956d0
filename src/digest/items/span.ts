import { asObject, asString, type JsonObject } from '../../protocol/json-read.js';
import { parseTimestamp } from '../../protocol/timestamp.js';
import { readSpanId, readTraceId } from '../../protocol/trace-ids.js';
import { insertSpans, type NewSpan } from '../../store/region/spans.js';
import type { ItemDigester } from '../item-digester.js';
import { envelopeDriftMs, readJsonObject } from './read-item.js';

/** The content type of the span v2 container `{"version":2,"items":[…]}` (@sentry/node 11 default). */
export const SPAN_V2_CONTENT_TYPE = 'application/vnd.sentry.items.span.v2+json';

/**
 * A span timestamp (seconds as a number or numeric string, or ISO 8601) as epoch ms, keeping the
 * sub-millisecond part that `parseTimestamp` rounds away: Python sends microseconds, and its spans
 * are often a few of them long.
 *
 * @example
 * spanTimeMs('2026-11-28T17:24:27.818636Z') // 1795886667818.636
 */
export function spanTimeMs(value: unknown): number | undefined {
  if (parseTimestamp(value) === undefined) return undefined;
  if (typeof value === 'number') return value * 1000;
  const text = (value as string).trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  const fraction = /:\d{2}[.,](\d+)/.exec(text)?.[1];
  if (fraction === undefined) return parseTimestamp(text);
  const wholeSeconds = parseTimestamp(text.replace(/(:\d{2})[.,]\d+/, '$1'));
  return wholeSeconds === undefined ? undefined : wholeSeconds + Number(`0.${fraction}`) * 1000;
}

/** Where a span came from: what it inherits when it does not say, and the envelope's clock drift. */
export interface SpanSource {
  readonly projectId: number;
  readonly transactionEventId: string | null;
  /** The transaction's trace, for spans that leave out their own. */
  readonly traceId?: string;
  readonly driftMs: number;
}

/** The transaction (segment) a span belongs to, as the span or its transaction says it. */
export interface SpanSegment {
  readonly transactionName: string | null;
  readonly segmentId: string | null;
  readonly isSegment: boolean;
  readonly environment: string | null;
  readonly release: string | null;
}

const NO_SEGMENT: SpanSegment = {
  transactionName: null,
  segmentId: null,
  isSegment: false,
  environment: null,
  release: null,
};

interface SpanFields {
  traceId: unknown;
  spanId: unknown;
  parentSpanId: unknown;
  op: unknown;
  description: unknown;
  status: unknown;
  start: unknown;
  end: unknown;
  data: JsonObject;
  segment: SpanSegment;
}

function toNewSpan(fields: SpanFields, source: SpanSource): NewSpan | undefined {
  const traceId = readTraceId(fields.traceId) ?? source.traceId;
  const spanId = readSpanId(fields.spanId);
  const start = spanTimeMs(fields.start);
  const end = spanTimeMs(fields.end);
  if (traceId === undefined || spanId === undefined || start === undefined || end === undefined)
    return undefined;
  return {
    projectId: source.projectId,
    traceId,
    spanId,
    parentSpanId: readSpanId(fields.parentSpanId) ?? null,
    transactionEventId: source.transactionEventId,
    op: asString(fields.op) ?? null,
    description: asString(fields.description) ?? null,
    status: asString(fields.status) ?? null,
    startTimestamp: start + source.driftMs,
    timestamp: end + source.driftMs,
    data: fields.data,
    ...fields.segment,
    // A root that does not name its segment is its own.
    segmentId: fields.segment.segmentId ?? (fields.segment.isSegment ? spanId : null),
  };
}

/**
 * A v1 span (an entry of a transaction's `spans`, or a span item of older SDKs):
 * `{span_id, parent_span_id, trace_id, op, description, status, start_timestamp, timestamp, data}`.
 * A span of a transaction takes its segment from the transaction (`segment`); a span sent on
 * its own says what it can (`is_segment`, `segment_id`). Undefined when it lacks its ids or times.
 */
export function readV1Span(value: unknown, source: SpanSource, segment?: SpanSegment): NewSpan | undefined {
  const span = asObject(value);
  if (span === undefined) return undefined;
  return toNewSpan(
    {
      traceId: span.trace_id,
      spanId: span.span_id,
      parentSpanId: span.parent_span_id,
      op: span.op,
      description: span.description,
      status: span.status,
      start: span.start_timestamp,
      end: span.timestamp,
      data: span,
      segment: segment ?? {
        ...NO_SEGMENT,
        segmentId: readSpanId(span.segment_id) ?? null,
        isSegment: span.is_segment === true,
      },
    },
    source,
  );
}

/** An attribute's value: v2 wraps each as `{value, type}`. */
function attribute(attributes: JsonObject | undefined, name: string): unknown {
  const attr = attributes?.[name];
  return asObject(attr)?.value ?? attr;
}

/**
 * The segment a v2 span names in its attributes. A span is its segment's root when it says so
 * (`is_segment`) or when its id is the segment id it carries.
 */
function v2Segment(span: JsonObject, attributes: JsonObject | undefined): SpanSegment {
  const segmentId = readSpanId(attribute(attributes, 'sentry.segment.id')) ?? null;
  const text = (name: string) => asString(attribute(attributes, name)) ?? null;
  return {
    transactionName: text('sentry.segment.name'),
    segmentId,
    isSegment: span.is_segment === true || (segmentId !== null && segmentId === readSpanId(span.span_id)),
    environment: text('sentry.environment'),
    release: text('sentry.release'),
  };
}

/**
 * A v2 span: `{trace_id, span_id, parent_span_id, name, status, start_timestamp, end_timestamp,
 * is_segment, attributes: {"sentry.op": {value, type}, …}}`; `name` is the description.
 */
export function readV2Span(value: unknown, source: SpanSource): NewSpan | undefined {
  const span = asObject(value);
  if (span === undefined) return undefined;
  const attributes = asObject(span.attributes);
  return toNewSpan(
    {
      traceId: span.trace_id,
      spanId: span.span_id,
      parentSpanId: span.parent_span_id,
      op: attribute(attributes, 'sentry.op'),
      description: span.name,
      status: span.status,
      start: span.start_timestamp,
      end: span.end_timestamp,
      data: span,
      segment: v2Segment(span, attributes),
    },
    source,
  );
}

/**
 * `span` items: the v2 container (`content_type` {@link SPAN_V2_CONTENT_TYPE}, or any payload
 * with an `items` list) or one v1 span object. Spans without ids or times are left out.
 */
export const digestSpan: ItemDigester = async (ctx, item) => {
  const payload = readJsonObject(item.payload);
  if (payload === undefined) return;
  const source: SpanSource = {
    projectId: ctx.raw.projectId,
    transactionEventId: null,
    driftMs: envelopeDriftMs(ctx),
  };
  const container = item.headers.content_type === SPAN_V2_CONTENT_TYPE || 'items' in payload;
  const items = container ? payload.items : [payload];
  if (!Array.isArray(items)) return;
  const spans = items.map((span) => (container ? readV2Span(span, source) : readV1Span(span, source)));
  await insertSpans(
    ctx.trx,
    spans.filter((span) => span !== undefined),
  );
};
