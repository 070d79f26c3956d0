import { connect, type Socket } from 'node:net';
import path from 'node:path';
import type { Context } from '../lib/context.js';
import { type LoadResult, runLoad } from '../lib/load.js';
import { firstStart, sleep, startErrata } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';

/** Tag keys per event; every event of the one issue brings a new value for each. */
const TAGS_PER_EVENT = 100;
/** Concurrent clients requesting that issue's tags/ over and over. */
const TAG_CLIENTS = 4;

function taggedEnvelope(n: number): string {
  const tags = Object.fromEntries(
    Array.from({ length: TAGS_PER_EVENT }, (_, k) => [`bench.tag.${k}`, `value-${n}-${k}`]),
  );
  const event = { event_id: n.toString(16).padStart(32, '0'), fingerprint: ['tag-heavy'], tags };
  return `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
}

/**
 * Connections that send headers, then a body a byte every half second (declared far longer than it
 * gets): half to ingest, half to the sign-in form.
 */
function slowBodies(port: number, count: number, ingestPath: string): () => void {
  const heads = [
    `POST ${ingestPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n{}\n`,
    'POST /api/0/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"username":"',
  ];
  const sockets: Socket[] = Array.from({ length: count }, (_, i) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(heads[i % 2] as string));
    return socket.on('error', () => {});
  });
  const timer = setInterval(() => {
    for (const socket of sockets) if (socket.writable) socket.write('a');
  }, 500);
  return () => {
    clearInterval(timer);
    for (const socket of sockets) socket.destroy();
  };
}

/**
 * Is the server still there for everyone while a few clients abuse it? A health probe (`GET
 * /api/0/`, one request at a time) timed alone, then while slow-body connections hold sockets
 * open and clients loop on the tags/ of an issue with thousands of tag values.
 */
export async function probe(ctx: Context): Promise<void> {
  const events = ctx.options.quick ? 40 : 200;
  const node = await startErrata({ name: 'probe', dataDir: path.join(ctx.tmpDir, 'probe') });
  const { token, publicKey, projectId, org, project } = firstStart(node);
  const headers = { authorization: `Bearer ${token}` };
  const ingestPath = `/api/${projectId}/envelope/?sentry_key=${publicKey}&sentry_version=7`;
  const post = (n: number) => fetch(`${node.url}${ingestPath}`, { method: 'POST', body: taggedEnvelope(n) });
  for (let n = 0; n < events; n += 8) await Promise.all(Array.from({ length: 8 }, (_, i) => post(n + i)));
  const deadline = performance.now() + 60_000;
  let issueId: string | undefined;
  while (!issueId) {
    if (performance.now() > deadline) throw new Error('the tag-heavy issue was not digested within 60 s');
    await sleep(100);
    const list = await fetch(`${node.url}/api/0/projects/${org}/${project}/issues/`, { headers });
    issueId = ((await list.json()) as { id: string; count: string }[]).find((i) => +i.count >= events)?.id;
  }
  const time = (path: string, connections: number, durationS: number) =>
    runLoad({ urls: [node.url], connections, durationS, requests: [{ method: 'GET', path, headers }] });

  const alone = await time('/api/0/', 1, ctx.options.probeS);
  const stopSlow = slowBodies(Number(new URL(node.url).port), ctx.options.quick ? 50 : 200, ingestPath);
  // The tags/ clients start first and outlast the probe, so that every probe request meets them.
  const tagsPath = `/api/0/organizations/${org}/issues/${issueId}/tags/`;
  const tags = time(tagsPath, TAG_CLIENTS, ctx.options.probeS + 2);
  await sleep(1000);
  const abused = await time('/api/0/', 1, ctx.options.probeS);
  const row = (name: string, r: LoadResult) => [name, ms(r.p50Ms), ms(r.p99Ms), int(r.ok), int(r.errors)];
  const rows = [row('probe alone', alone), row('probe under abuse', abused), row('tags/', await tags)];
  stopSlow();
  ctx.results.figures.probeP99Ms = abused.p99Ms;
  ctx.results.sections.push(
    `## Health probe under abuse (${events} events of ${TAGS_PER_EVENT} tags in one issue)`,
    table(['requests', 'median ms', 'p99 ms', 'answered', 'errors'], rows),
  );
}
