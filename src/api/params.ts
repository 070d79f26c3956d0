import { notFound } from '../lib/app-error.js';
import { normalizeEventId } from '../protocol/event-id.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { ApiCall } from './route.js';

/** The `:event` path parameter as a 32-hex event id (dashed UUIDs accepted); anything else is 404. */
export function eventIdParam(call: ApiCall): string {
  try {
    return normalizeEventId(call.params.event);
  } catch (error) {
    if (error instanceof ProtocolError) throw notFound();
    throw error;
  }
}
