// HTTP helpers for tests that talk to `errata serve` processes over loopback: send error events
// to a node's ingest door, call its REST API, and keep a bounded number of requests in flight.
import { errorEvent as anErrorEvent } from './envelopes.js';

/** What an SDK takes from a DSN to reach a project. */
export interface DsnParts {
  readonly projectId: number;
  readonly publicKey: string;
}

export function parseDsn(dsn: string): DsnParts {
  const url = new URL(dsn);
  return { projectId: Number(url.pathname.slice(1)), publicKey: url.username };
}

/**
 * The shapes multi-node and database-outage call: an error event of `type` with the given id, and
 * its envelope. Both are built by envelopes.ts, which new tests should import directly.
 */
export function errorEvent(eventId: string, type: string, extra: Record<string, unknown> = {}) {
  return anErrorEvent({ event_id: eventId, ...extra }, type);
}
export { eventEnvelope as envelopeOf, newEventId } from './envelopes.js';

export interface Answer<T = unknown> {
  /** The HTTP status, or 0 when no answer came (connection refused or reset, or `timeoutMs` passed). */
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
  readonly ms: number;
  /** Why there was no answer, when status is 0. */
  readonly failure?: string;
}

async function exchange<T>(url: string, init: RequestInit, timeoutMs: number): Promise<Answer<T>> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {}
    return {
      status: response.status,
      body: body as T,
      headers: response.headers,
      ms: performance.now() - started,
    };
  } catch (error) {
    const cause = (error as Error).cause ?? error;
    return {
      status: 0,
      body: null as T,
      headers: new Headers(),
      ms: performance.now() - started,
      failure: String((cause as Error).message ?? cause),
    };
  }
}

/** `POST /api/<project>/envelope/` on a node, the key in the query string. */
export function postEnvelope(baseUrl: string, dsn: DsnParts, body: string | Uint8Array, timeoutMs = 30_000) {
  const url = `${baseUrl}/api/${dsn.projectId}/envelope/?sentry_version=7&sentry_key=${dsn.publicKey}`;
  return exchange<{ id?: string; detail?: unknown }>(url, { method: 'POST', body }, timeoutMs);
}

/** A REST call with a bearer token: `api(node, token, 'GET', 'projects/org/p/issues/')`. */
export function api<T = unknown>(
  baseUrl: string,
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<Answer<T>> {
  return exchange<T>(
    `${baseUrl}/api/0/${path}`,
    {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    timeoutMs,
  );
}

/** Runs `task(0..count-1)` with at most `inFlight` running at once; results in index order. */
export async function inParallel<T>(
  count: number,
  inFlight: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return results;
}
