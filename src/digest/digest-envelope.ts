import type { Kysely } from 'kysely';
import { parseEnvelope } from '../protocol/envelope.js';
import { normalizeEvent, parseEventPayload } from '../protocol/event-normalize.js';
import { itemType } from '../protocol/item-type.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Engine } from '../store/db.js';
import type { ClaimedEnvelope } from '../store/region/raw-queue.js';
import type { RegionSchema } from '../store/schema.js';
import { type GroupedEvent, groupEvent } from './group-event.js';
import type { ItemContext } from './item-digester.js';
import { digesterOf } from './item-digesters.js';
import type { EventItem, Symbolicator } from './symbolicate.js';

/** An error or message event item, normalized; undefined when it is broken (dropped). */
function eventItem(ctx: ItemContext, payload: Buffer): EventItem | undefined {
  try {
    const event = normalizeEvent(parseEventPayload(payload), {
      receivedAt: ctx.raw.receivedAt,
      ...(ctx.eventId ? { eventId: ctx.eventId } : {}),
      ...(ctx.envelopeHeaders.sent_at === undefined ? {} : { sentAt: ctx.envelopeHeaders.sent_at }),
      ...(ctx.raw.clientIp ? { clientIp: ctx.raw.clientIp } : {}),
    });
    return { projectId: ctx.raw.projectId, event, payload };
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}

/**
 * Digests one raw envelope (or legacy store body) inside the caller's transaction. Every item but
 * errors and messages is written now; those are added to `events`, which the caller groups with
 * `groupEventItems` and writes with `writeEvents` once for the whole batch, in the same
 * transaction. A broken item is dropped and the envelope's other items are kept.
 */
export async function digestEnvelope(
  trx: Kysely<RegionSchema>,
  engine: Engine,
  raw: ClaimedEnvelope,
  events: EventItem[],
): Promise<void> {
  if (raw.kind === 'store') {
    const ctx: ItemContext = { trx, engine, raw, envelopeHeaders: {}, eventId: raw.eventId };
    const event = eventItem(ctx, raw.payload);
    if (event) events.push(event);
    return;
  }
  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(raw.payload);
  } catch (error) {
    if (error instanceof ProtocolError) return;
    throw error;
  }
  const ctx: ItemContext = { trx, engine, raw, envelopeHeaders: envelope.headers, eventId: raw.eventId };
  for (const item of envelope.items) {
    if (itemType(item.headers.type) === 'event') {
      const event = eventItem(ctx, item.payload);
      if (event) events.push(event);
      continue;
    }
    const digester = digesterOf(item.headers.type);
    if (digester) await digester(ctx, item);
  }
}

/**
 * A batch's events symbolicated (when a symbolicator is given) and grouped, in order: grouping
 * sees the original frames, so the same bug in two builds is one issue.
 */
export async function groupEventItems(
  trx: Kysely<RegionSchema>,
  items: readonly EventItem[],
  symbolicator?: Symbolicator,
): Promise<GroupedEvent[]> {
  if (symbolicator) await symbolicator.symbolicate(trx, items);
  return items.map((item) => groupEvent(item.projectId, item.event, item.payload));
}
