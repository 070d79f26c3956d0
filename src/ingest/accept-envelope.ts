import type { Config } from '../config/config.js';
import { type EventRecordOptions, eventRecordOf, type PreparedRecords } from '../digest/digest-envelope.js';
import type { EventRecord } from '../digest/digest-event.js';
import { AppError } from '../lib/app-error.js';
import type { Envelope } from '../protocol/envelope.js';
import { generateEventId, normalizeEventId } from '../protocol/event-id.js';
import { parseEventText } from '../protocol/event-normalize.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { tooLarge } from './read-body.js';

/** Item types whose payload is an event-like JSON document, limited to the event size. */
const EVENT_LIKE = new Set(['event', 'transaction', 'feedback', 'span', 'log', 'otel_log', 'trace_metric']);
/** Item types that count as events for rate limits and quotas. */
export const COUNTED = new Set(['event', 'transaction', 'feedback']);

export interface AcceptedEnvelope {
  /** The digest records of its event items, by item index, computed here where they are parsed anyway. */
  readonly prepared: PreparedRecords;
  /** The id the answer carries: the envelope header's, else the event item's, else a new one. */
  readonly eventId: string | null;
  /** Whether the envelope holds an item that counts against rate limits. */
  readonly counted: boolean;
}

/**
 * The digest record of an event, or null. Ingest only computes it ahead of digest: whatever fails
 * here (a broken event, or a bug) is left for digest, which drops or sets the envelope aside.
 */
export function recordOrNull(
  payload: unknown,
  options: EventRecordOptions,
  payloadText: string,
): EventRecord | null {
  try {
    // The writer completes the document from the payload it receives anyway: ~1 KB crosses, not 27.
    return eventRecordOf(payload, options, payloadText, true);
  } catch {
    return null;
  }
}

/**
 * What ingest checks on the request path before writing an envelope: item sizes (413), the event
 * id (400 when malformed), and that an envelope whose only substance is a broken event is refused
 * (400) rather than acknowledged. A broken event beside good items is dropped by digest and the
 * good items are kept, as Relay keeps them.
 */
export function acceptEnvelope(
  envelope: Envelope,
  config: Config,
  received: { readonly receivedAt: number; readonly clientIp: string | null },
): AcceptedEnvelope {
  let eventId: string | null = null;
  if (envelope.headers.event_id !== undefined && envelope.headers.event_id !== null) {
    eventId = normalizeEventId(envelope.headers.event_id);
  }
  let counted = false;
  let good = 0;
  let badEvent: ProtocolError | null = null;
  const events: [number, unknown, string][] = [];
  for (const [index, item] of envelope.items.entries()) {
    const type = item.headers.type;
    if (EVENT_LIKE.has(type) && item.payload.length > config.ingestMaxEventBytes) throw tooLarge(type);
    if (type === 'attachment' && item.payload.length > config.ingestMaxAttachmentBytes)
      throw tooLarge('attachment');
    if (type === 'event' || type === 'transaction' || type === 'feedback') {
      try {
        const text = item.payload.toString('utf8');
        const payload = parseEventText(text) as Record<string, unknown> | null;
        if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
          throw new ProtocolError('invalid_event', 'invalid event: the payload is not a JSON object');
        }
        if (eventId === null && payload.event_id !== undefined && payload.event_id !== null) {
          eventId = normalizeEventId(payload.event_id);
        }
        counted ||= COUNTED.has(type);
        if (type === 'event') events.push([index, payload, text]);
        good++;
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        badEvent = error;
      }
    } else {
      good++;
    }
  }
  if (badEvent && good === 0) throw new AppError('bad_request', badEvent.message);
  if (eventId === null && counted) eventId = generateEventId();
  const prepared = new Map<number, EventRecord>();
  for (const [index, payload, text] of events) {
    const record = recordOrNull(
      payload,
      {
        receivedAt: received.receivedAt,
        eventId,
        sentAt: envelope.headers.sent_at,
        clientIp: received.clientIp,
      },
      text,
    );
    if (record) prepared.set(index, record);
  }
  return { eventId, counted, prepared };
}
