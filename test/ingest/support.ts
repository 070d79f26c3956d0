import { gzipSync } from 'node:zlib';
import type { Harness } from '../support/harness.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';

/** A project with its DSN key in a fresh organization. */
export async function ingestProject(h: Harness) {
  const user = await makeUser(h.ctx);
  const { org, team } = await makeOrg(h.ctx, user);
  const { project, key } = await makeProject(h.ctx, org, team);
  return { user, org, team, project, key };
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
