import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import {
  api,
  type DsnParts,
  envelopeOf,
  errorEvent,
  inParallel,
  newEventId,
  parseDsn,
  postEnvelope,
} from '../support/node-client.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import { startRetryingProxy } from '../support/retrying-proxy.js';
import { poll } from '../support/sdk.js';
import { firstStartNotice, type ServeProcess, startServe, stopServe } from '../support/serve-process.js';
import { freePort } from '../support/server.js';
import { waitFor } from '../support/wait.js';

// A rolling restart of two nodes on PostgreSQL under load: each node in turn gets SIGTERM, shuts
// down gracefully (unready, answers what is in flight, commits, finishes its digest batch, exits
// 0 within its timeout) and starts again, while a load generator sends events through a load
// balancer that sends a refused request to the other node (test/support/retrying-proxy.ts). The
// load generator sees no connection error and no refusal, and every event acknowledged is stored
// once. A SQLite install runs one node, with no other to take the load while it restarts: there,
// SIGTERM under load answers every request it took in, exits 0 in time, and every event
// acknowledged is there after the restart, and none it did not answer.

const SENDERS = 8;
const SHUTDOWN_TIMEOUT_MS = 15_000;

const describeOnPostgres = TEST_ENGINES.includes('postgres') ? describe : describe.skip;

interface Sent {
  readonly eventId: string;
  readonly status: number;
  readonly failure?: string;
}

describeOnPostgres('rolling restart of two nodes on PostgreSQL under load', () => {
  let schema: PgSchema;
  const nodes: { port: number; serve?: ServeProcess }[] = [];
  let dsn: DsnParts;

  const env = (port: number) => ({
    DATABASE_URL: schema.url({ applicationName: `${schema.name}_${port}` }),
    ERRATA_PORT: String(port),
    ERRATA_URL: 'http://127.0.0.1:1',
    ERRATA_LOG_LEVEL: 'warn',
    ERRATA_DIGEST_POLL_MS: '100',
    ERRATA_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });

  beforeAll(async () => {
    schema = await createPgSchema('errata_rolling');
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      nodes.push({ port, serve: await startServe(env(port)) });
    }
    const notice = firstStartNotice(nodes[0]?.serve?.output() ?? '');
    dsn = parseDsn(/DSN:\s+(\S+)/.exec(notice)?.[1] ?? '');
  });
  afterAll(async () => {
    for (const node of nodes) if (node.serve) await stopServe(node.serve, 'SIGKILL');
    await schema?.drop();
  });

  it('answers every request and loses nothing acknowledged', { timeout: 300_000 }, async () => {
    const proxy = await startRetryingProxy(nodes.map((n) => `http://127.0.0.1:${n.port}`));
    const sent: Sent[] = [];
    let sending = true;
    const sender = async () => {
      while (sending) {
        const eventId = newEventId();
        const answer = await postEnvelope(proxy.url, dsn, envelopeOf(errorEvent(eventId, 'RollingRestart')));
        sent.push({ eventId, status: answer.status, ...(answer.failure ? { failure: answer.failure } : {}) });
      }
    };
    const load = Promise.all(Array.from({ length: SENDERS }, sender));
    const shutdowns: { ms: number; code: number | null; output: string }[] = [];
    try {
      await waitFor(() => sent.length >= 200, { timeoutMs: 60_000, what: 'load through both nodes' });
      for (const node of nodes) {
        const serve = node.serve as ServeProcess;
        const started = performance.now();
        await stopServe(serve, 'SIGTERM');
        shutdowns.push({
          ms: performance.now() - started,
          code: serve.child.exitCode,
          output: serve.output(),
        });
        const before = sent.length;
        // The other node carries the load meanwhile.
        await waitFor(() => sent.length >= before + 100, {
          timeoutMs: 60_000,
          what: 'load while one node is down',
        });
        node.serve = await startServe(env(node.port));
        await waitFor(
          async () => (await fetch(`http://127.0.0.1:${node.port}/_health/ready/`)).status === 200,
          { timeoutMs: 30_000, what: 'the restarted node to be ready' },
        );
      }
      const after = sent.length;
      await waitFor(() => sent.length >= after + 200, { timeoutMs: 60_000, what: 'load after the restarts' });
    } finally {
      sending = false;
      await load;
      await proxy.close();
    }

    const failures = sent.filter((s) => s.status !== 200).map((s) => `${s.status} ${s.failure ?? ''}`);
    console.log(
      'sent',
      sent.length,
      'retried by the balancer',
      proxy.retries,
      'shutdowns (ms)',
      shutdowns.map((s) => Math.round(s.ms)),
    );
    expect(failures).toEqual([]);
    for (const shutdown of shutdowns) {
      expect(shutdown.code, shutdown.output).toBe(0);
      expect(shutdown.output).toContain('Errata stopped');
      expect(shutdown.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    }

    const db = await schema.connect();
    try {
      const failed = await poll(
        'digest to catch up',
        async () => {
          const { rows } = await db.query<{ waiting: string; failed: string }>(
            'select count(*) - count(digest_error) as waiting, count(digest_error) as failed from raw_envelopes',
          );
          return Number(rows[0]?.waiting) === 0 ? Number(rows[0]?.failed) : undefined;
        },
        30_000,
      );
      expect(failed).toBe(0);
      const { rows } = await db.query<{ event_id: string; copies: string }>(
        'select event_id, count(*) as copies from events where project_id = $1 group by event_id',
        [dsn.projectId],
      );
      const stored = new Map(rows.map((r) => [r.event_id, Number(r.copies)]));
      const acknowledged = sent.filter((s) => s.status === 200).map((s) => s.eventId);
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(rows.filter((r) => Number(r.copies) !== 1)).toEqual([]);
      expect(stored.size).toBe(acknowledged.length);
    } finally {
      await db.end();
    }
  });
});

const describeOnSqlite = TEST_ENGINES.includes('sqlite') ? describe : describe.skip;

describeOnSqlite('SIGTERM to a SQLite node under load', () => {
  let dataDir: string;
  let serve: ServeProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'errata-sigterm-'));
  });
  afterAll(async () => {
    if (serve) await stopServe(serve, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers what is in flight, exits 0 in time, and loses nothing acknowledged', {
    timeout: 240_000,
  }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ERRATA_DATA_DIR: dataDir,
      DATABASE_URL: '',
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'warn',
      ERRATA_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    };
    serve = await startServe(env);
    const notice = firstStartNotice(serve.output());
    const local = parseDsn(/DSN:\s+(\S+)/.exec(notice)?.[1] ?? '');
    const token = /User token:\s+(\S+)/.exec(notice)?.[1] ?? '';
    const [, org = '', project = ''] = /Organization (\S+), project (\S+)/.exec(notice) ?? [];
    const sent: Sent[] = [];
    let sending = true;
    const sender = async () => {
      while (sending) {
        const eventId = newEventId();
        const answer = await postEnvelope(
          base,
          local,
          envelopeOf(errorEvent(eventId, 'SigtermLoad')),
          30_000,
        );
        sent.push({ eventId, status: answer.status, ...(answer.failure ? { failure: answer.failure } : {}) });
        // A node that is gone refuses at once: no need to spin on it.
        if (answer.status === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const load = Promise.all(Array.from({ length: SENDERS }, sender));
    const stopping = serve;
    let ms = 0;
    try {
      await waitFor(() => sent.length >= 300, { timeoutMs: 60_000, what: 'load' });
      const started = performance.now();
      await stopServe(stopping, 'SIGTERM');
      ms = performance.now() - started;
    } finally {
      sending = false;
      await load;
    }
    expect(stopping.child.exitCode, stopping.output()).toBe(0);
    expect(stopping.output()).toContain('Errata stopped');
    expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // Every answer the node gave was 200, or 503 (it was closing). The rest found the port closed, or
    // sent on a kept-alive connection the node closed as idle at that moment (no balancer here to
    // send them again); none of those was taken in (checked below).
    const odd = sent.filter((s) => s.status !== 200 && s.status !== 503 && s.status !== 0);
    expect(odd).toEqual([]);
    const unanswered = sent.filter((s) => s.status === 0);
    console.log(
      'sent',
      sent.length,
      'acknowledged',
      sent.filter((s) => s.status === 200).length,
      '503',
      sent.filter((s) => s.status === 503).length,
      'no answer',
      unanswered.length,
      [...new Set(unanswered.map((s) => s.failure))],
      'shutdown ms',
      Math.round(ms),
    );

    serve = await startServe(env);
    const acknowledged = sent.filter((s) => s.status === 200).map((s) => s.eventId);
    const missing = await waitFor(
      async () => {
        const gone: string[] = [];
        const answers = await inParallel(acknowledged.length, 8, (i) =>
          api(base, token, 'GET', `projects/${org}/${project}/events/${acknowledged[i]}/`),
        );
        answers.forEach((a, i) => {
          if (a.status !== 200) gone.push(acknowledged[i] as string);
        });
        return gone.length === 0 ? gone : false;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'every acknowledged event after the restart' },
    );
    expect(missing).toEqual([]);
    // A request the node dropped was dropped before it was taken in: none of them was stored.
    const dropped = await inParallel(unanswered.length, 8, (i) =>
      api(base, token, 'GET', `projects/${org}/${project}/events/${unanswered[i]?.eventId}/`),
    );
    expect(dropped.filter((a) => a.status === 200)).toEqual([]);
  });
});
