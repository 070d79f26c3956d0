import { boundEventData } from '../../protocol/event-bounds.js';
import { asObject, type JsonObject } from '../../protocol/json-read.js';
import { boundTimestamp, clockDriftMs, parseTimestamp } from '../../protocol/timestamp.js';
import type { ItemContext } from '../item-digester.js';

const HOUR_MS = 3_600_000;

/** The payload as a JSON object as sent; undefined when it is not JSON or not an object. */
export function parseJsonObject(payload: Buffer): JsonObject | undefined {
  try {
    return asObject(JSON.parse(payload.toString('utf8')));
  } catch {
    return undefined;
  }
}

/**
 * The payload as a JSON object, within the same bounds as an event (depth, breadth, string length,
 * no U+0000, which PostgreSQL text refuses): every item type stores client text, and one that failed
 * to store would be lost after the client was told it was accepted. Undefined when it is not JSON or
 * not an object, so the item is skipped.
 */
export function readJsonObject(payload: Buffer): JsonObject | undefined {
  const parsed = parseJsonObject(payload);
  return parsed && (boundEventData(parsed, []) as JsonObject);
}

/** How far the sender's clock is behind ours, from the envelope's `sent_at` (0 below the threshold). */
export function envelopeDriftMs(ctx: ItemContext): number {
  return clockDriftMs(ctx.envelopeHeaders.sent_at, ctx.raw.receivedAt);
}

/**
 * A client timestamp as epoch ms, corrected for the envelope's clock drift and kept within the
 * usual bounds around the receive time; the receive time when missing or unreadable.
 */
export function clientTime(ctx: ItemContext, value: unknown): number {
  const sent = parseTimestamp(value);
  if (sent === undefined) return ctx.raw.receivedAt;
  return boundTimestamp(sent + envelopeDriftMs(ctx), ctx.raw.receivedAt).timestamp;
}

/** The start of the UTC hour holding `ms`. */
export function hourBucket(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
