import http from 'node:http';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../lib/context.js';
import { CpuMonitor } from '../lib/cpu-monitor.js';
import { startErrata } from '../lib/errata.js';
import { quantile } from '../lib/load.js';
import type { LatencySummary, ProbeScenario } from '../lib/results.js';

/**
 * Scenario 6: is the server still there for everyone else while a few clients abuse it? A probe
 * (`GET /api/0/` with a token, one request at a time) is timed alone, then while slow-body
 * connections trickle their bodies a few bytes a second, then while a tag-heavy issue's `tags/`
 * endpoint is also requested in a loop. Every load goes to 127.0.0.1 and stops by itself (a deadline and a count).
 */

/** Tag keys per event and events in the one issue: every event brings a new value for every key. */
const TAGS_PER_EVENT = 100;
/** Concurrent loops requesting the issue's tags/ endpoint. */
const TAG_LOOPS = 4;
/** Bytes each slow-body connection sends per second, and how often it sends. */
const SLOW_BYTE_EVERY_MS = 500;
/** Upper bound of requests of each loop, whatever the duration. */
const MAX_REQUESTS_PER_LOOP = 200_000;

interface Sizes {
  readonly events: number;
  readonly slowConnections: number;
  readonly probeS: number;
}

const QUICK: Sizes = { events: 40, slowConnections: 50, probeS: 3 };
const FULL: Sizes = { events: 200, slowConnections: 200, probeS: 10 };

/** Kept-alive connections of the loops (one per loop and the probe), made anew for each run. */
let agent = new http.Agent({ keepAlive: true });

function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${url} timed out`)));
    req.end(options.body);
  });
}

/** Requests `url` one after another until `deadline` (performance.now()), timing each 2xx answer. */
async function loop(
  url: string,
  headers: Record<string, string>,
  deadline: number,
  into: number[],
): Promise<number> {
  let errors = 0;
  for (let n = 0; n < MAX_REQUESTS_PER_LOOP && performance.now() < deadline; n++) {
    const started = performance.now();
    try {
      const answer = await request(url, { headers });
      if (answer.status >= 200 && answer.status < 300) into.push(performance.now() - started);
      else errors++;
    } catch {
      errors++;
    }
  }
  return errors;
}

function summary(latencies: number[], errors: number, seconds: number): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: latencies.length,
    errors,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    rps: latencies.length / seconds,
  };
}

/**
 * Opens `count` connections that send a request's headers and then its body a byte at a time
 * (declared far longer than it will ever be); half to ingest (with a valid key, so the body is
 * read), half to the REST sign-in. Returns a stop function and how many the server has closed.
 */
function slowBodies(
  port: number,
  count: number,
  envelopePath: string,
): { stop(): void; closedByServer(): number } {
  const sockets: Socket[] = [];
  let closed = 0;
  let stopping = false;
  for (let i = 0; i < count; i++) {
    const head =
      i % 2 === 0
        ? `POST ${envelopePath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n{}\n`
        : 'POST /api/0/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"username":"';
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!stopping) closed++;
    });
    sockets.push(socket);
  }
  const timer = setInterval(() => {
    for (const socket of sockets) if (socket.writable) socket.write('a');
  }, SLOW_BYTE_EVERY_MS);
  return {
    stop() {
      stopping = true;
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
    },
    closedByServer: () => closed,
  };
}

/** One event of the tag-heavy issue: the same fingerprint, a new value for each of the tag keys. */
function taggedEnvelope(n: number): string {
  const tags: Record<string, string> = {};
  for (let k = 0; k < TAGS_PER_EVENT; k++)
    tags[`bench.tag.${String(k).padStart(3, '0')}`] = `value-${n}-${k}`;
  const event = {
    event_id: `${n.toString(16).padStart(8, '0')}${'0'.repeat(24)}`,
    level: 'error',
    platform: 'node',
    message: 'bench: the tag-heavy issue',
    fingerprint: ['bench-tag-heavy'],
    tags,
  };
  return `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
}

export async function probeScenario(ctx: BenchContext): Promise<ProbeScenario> {
  const sizes = ctx.options.quick ? QUICK : FULL;
  agent = new http.Agent({ keepAlive: true });
  const dataDir = path.join(ctx.tmpDir, 'probe');
  const node = await startErrata({ build: ctx.build, name: 'errata (probe)', dataDir });
  try {
    const first = node.firstStart;
    if (!first) throw new Error(`errata serve printed no first-start token:\n${node.child.output()}`);
    const auth = { authorization: `Bearer ${first.token}` };
    const envelopePath = `/api/${first.projectId}/envelope/?sentry_key=${first.publicKey}&sentry_version=7`;
    ctx.log(`probe: ${sizes.events} events of ${TAGS_PER_EVENT} tags each into one issue`);
    for (let n = 0; n < sizes.events; n += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, sizes.events - n) }, async (_, i) => {
          const sent = await request(`${node.url}${envelopePath}`, {
            method: 'POST',
            body: taggedEnvelope(n + i),
          });
          if (sent.status !== 200)
            throw new Error(`probe: an event was refused: ${sent.status} ${sent.body}`);
        }),
      );
    }
    const issueId = await waitForIssue(node.url, first.org, first.project, auth, sizes.events);
    const tagsUrl = `${node.url}/api/0/organizations/${first.org}/issues/${issueId}/tags/`;
    const tagsProbe = await request(tagsUrl, { headers: auth });
    if (tagsProbe.status !== 200)
      throw new Error(`probe: tags/ answers ${tagsProbe.status} ${tagsProbe.body.slice(0, 200)}`);
    const probeUrl = `${node.url}/api/0/`;

    const alone: number[] = [];
    const aloneErrors = await loop(probeUrl, auth, performance.now() + sizes.probeS * 1000, alone);

    const port = Number(new URL(node.url).port);
    const slow = slowBodies(port, sizes.slowConnections, envelopePath);
    let closedByServer = 0;
    const slowOnly: number[] = [];
    const tagLatencies: number[] = [];
    const probe: number[] = [];
    let slowOnlyErrors = 0;
    let probeErrors = 0;
    let tagErrors = 0;
    let otherCpuPercent = 0;
    try {
      // Slow bodies alone first, then with the tags/ loops: each one's share of the probe's wait.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      slowOnlyErrors = await loop(probeUrl, auth, performance.now() + sizes.probeS * 1000, slowOnly);
      const monitor = new CpuMonitor([node.child.pid]);
      // The loops start first and outlast the probe, so every probe request meets them.
      const deadline = performance.now() + (sizes.probeS + 1.5) * 1000;
      const tagLoops = Array.from({ length: TAG_LOOPS }, () => loop(tagsUrl, auth, deadline, tagLatencies));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      probeErrors = await loop(probeUrl, auth, performance.now() + sizes.probeS * 1000, probe);
      tagErrors = (await Promise.all(tagLoops)).reduce((a, b) => a + b, 0);
      otherCpuPercent = monitor.otherPercent();
      closedByServer = slow.closedByServer();
    } finally {
      slow.stop();
    }
    const result: ProbeScenario = {
      events: sizes.events,
      tagsPerEvent: TAGS_PER_EVENT,
      tagLoops: TAG_LOOPS,
      slowConnections: sizes.slowConnections,
      slowClosedByServer: closedByServer,
      alone: summary(alone, aloneErrors, sizes.probeS),
      slowBodiesOnly: summary(slowOnly, slowOnlyErrors, sizes.probeS),
      underAbuse: summary(probe, probeErrors, sizes.probeS),
      tags: summary(tagLatencies, tagErrors, sizes.probeS + 1.5),
      otherCpuPercent,
    };
    ctx.log(
      `  probe alone: median ${result.alone.p50Ms.toFixed(1)} ms, p99 ${result.alone.p99Ms.toFixed(1)} ms; ` +
        `with slow bodies: median ${result.slowBodiesOnly.p50Ms.toFixed(1)} ms, p99 ${result.slowBodiesOnly.p99Ms.toFixed(1)} ms; ` +
        `under abuse: median ${result.underAbuse.p50Ms.toFixed(1)} ms, p99 ${result.underAbuse.p99Ms.toFixed(1)} ms ` +
        `(tags/ ${result.tags.count} answers, median ${result.tags.p50Ms.toFixed(1)} ms; ` +
        `${closedByServer} of ${sizes.slowConnections} slow bodies closed by the server)`,
    );
    return result;
  } finally {
    agent.destroy();
    await node.child.stop();
  }
}

/** Polls the issue list until the tag-heavy issue has all its events digested; returns its id. */
async function waitForIssue(
  base: string,
  org: string,
  project: string,
  auth: Record<string, string>,
  events: number,
): Promise<string> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const list = await request(`${base}/api/0/projects/${org}/${project}/issues/`, { headers: auth });
    if (list.status === 200) {
      const issues = JSON.parse(list.body) as { id: string; count: string }[];
      const found = issues.find((i) => Number(i.count) >= events);
      if (found) return found.id;
    }
    if (performance.now() > deadline)
      throw new Error(`probe: the tag-heavy issue was not digested: ${list.body.slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
