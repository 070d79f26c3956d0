import { randomUUID } from 'node:crypto';
import { ProtocolError } from './protocol-error.js';

const SIMPLE = /^[0-9a-f]{32}$/i;
const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Normalizes an event id to 32 lowercase hex characters. Accepts the simple form and the dashed
 * UUID form (sentry-cli puts the dashed one in envelope headers), in any case.
 * Throws a `ProtocolError` with code `invalid_event_id` otherwise.
 *
 * @example
 * normalizeEventId('362503F3-06C3-49CF-B5D8-5D3E40F88BBE') // '362503f306c349cfb5d85d3e40f88bbe'
 */
export function normalizeEventId(value: unknown): string {
  if (typeof value === 'string') {
    if (SIMPLE.test(value)) return value.toLowerCase();
    if (DASHED.test(value)) return value.replaceAll('-', '').toLowerCase();
  }
  const shown = typeof value === 'string' ? value.slice(0, 64) : String(value);
  throw new ProtocolError('invalid_event_id', `invalid event id ${JSON.stringify(shown)}`);
}

/** A fresh event id: a random UUID v4 in the simple 32-hex form. */
export function generateEventId(): string {
  return randomUUID().replaceAll('-', '');
}

/** The dashed UUID form of a normalized event id, as sentry-cli prints it. */
export function formatEventIdAsUuid(eventId: string): string {
  const id = normalizeEventId(eventId);
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
}
