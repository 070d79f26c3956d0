import type { Kysely } from 'kysely';
import { type EnvelopeHeaders, parseEnvelope } from '../protocol/envelope.js';
import { normalizeEvent, parseEventText } from '../protocol/event-normalize.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Engine } from '../store/db.js';
import type { StoredRawEnvelope } from '../store/region/raw-envelopes.js';
import type { RegionSchema } from '../store/schema.js';
import {
  completeRecord,
  type EventRecord,
  type PendingEvent,
  prepareEvent,
  recordOf,
} from './digest-event.js';
import type { ItemContext } from './item-digester.js';
import { ITEM_DIGESTERS } from './item-digesters.js';

/** What ingest knew of the raw envelope it handed over: normalization inputs of its event items. */
export interface EventRecordOptions {
  readonly receivedAt: number;
  /** The id ingest answered with, which every event item of the envelope takes. */
  readonly eventId: string | null;
  /** The envelope header's `sent_at`, for clock drift. */
  readonly sentAt: unknown;
  readonly clientIp: string | null;
}

/**
 * The record digest writes for one event item, from its parsed JSON; null for a broken event, which
 * is dropped (the envelope's other items are still digested). Ingest and digest both call this with
 * the same inputs, so a record handed over by ingest is the one digest would compute.
 */
export function eventRecordOf(
  payload: unknown,
  options: EventRecordOptions,
  payloadText?: string,
  /** Leave the document to complete where the payload is at hand (see EventRecord.appendToPayload). */
  deferDocument = false,
): EventRecord | null {
  try {
    const event = normalizeEvent(payload, {
      receivedAt: options.receivedAt,
      ...(options.eventId ? { eventId: options.eventId } : {}),
      ...(options.sentAt === undefined ? {} : { sentAt: options.sentAt }),
      ...(options.clientIp ? { clientIp: options.clientIp } : {}),
    });
    return recordOf(prepareEvent(event), payloadText, deferDocument);
  } catch (error) {
    if (error instanceof ProtocolError) return null;
    throw error;
  }
}

/** Item index → record, as ingest computed them (the legacy store body is item 0). */
export type PreparedRecords = ReadonlyMap<number, EventRecord>;

function eventItem(
  ctx: ItemContext,
  index: number,
  payload: Buffer,
  sentAt: unknown,
  events: PendingEvent[],
  prepared: PreparedRecords | undefined,
): void {
  let record = prepared?.get(index) ?? null;
  if (record === null) {
    const text = payload.toString('utf8');
    let parsed: unknown;
    try {
      parsed = parseEventText(text);
    } catch (error) {
      if (error instanceof ProtocolError) return;
      throw error;
    }
    record = eventRecordOf(
      parsed,
      { receivedAt: ctx.raw.receivedAt, eventId: ctx.eventId, sentAt, clientIp: ctx.raw.clientIp },
      text,
      true,
    );
  }
  // Handed over by ingest or computed here, the document is completed from the payload's bytes.
  if (record) events.push({ projectId: ctx.raw.projectId, record: completeRecord(record, payload) });
}

/**
 * Digests one raw envelope (or legacy store body) inside the caller's transaction. Every item but
 * errors and messages is written now; those are added to `events`, which the caller writes with
 * `writeEvents` (digest-event.ts) once for the whole batch, in the same transaction. `prepared`
 * holds the records ingest computed already, if it handed any over.
 */
export async function digestRawEnvelope(
  trx: Kysely<RegionSchema>,
  engine: Engine,
  raw: StoredRawEnvelope,
  events: PendingEvent[],
  prepared?: PreparedRecords,
): Promise<void> {
  if (raw.kind === 'store') {
    const ctx: ItemContext = { trx, engine, raw, envelopeHeaders: {}, eventId: raw.eventId };
    eventItem(ctx, 0, raw.payload, undefined, events, prepared);
    return;
  }
  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(raw.payload);
  } catch (error) {
    if (error instanceof ProtocolError) return;
    throw error;
  }
  const headers: EnvelopeHeaders = envelope.headers;
  const ctx: ItemContext = { trx, engine, raw, envelopeHeaders: headers, eventId: raw.eventId };
  for (const [index, item] of envelope.items.entries()) {
    if (item.headers.type === 'event') {
      eventItem(ctx, index, item.payload, headers.sent_at, events, prepared);
      continue;
    }
    const digester = ITEM_DIGESTERS[item.headers.type];
    if (digester) await digester(ctx, item);
  }
}
