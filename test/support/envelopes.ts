// What the tests send to ingest, built in one place: error events and the envelopes that carry
// them, for in-process requests (app.inject) and for real HTTP alike.
import { randomUUID } from 'node:crypto';
import { serializeEnvelope } from '../../src/protocol/envelope.js';

/** A new event id as SDKs write it in envelopes: 32 hex digits, no dashes. */
export function newEventId(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * An error event with a two-frame in-app stack, the same for every event of one `type`, so that
 * such events group into one issue. `fields` are set at the top level of the event (over the
 * defaults): an `event_id`, a `timestamp`, a `fingerprint`, another `exception`, and so on.
 */
export function errorEvent(fields: Record<string, unknown> = {}, type = 'TypeError') {
  return {
    event_id: newEventId(),
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    exception: {
      values: [
        {
          type,
          value: 'Cannot read properties of undefined (reading "id")',
          stacktrace: {
            frames: [
              { filename: '/app/server.js', module: 'server', function: 'handle', lineno: 10, in_app: true },
              {
                filename: '/app/orders.js',
                module: 'orders',
                function: 'loadOrder',
                lineno: 42,
                in_app: true,
              },
            ],
          },
        },
      ],
    },
    ...fields,
  };
}

export interface EnvelopeItem {
  readonly type: string;
  readonly payload: unknown;
  readonly headers?: Record<string, unknown>;
}

/** An envelope of the given items under the given envelope headers. */
export function envelopeOf(items: readonly EnvelopeItem[], headers: Record<string, unknown> = {}): Buffer {
  return serializeEnvelope({
    headers,
    items: items.map((i) => ({ headers: { type: i.type, ...i.headers }, payload: i.payload as object })),
  });
}

/** An envelope with one event item, headed by its event id and `sent_at`, as @sentry/node sends it. */
export function eventEnvelope<E extends { readonly event_id: string }>(event: E): Buffer {
  return envelopeOf([{ type: 'event', payload: event }], {
    event_id: event.event_id,
    sent_at: new Date().toISOString(),
  });
}
