// Calling the REST API in process (app.inject) the way the API tests do: as a session or a token,
// checking the status on the way, and reading Sentry's `Link` pagination header.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Method } from '../../../src/api/permissions.js';
import { type Harness, TEST_URL } from '../../support/harness.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field, checked by expect().
export type Json = Record<string, any>;
/** A parsed body: an object or an array of them. */
// biome-ignore lint/suspicious/noExplicitAny: as Json.
export type Body = any;

/** How the API writes times: ISO 8601 in UTC with milliseconds. */
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export interface Client {
  send(method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  /** Sends and checks the status, returning the parsed body (undefined when empty). */
  expect(status: number, method: Method, url: string, payload?: unknown): Promise<Body>;
}

/** Requests with the given headers (a session's cookie and CSRF token, or a bearer token). */
export function clientOf(h: Harness, headers: Record<string, string>): Client {
  const send = (method: Method, url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url: url.startsWith('/api/') ? url : `/api/0${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
  return {
    send,
    async expect(status, method, url, payload) {
      const res = await send(method, url, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      return res.body === '' ? undefined : res.json();
    },
  };
}

export function tokenClient(h: Harness, token: string): Client {
  return clientOf(h, { authorization: `Bearer ${token}` });
}

/** A query string with repeated keys for list values: `qs({ id: ['1', '2'] })` is `id=1&id=2`. */
export function qs(params: Record<string, string | readonly string[]>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) search.append(k, one);
  return search.toString();
}

/** Reads one link of a `Link` header: its path (without the base URL), `results` and cursor. */
export function link(res: LightMyRequestResponse, rel: 'previous' | 'next') {
  const header = String(res.headers.link);
  const part = header.split(', ').find((p) => p.includes(`rel="${rel}"`)) as string;
  const match = /^<([^>]+)>; rel="\w+"; results="(true|false)"; cursor="([^"]+)"$/.exec(part);
  expect(match, header).not.toBeNull();
  const [, url, results, cursor] = match as unknown as [string, string, string, string];
  expect(url.startsWith(TEST_URL), url).toBe(true);
  return { path: url.slice(TEST_URL.length), results: results === 'true', cursor };
}
