import type { Kysely } from 'kysely';
import { parseEnvelope } from '../protocol/envelope.js';
import { normalizeEvent, parseEventPayload } from '../protocol/event-normalize.js';
import { itemType } from '../protocol/item-type.js';
import { invalidReason, type OutcomeUnit, outcomeUnits } from '../protocol/outcome.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Engine } from '../store/db.js';
import { decodeRefusals, type OutcomeCount } from '../store/region/outcomes.js';
import { type ClaimedEnvelope, OUTCOMES_KIND } from '../store/region/raw-queue.js';
import type { RegionSchema } from '../store/schema.js';
import { type GroupedEvent, groupEvent } from './group-event.js';
import type { ItemContext } from './item-digester.js';
import { digesterOf } from './item-digesters.js';
import { hourBucket } from './items/read-item.js';
import type { EventItem, Symbolicator } from './symbolicate.js';

/** An error or message event item, normalized; the reason it is broken (dropped) otherwise. */
function eventItem(ctx: ItemContext, payload: Buffer): EventItem | string {
  try {
    const event = normalizeEvent(parseEventPayload(payload), {
      receivedAt: ctx.raw.receivedAt,
      ...(ctx.eventId ? { eventId: ctx.eventId } : {}),
      ...(ctx.envelopeHeaders.sent_at === undefined ? {} : { sentAt: ctx.envelopeHeaders.sent_at }),
      ...(ctx.raw.clientIp ? { clientIp: ctx.raw.clientIp } : {}),
    });
    return { projectId: ctx.raw.projectId, event, payload };
  } catch (error) {
    if (error instanceof ProtocolError) return invalidReason(error.code);
    throw error;
  }
}

/** Counts an item's units, in the hour digest received it, as `outcome` (for usage stats). */
function count(
  counts: OutcomeCount[],
  raw: ClaimedEnvelope,
  units: readonly OutcomeUnit[],
  outcome: 'accepted' | 'invalid',
  reason = '',
): void {
  const bucket = hourBucket(raw.receivedAt);
  for (const unit of units) {
    counts.push({ projectId: raw.projectId, bucket, outcome, reason, ...unit, timesSeen: 1 });
  }
}

/** An event item: kept for grouping, or counted as invalid. */
function takeEvent(ctx: ItemContext, payload: Buffer, events: EventItem[], counts: OutcomeCount[]): void {
  const event = eventItem(ctx, payload);
  const units = outcomeUnits({ headers: { type: 'event' }, payload });
  if (typeof event === 'string') count(counts, ctx.raw, units, 'invalid', event);
  else {
    events.push(event);
    count(counts, ctx.raw, units, 'accepted');
  }
}

/**
 * Digests one raw envelope (or legacy store body) inside the caller's transaction. Every item but
 * errors and messages is written now; those are added to `events`, which the caller groups with
 * `groupEventItems` and writes with `writeEvents` once for the whole batch, in the same
 * transaction. A broken item is dropped and the envelope's other items are kept.
 *
 * What became of each item is added to `counts` for usage stats, which the caller writes in the
 * same transaction: events accepted or invalid, other items accepted less what their digester
 * rejected, and items of a type no digester takes invalid. A raw `outcomes` row holds nothing but
 * such counts: what ingest refused.
 */
export async function digestEnvelope(
  trx: Kysely<RegionSchema>,
  engine: Engine,
  raw: ClaimedEnvelope,
  events: EventItem[],
  counts: OutcomeCount[] = [],
): Promise<void> {
  if (raw.kind === OUTCOMES_KIND) {
    const bucket = hourBucket(raw.receivedAt);
    for (const r of decodeRefusals(raw.payload)) counts.push({ projectId: raw.projectId, bucket, ...r });
    return;
  }
  if (raw.kind === 'store') {
    const ctx: ItemContext = {
      trx,
      engine,
      raw,
      envelopeHeaders: {},
      eventId: raw.eventId,
      reject: () => {},
    };
    takeEvent(ctx, raw.payload, events, counts);
    return;
  }
  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(raw.payload);
  } catch (error) {
    if (error instanceof ProtocolError) return;
    throw error;
  }
  const rejects: Reject[] = [];
  const ctx: ItemContext = {
    trx,
    engine,
    raw,
    envelopeHeaders: envelope.headers,
    eventId: raw.eventId,
    reject: (n, reason) => rejects.push({ count: n, reason }),
  };
  for (const item of envelope.items) {
    if (itemType(item.headers.type) === 'event') {
      takeEvent(ctx, item.payload, events, counts);
      continue;
    }
    const digester = digesterOf(item.headers.type);
    if (!digester) {
      // Kept by no one: said, not silently dropped.
      count(counts, raw, outcomeUnits(item), 'invalid', NOT_KEPT_REASON);
      continue;
    }
    rejects.length = 0;
    await digester(ctx, item);
    countDigested(counts, raw, outcomeUnits(item), rejects);
  }
}

/** A digester's word that some of an item's records could not be kept. */
interface Reject {
  readonly count: number;
  readonly reason: string;
}

/** Why an item of a type Errata does not keep (profiles, replays, metrics) is counted as invalid. */
export const NOT_KEPT_REASON = 'feature_disabled';

/**
 * Counts a digested item: its records as accepted, less those its digester rejected, which count
 * as invalid; its bytes (a log container's) go with its records, accepted unless none was kept.
 */
function countDigested(
  counts: OutcomeCount[],
  raw: ClaimedEnvelope,
  units: readonly OutcomeUnit[],
  rejects: readonly Reject[],
): void {
  const [records, ...rest] = units;
  if (records === undefined) return;
  let kept = records.quantity;
  for (const r of rejects) {
    const n = Math.min(kept, r.count);
    if (n > 0) count(counts, raw, [{ ...records, quantity: n }], 'invalid', r.reason);
    kept -= n;
  }
  if (kept > 0) count(counts, raw, [{ ...records, quantity: kept }], 'accepted');
  count(counts, raw, rest, kept > 0 ? 'accepted' : 'invalid', kept > 0 ? '' : (rejects[0]?.reason ?? ''));
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
