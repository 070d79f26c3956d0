import { gzipSync } from 'node:zlib';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import type { Harness } from '../support/harness.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';

/** A project with its DSN key in a fresh organization. */
export async function ingestProject(h: Harness) {
  const user = await makeUser(h.ctx);
  const { org, team } = await makeOrg(h.ctx, user);
  const { project, key } = await makeProject(h.ctx, org, team);
  return { user, org, team, project, key };
}

export function errorEvent(overrides: Record<string, unknown> = {}) {
  return {
    event_id: crypto.randomUUID().replace(/-/g, ''),
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    exception: {
      values: [
        {
          type: 'TypeError',
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
    ...overrides,
  };
}

export function envelopeOf(
  items: { type: string; payload: unknown; headers?: Record<string, unknown> }[],
  headers: Record<string, unknown> = {},
) {
  return serializeEnvelope({
    headers,
    items: items.map((i) => ({ headers: { type: i.type, ...i.headers }, payload: i.payload as object })),
  });
}

/** POSTs an envelope the way @sentry/node does: key in the query string, no content type. */
export function postEnvelope(
  h: Harness,
  projectId: number,
  publicKey: string | null,
  body: Buffer,
  headers: Record<string, string> = {},
) {
  const query = publicKey
    ? `?sentry_version=7&sentry_key=${publicKey}&sentry_client=sentry.javascript.node%2F11.12.0`
    : '';
  return h.app.inject({ method: 'POST', url: `/api/${projectId}/envelope/${query}`, payload: body, headers });
}

export function postStore(h: Harness, projectId: number, publicKey: string, event: unknown, gzip = true) {
  const json = Buffer.from(JSON.stringify(event));
  return h.app.inject({
    method: 'POST',
    url: `/api/${projectId}/store/`,
    payload: gzip ? gzipSync(json) : json,
    headers: {
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      'x-sentry-auth': `Sentry sentry_key=${publicKey}, sentry_version=7, sentry_client=sentry.python/1.9.10`,
    },
  });
}
