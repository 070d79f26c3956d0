import type { Config } from '../config/config.js';
import { parseCheckIn } from '../protocol/check-in.js';
import type { Envelope } from '../protocol/envelope.js';
import { generateEventId, normalizeEventId } from '../protocol/event-id.js';
import { parseEventPayload } from '../protocol/event-normalize.js';
import { itemFacts, itemType } from '../protocol/item-type.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { tooLarge } from './read-body.js';

export interface AcceptedEnvelope {
  /** The id the answer carries: the envelope header's, else the event item's, else a new one. */
  readonly eventId: string | null;
  /** Whether the envelope holds an item that counts against rate limits. */
  readonly counted: boolean;
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ProtocolError('invalid_check_in', 'invalid check-in: the payload is not JSON');
  }
}

/** An event document's JSON object, or ProtocolError `invalid_event`. */
export function eventObject(payload: Buffer): Record<string, unknown> {
  const event = parseEventPayload(payload);
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new ProtocolError('invalid_event', 'invalid event: the payload is not a JSON object');
  }
  return event as Record<string, unknown>;
}

/** The `event_id` of an event object (400 when malformed), or null when it names none. */
export function eventIdOf(event: Record<string, unknown>): string | null {
  return event.event_id === undefined || event.event_id === null ? null : normalizeEventId(event.event_id);
}

/**
 * What ingest checks of an envelope before writing it: item sizes (413), the event id (400 when
 * malformed), each check-in (400 when Sentry would refuse it), and that an envelope whose only substance is a broken event is refused (400) rather
 * than acknowledged. A broken event beside good items is dropped by digest and the good items are
 * kept, as Relay keeps them. Nothing here normalizes or groups: digest does, once.
 */
export function acceptEnvelope(envelope: Envelope, config: Config): AcceptedEnvelope {
  let eventId: string | null = null;
  if (envelope.headers.event_id !== undefined && envelope.headers.event_id !== null) {
    eventId = normalizeEventId(envelope.headers.event_id);
  }
  let counted = false;
  let good = 0;
  let badEvent: ProtocolError | null = null;
  for (const item of envelope.items) {
    const type = itemType(item.headers.type);
    const facts = type && itemFacts(type);
    const limit =
      facts?.limit === 'event'
        ? config.ingestMaxEventBytes
        : facts?.limit === 'attachment'
          ? config.ingestMaxAttachmentBytes
          : Number.POSITIVE_INFINITY;
    if (item.payload.length > limit) throw tooLarge(item.headers.type);
    // A check-in Sentry would refuse is refused whole, so that the client learns why (400).
    if (type === 'check_in') parseCheckIn(parseJson(item.payload));
    if (!facts?.document) {
      good++;
      continue;
    }
    try {
      const event = eventObject(item.payload);
      eventId ??= eventIdOf(event);
      counted ||= facts.counted;
      good++;
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      badEvent = error;
    }
  }
  // The protocol error itself, which ingest answers with 400, so that its code says why.
  if (badEvent && good === 0) throw badEvent;
  if (eventId === null && counted) eventId = generateEventId();
  return { eventId, counted };
}

/** What ingest checks of a legacy `/store/` body: one event JSON object; its id, or a new one. */
export function acceptStoreBody(body: Buffer, config: Config): string {
  if (body.length > config.ingestMaxEventBytes) throw tooLarge('event');
  return eventIdOf(eventObject(body)) ?? generateEventId();
}
