import type { Kysely } from 'kysely';
import { type EnvelopeHeaders, parseEnvelope } from '../protocol/envelope.js';
import { normalizeEvent, parseEventPayload } from '../protocol/event-normalize.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Engine } from '../store/db.js';
import type { StoredRawEnvelope } from '../store/region/raw-envelopes.js';
import type { RegionSchema } from '../store/schema.js';
import { type PendingEvent, prepareEvent } from './digest-event.js';
import type { ItemContext } from './item-digester.js';
import { ITEM_DIGESTERS } from './item-digesters.js';

/** Parses and prepares an event item; its rows are written with the rest of the batch's events. */
function digestEventPayload(
  ctx: ItemContext,
  payload: Buffer,
  sentAt: unknown,
  events: PendingEvent[],
): void {
  let prepared: ReturnType<typeof prepareEvent>;
  try {
    const event = normalizeEvent(parseEventPayload(payload), {
      receivedAt: ctx.raw.receivedAt,
      ...(ctx.eventId ? { eventId: ctx.eventId } : {}),
      ...(sentAt === undefined ? {} : { sentAt }),
      ...(ctx.raw.clientIp ? { clientIp: ctx.raw.clientIp } : {}),
    });
    prepared = prepareEvent(event);
  } catch (error) {
    // A broken event item is dropped; the envelope's other items are still digested.
    if (error instanceof ProtocolError) return;
    throw error;
  }
  events.push({ projectId: ctx.raw.projectId, prepared });
}

/**
 * Digests one raw envelope (or legacy store body) inside the caller's transaction. Every item but
 * errors and messages is written now; those are added to `events`, which the caller writes with
 * `writeEvents` (digest-event.ts) once for the whole batch, in the same transaction.
 */
export async function digestRawEnvelope(
  trx: Kysely<RegionSchema>,
  engine: Engine,
  raw: StoredRawEnvelope,
  events: PendingEvent[],
): Promise<void> {
  if (raw.kind === 'store') {
    const ctx: ItemContext = { trx, engine, raw, envelopeHeaders: {}, eventId: raw.eventId };
    digestEventPayload(ctx, raw.payload, undefined, events);
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
  for (const item of envelope.items) {
    if (item.headers.type === 'event') {
      digestEventPayload(ctx, item.payload, headers.sent_at, events);
      continue;
    }
    const digester = ITEM_DIGESTERS[item.headers.type];
    if (digester) await digester(ctx, item);
  }
}
