import { normalizeEvent } from '../../protocol/event-normalize.js';
import { asObject, type JsonObject } from '../../protocol/json-read.js';
import type { NormalizedEvent } from '../../protocol/normalized-event.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import { readSpanId } from '../../protocol/trace-ids.js';
import { insertEvent } from '../../store/region/events.js';
import { insertSpans, type NewSpan } from '../../store/region/spans.js';
import { userDocument } from '../event-document.js';
import { eventTags, userKey } from '../event-tags.js';
import type { ItemContext, ItemDigester } from '../item-digester.js';
import { envelopeDriftMs, parseJsonObject } from './read-item.js';
import { readV1Span, type SpanSegment, type SpanSource } from './span.js';

/** The name Relay gives a transaction that has none. */
export const UNLABELED_TRANSACTION = '<unlabeled transaction>';

function normalize(ctx: ItemContext, payload: JsonObject): NormalizedEvent | undefined {
  try {
    return normalizeEvent(payload, {
      receivedAt: ctx.raw.receivedAt,
      eventId: ctx.eventId ?? undefined,
      sentAt: ctx.envelopeHeaders.sent_at,
      clientIp: ctx.raw.clientIp ?? undefined,
    });
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}

/**
 * The transaction's own span, the root of its segment: `contexts.trace` holds its ids, op and
 * status, the event its times.
 */
function rootSpan(
  payload: JsonObject,
  name: string,
  source: SpanSource,
  segment: SpanSegment,
): NewSpan | undefined {
  const trace = asObject(asObject(payload.contexts)?.trace);
  if (trace === undefined) return undefined;
  const span = readV1Span(
    {
      ...trace,
      description: trace.description ?? name,
      start_timestamp: payload.start_timestamp,
      timestamp: payload.timestamp,
    },
    source,
    { ...segment, segmentId: readSpanId(trace.span_id) ?? null, isSegment: true },
  );
  return span && { ...span, data: trace };
}

/**
 * `transaction` items: one `events` row of type `transaction` (no issue; title = transaction
 * name, level info) and its spans, the root span from `contexts.trace` first. Like Relay, a
 * transaction without a trace context (trace and span id) or without start and end times is
 * skipped. An event id the project already has is stored once: the repeat adds no spans either.
 */
export const digestTransaction: ItemDigester = async (ctx, item) => {
  const parsed = parseJsonObject(item.payload);
  const event = parsed && normalize(ctx, parsed);
  if (event === undefined) return;
  // Normalizing bounded the payload already (depth, breadth, U+0000): no second walk.
  const payload = event.data as JsonObject;
  const name = event.transaction ?? UNLABELED_TRANSACTION;
  const source: SpanSource = {
    projectId: ctx.raw.projectId,
    transactionEventId: event.eventId,
    driftMs: envelopeDriftMs(ctx),
  };
  const segment: SpanSegment = {
    transactionName: name,
    segmentId: null,
    isSegment: false,
    environment: event.environment ?? null,
    release: event.release ?? null,
  };
  const root = rootSpan(payload, name, source, segment);
  if (root === undefined) return;

  const inserted = await insertEvent(ctx.trx, {
    projectId: ctx.raw.projectId,
    issueId: null,
    eventId: event.eventId,
    type: 'transaction',
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    level: 'info',
    title: name,
    message: '',
    culprit: name,
    release: event.release ?? null,
    environment: event.environment ?? null,
    platform: event.platform,
    transactionName: name,
    traceId: root.traceId,
    userKey: userKey(event),
    tags: eventTags({ ...event, level: 'info' }),
    data: JSON.stringify({ ...payload, user: userDocument(event.user) }),
  });
  if (!inserted) return;

  const children = Array.isArray(payload.spans) ? payload.spans : [];
  const childSegment = { ...segment, segmentId: root.spanId };
  const spans = children.map((span) => readV1Span(span, { ...source, traceId: root.traceId }, childSegment));
  await insertSpans(ctx.trx, [root, ...spans.filter((span) => span !== undefined)]);
};
