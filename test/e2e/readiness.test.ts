import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES, TEST_POSTGRES_URL } from '../support/engines.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import { type ServeProcess, startServe, stopServe } from '../support/serve-process.js';
import { freePort } from '../support/server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

// `/_health/ready/` of a running `errata serve` while its database goes away and comes back; the
// liveness answer stays 200 throughout. PostgreSQL goes away behind a TCP proxy (stopped, then
// hung). A SQLite database is a file inside the process and cannot go away the same way; what stops
// a SQLite node from storing events is another process holding the database's write lock (a
// sqlite3 shell, a tool's long transaction): ingest's commits wait for it and then fail. The test
// holds that lock from a connection of its own.

const READY_TIMEOUT_MS = 500;
/** How long the test waits for readiness to change: a probe's timeout, many times over on a loaded machine. */
const CHANGE_DEADLINE_MS = 20_000;

interface ReadyAnswer {
  readonly status: number;
  readonly body: {
    status?: string;
    failed?: string[];
    checks?: Record<string, { ok: boolean; error?: string }>;
  };
  readonly ms: number;
}

async function get(url: string): Promise<ReadyAnswer> {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return {
    status: response.status,
    body: (await response.json()) as ReadyAnswer['body'],
    ms: performance.now() - started,
  };
}

/** Polls readiness until it answers `status`; returns that answer. */
async function until(base: string, status: number): Promise<ReadyAnswer> {
  let last: ReadyAnswer | undefined;
  await waitFor(
    async () => {
      last = await get(`${base}/_health/ready/`);
      return last.status === status;
    },
    { timeoutMs: CHANGE_DEADLINE_MS, intervalMs: 100, what: `readiness to answer ${status}` },
  );
  return last as ReadyAnswer;
}

/** The bound on a readiness answer while the database does not answer: the probe's timeout plus slack for a loaded machine. */
const ANSWER_BOUND_MS = READY_TIMEOUT_MS + 3000;

const describeOnPostgres = TEST_ENGINES.includes('postgres') ? describe : describe.skip;
const describeOnSqlite = TEST_ENGINES.includes('sqlite') ? describe : describe.skip;

describeOnPostgres('readiness: PostgreSQL goes away under a running node and comes back', () => {
  let schema: PgSchema;
  let proxy: TcpProxy;
  let serve: ServeProcess | undefined;
  let base: string;

  beforeAll(async () => {
    schema = await createPgSchema('errata_ready');
    const target = new URL(TEST_POSTGRES_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    serve = await startServe({
      DATABASE_URL: schema.url({ port: proxy.port, applicationName: `${schema.name}_node` }),
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'fatal',
      ERRATA_DB_CONNECT_TIMEOUT_MS: '500',
      ERRATA_DB_QUERY_TIMEOUT_MS: '1000',
      ERRATA_READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    if (serve) await stopServe(serve, 'SIGKILL');
    await proxy?.close();
    await schema?.drop();
  });

  it('is ready, unready while the server is stopped, and ready again when it returns', {
    timeout: 90_000,
  }, async () => {
    expect((await get(`${base}/_health/ready/`)).status).toBe(200);

    await proxy.down();
    const down = await until(base, 503);
    expect(down.body).toMatchObject({ status: 'unready', failed: ['database'] });
    expect(down.body.checks?.database?.ok).toBe(false);
    expect(down.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect((await get(`${base}/_health/`)).status).toBe(200);

    await proxy.forward();
    const back = await until(base, 200);
    expect(back.body).toMatchObject({ status: 'ready', failed: [] });
  });

  it('is unready within its timeout while the database hangs, and ready again after', {
    timeout: 90_000,
  }, async () => {
    proxy.stall();
    const hung = await until(base, 503);
    expect(hung.body.failed).toEqual(['database']);
    expect(hung.body.checks?.database?.error).toMatch(/no answer within 500 ms|did not answer/);
    expect(hung.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect((await get(`${base}/_health/`)).status).toBe(200);

    await proxy.forward();
    await until(base, 200);
  });
});

describeOnSqlite('readiness: another process holds the SQLite write lock and lets it go', () => {
  let dataDir: string;
  let serve: ServeProcess | undefined;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'errata-ready-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    serve = await startServe({
      ERRATA_DATA_DIR: dataDir,
      DATABASE_URL: '',
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'fatal',
      ERRATA_READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    if (serve) await stopServe(serve, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is unready while the lock is held and ready again once it is released', {
    timeout: 90_000,
  }, async () => {
    expect((await get(`${base}/_health/ready/`)).status).toBe(200);
    const other = new SQLite(path.join(dataDir, 'errata.sqlite'), { timeout: 10_000 });
    try {
      other.exec('begin immediate');
      const held = await until(base, 503);
      expect(held.body).toMatchObject({ status: 'unready', failed: ['database'] });
      expect(held.body.checks?.database?.error).toBe('no answer within 500 ms');
      expect(held.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect((await get(`${base}/_health/`)).status).toBe(200);
      other.exec('rollback');
      await until(base, 200);
    } finally {
      if (other.inTransaction) other.exec('rollback');
      other.close();
    }
  });
});
