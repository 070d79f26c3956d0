import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES, TEST_POSTGRES_URL } from '../support/engines.js';
import {
  type Answer,
  api,
  type DsnParts,
  envelopeOf,
  errorEvent,
  newEventId,
  parseDsn,
  postEnvelope,
} from '../support/node-client.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import { poll } from '../support/sdk.js';
import {
  firstStartNotice,
  SERVE_START_TIMEOUT_MS,
  type ServeProcess,
  startServe,
  stopServe,
} from '../support/serve-process.js';
import { freePort, runErrata } from '../support/server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

// The database goes away under a running node (issue #5): the node answers 503 with a detail,
// quickly, on both doors, never 200 for what it could not store, never crashes; when the database
// comes back, ingest works again and every event acknowledged before, during and after is stored
// exactly once and digested. A node that cannot reach its database at start says so and exits.

const CONNECT_TIMEOUT_MS = 500;
const QUERY_TIMEOUT_MS = 1000;
/**
 * The longest a request may take while the database hangs: it may wait for the raw-writer batch in
 * flight, then run its own, each a statement and its rollback that time out, after a connection
 * attempt; doubled, for a loaded machine. A node without these timeouts would wait on the hung
 * database until the client gives up (CLIENT_TIMEOUT_MS), far beyond.
 */
const REQUEST_BOUND_MS = 2 * (2 * (2 * QUERY_TIMEOUT_MS) + CONNECT_TIMEOUT_MS);
/** How long the test's clients wait for an answer before they count the request as unanswered. */
const CLIENT_TIMEOUT_MS = 30_000;
/** The longest the test waits for what it needs to see in one phase of the outage. */
const PHASE_DEADLINE_MS = 30_000;
/** Answers in a row that count as recovered, and answers after that which must all succeed. */
const RECOVERED_IN_A_ROW = 10;
const AFTER_RECOVERY = 20;

describe('database outage: a node that cannot reach its database at start', () => {
  const serveWith = async (databasePort: number) => {
    const started = performance.now();
    const result = await runErrata(['serve'], {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${databasePort}/test`,
      ERRATA_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      ERRATA_PORT: String(await freePort()),
      ERRATA_LOG_LEVEL: 'warn',
    });
    return { ...result, ms: performance.now() - started };
  };

  it('exits 1 with a clear message when nothing listens on the port', {
    timeout: SERVE_START_TIMEOUT_MS + 15_000,
  }, async () => {
    const result = await serveWith(await freePort());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^errata: cannot reach the database: /m);
    expect(result.stdout).not.toContain('Errata is listening');
    // Node and tsx start in about a second (much longer on a loaded machine); the refusal itself is
    // immediate. The bound tells an exit from a wait on the database that never ends.
    expect(result.ms).toBeLessThan(SERVE_START_TIMEOUT_MS);
  });

  it('exits 1 within the connect timeout when the database accepts but never answers', {
    timeout: SERVE_START_TIMEOUT_MS + 15_000,
  }, async () => {
    const silent = await startTcpProxy({ host: '127.0.0.1', port: 1 });
    silent.stall();
    try {
      const result = await serveWith(silent.port);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^errata: cannot reach the database: /m);
      expect(silent.accepted).toBeGreaterThan(0);
      expect(result.ms).toBeLessThan(SERVE_START_TIMEOUT_MS);
    } finally {
      await silent.close();
    }
  });
});

type Phase = 'before' | 'terminated' | 'stalled' | 'down' | 'after' | 'recovered';

interface Exchange extends Answer<{ id?: string; detail?: unknown } | null> {
  readonly phase: Phase;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly eventId?: string;
}

/** Where the outage was at each moment, to tell which answers must have been refusals. */
class Timeline {
  private readonly marks: { phase: Phase; at: number }[] = [];

  enter(phase: Phase): void {
    this.marks.push({ phase, at: performance.now() });
  }

  get current(): Phase {
    return this.marks.at(-1)?.phase ?? 'before';
  }

  startOf(phase: Phase): number {
    return this.marks.find((m) => m.phase === phase)?.at ?? Number.POSITIVE_INFINITY;
  }

  /** When the phase after `phase` began (or +∞ while it lasts). */
  endOf(phase: Phase): number {
    const index = this.marks.findIndex((m) => m.phase === phase);
    return this.marks[index + 1]?.at ?? Number.POSITIVE_INFINITY;
  }

  /** True when the exchange began and ended inside the phase. */
  within(e: Exchange, phase: Phase): boolean {
    return e.startedAt >= this.startOf(phase) && e.endedAt < this.endOf(phase);
  }
}

const describeOnPostgres = TEST_ENGINES.includes('postgres') ? describe : describe.skip;

describeOnPostgres('database outage: PostgreSQL goes away under a running node and comes back', () => {
  let schema: PgSchema;
  let proxy: TcpProxy;
  let serve: ServeProcess | undefined;
  let baseUrl: string;
  let dsn: DsnParts;
  let token: string;
  let org: string;
  let project: string;
  const applicationName = () => `${schema.name}_node`;

  beforeAll(async () => {
    schema = await createPgSchema('errata_outage');
    const target = new URL(TEST_POSTGRES_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    serve = await startServe({
      DATABASE_URL: schema.url({ port: proxy.port, applicationName: applicationName() }),
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'error',
      ERRATA_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      ERRATA_DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      ERRATA_KEY_CACHE_SECONDS: '1',
      ERRATA_TOKEN_TOUCH_SECONDS: '0',
      ERRATA_DIGEST_POLL_MS: '100',
    });
    const out = firstStartNotice(serve.output());
    const found = /DSN:\s+(\S+)/.exec(out)?.[1];
    token = /User token:\s+(\S+)/.exec(out)?.[1] ?? '';
    [, org = '', project = ''] = /Organization (\S+), project (\S+)/.exec(out) ?? [];
    if (!found || !token || !org) throw new Error(`no DSN or token on first start:\n${out}`);
    dsn = parseDsn(found);
  });

  afterAll(async () => {
    if (serve) await stopServe(serve, 'SIGKILL');
    await proxy?.close();
    await schema?.drop();
  });

  /** Kills the node's PostgreSQL sessions from the server side (an admin or a failover would). */
  async function terminateBackends(): Promise<number> {
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      // In the select list, not the WHERE clause: PostgreSQL may evaluate that before the name test.
      const { rows } = await admin.query<{ killed: boolean }>(
        'select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = $1',
        [applicationName()],
      );
      return rows.filter((r) => r.killed).length;
    } finally {
      await admin.end();
    }
  }

  it('answers 503 with a detail while the database is away, and loses nothing it acknowledged', {
    timeout: 6 * PHASE_DEADLINE_MS,
  }, async () => {
    const timeline = new Timeline();
    timeline.enter('before');
    const ingest: Exchange[] = [];
    const rest: Exchange[] = [];
    const type = `OutageError${randomBytes(4).toString('hex')}`;
    let sending = true;

    const sender = async () => {
      while (sending) {
        const eventId = newEventId();
        const phase = timeline.current;
        const startedAt = performance.now();
        const answer = await postEnvelope(
          baseUrl,
          dsn,
          envelopeOf(errorEvent(eventId, type)),
          CLIENT_TIMEOUT_MS,
        );
        ingest.push({ ...answer, eventId, phase, startedAt, endedAt: performance.now() });
      }
    };
    const reader = async () => {
      while (sending) {
        const phase = timeline.current;
        const startedAt = performance.now();
        const answer = await api<{ detail?: unknown }>(
          baseUrl,
          token,
          'GET',
          `projects/${org}/${project}/issues/?query=`,
          undefined,
          CLIENT_TIMEOUT_MS,
        );
        rest.push({ ...answer, phase, startedAt, endedAt: performance.now() });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const load = Promise.all([...Array.from({ length: 8 }, sender), reader(), reader()]);

    // Each phase lasts until the answers it is there for have been seen, not a fixed time.
    /** Exchanges begun in the current phase and answered, with the status if given. */
    const seen = (list: Exchange[], status?: number) => {
      const since = timeline.startOf(timeline.current);
      return list.filter((e) => e.startedAt >= since && (status === undefined || e.status === status)).length;
    };
    const until = (what: string, predicate: () => boolean) =>
      waitFor(predicate, { timeoutMs: PHASE_DEADLINE_MS, intervalMs: 20, what });

    let terminated = 0;
    try {
      await until('ingest and reads to work', () => seen(ingest, 200) >= 10 && seen(rest, 200) >= 2);
      timeline.enter('terminated');
      // Sessions killed under requests in flight, four times, each followed by answered requests.
      for (let round = 0; round < 4; round++) {
        terminated += await terminateBackends();
        const answered = seen(ingest);
        await until('answers after the sessions were killed', () => seen(ingest) >= answered + 4);
      }
      timeline.enter('stalled');
      proxy.stall();
      await until('ingest refused while the database hangs', () => seen(ingest, 503) >= 3);
      timeline.enter('down');
      await proxy.down();
      await until(
        'ingest and reads refused while the database is down',
        () => seen(ingest, 503) >= 3 && seen(rest, 503) >= 1,
      );
      timeline.enter('after');
      await proxy.forward();
      // Recovered once the latest answers on both doors all succeeded; from then on, all must.
      const lastOk = (list: Exchange[], n: number) =>
        list.length >= n &&
        list.slice(-n).every((e) => e.status === 200 && e.startedAt >= timeline.startOf('after'));
      await until('answers to succeed again', () => lastOk(ingest, RECOVERED_IN_A_ROW) && lastOk(rest, 2));
      timeline.enter('recovered');
      await until('answers after recovery', () => seen(ingest) >= AFTER_RECOVERY && seen(rest) >= 3);
    } finally {
      sending = false;
      await load;
    }

    const summary = (list: Exchange[]) =>
      Object.fromEntries(
        (['before', 'terminated', 'stalled', 'down', 'after', 'recovered'] as const).map((phase) => {
          const inPhase = list.filter((e) => e.phase === phase);
          const count = (status: number) => inPhase.filter((e) => e.status === status).length;
          const maxMs = Math.round(Math.max(0, ...inPhase.map((e) => e.ms)));
          return [
            phase,
            {
              ok: count(200),
              unavailable: count(503),
              other: inPhase.length - count(200) - count(503),
              maxMs,
            },
          ];
        }),
      );
    console.log('backends terminated', terminated, '\ningest', summary(ingest), '\nrest', summary(rest));

    // The node stayed up and answered everything: 200 or 503, never 500, never a hang.
    expect(serve?.child.exitCode ?? null, serve?.output()).toBeNull();
    expect(serve?.child.signalCode ?? null).toBeNull();
    const odd = (list: Exchange[]) =>
      list
        .filter((e) => e.status !== 200 && e.status !== 503)
        .map((e) => `${e.phase}: ${e.status} ${e.failure ?? JSON.stringify(e.body)}`);
    expect(odd(ingest)).toEqual([]);
    expect(odd(rest)).toEqual([]);
    const slow = [...ingest, ...rest]
      .filter((e) => e.ms > REQUEST_BOUND_MS)
      .map((e) => `${e.phase}: ${Math.round(e.ms)} ms`);
    expect(slow).toEqual([]);

    // Every refusal says why, in Sentry's shape, and when to come back.
    for (const e of [...ingest, ...rest].filter((x) => x.status === 503)) {
      expect(typeof e.body?.detail, JSON.stringify(e.body)).toBe('string');
      expect(Number(e.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    for (const e of ingest.filter((x) => x.status === 503)) {
      expect(e.headers.get('x-sentry-error')).toBe(e.body?.detail);
    }
    // The outage was seen on both doors, and nothing begun while the database could not store it was acknowledged.
    for (const phase of ['stalled', 'down'] as const) {
      expect(ingest.filter((e) => timeline.within(e, phase) && e.status === 503).length).toBeGreaterThan(0);
      expect(ingest.filter((e) => timeline.within(e, phase) && e.status === 200)).toEqual([]);
      expect(rest.filter((e) => timeline.within(e, phase) && e.status === 200)).toEqual([]);
    }
    expect(rest.filter((e) => timeline.within(e, 'down') && e.status === 503).length).toBeGreaterThan(0);
    // Before, and once it had come back, everything worked.
    for (const phase of ['before', 'recovered'] as const) {
      const inPhase = [...ingest, ...rest].filter((e) => timeline.within(e, phase));
      expect(inPhase.length).toBeGreaterThan(0);
      expect(
        inPhase.filter((e) => e.status !== 200).map((e) => `${phase}: ${e.status} ${JSON.stringify(e.body)}`),
      ).toEqual([]);
    }
    console.log(
      'back to working',
      Math.round(timeline.startOf('recovered') - timeline.startOf('after')),
      'ms after the database',
    );

    // Every acknowledged event stored once and digested; nothing stored that was not sent.
    const db = await schema.connect();
    try {
      const failed = await poll(
        'digest to catch up after the outage',
        async () => {
          const { rows } = await db.query<{ waiting: string; failed: string }>(
            'select count(*) - count(digest_error) as waiting, count(digest_error) as failed from raw_envelopes',
          );
          return Number(rows[0]?.waiting) === 0 ? Number(rows[0]?.failed) : undefined;
        },
        15_000,
      );
      expect(failed, 'raw envelopes set aside as undigestible').toBe(0);
      const { rows } = await db.query<{ event_id: string; issue_id: string; copies: string }>(
        'select event_id, max(issue_id) as issue_id, count(*) as copies from events where project_id = $1 group by event_id',
        [dsn.projectId],
      );
      const stored = new Map(rows.map((r) => [r.event_id, r]));
      const acknowledged = ingest.filter((e) => e.status === 200).map((e) => e.eventId as string);
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(rows.filter((r) => Number(r.copies) !== 1)).toEqual([]);
      const sent = new Set(ingest.map((e) => e.eventId));
      expect(rows.filter((r) => !sent.has(r.event_id)).map((r) => r.event_id)).toEqual([]);
      console.log('sent', sent.size, 'acknowledged', acknowledged.length, 'stored', rows.length);

      const issues = await api<{ count: string }[]>(
        baseUrl,
        token,
        'GET',
        `projects/${org}/${project}/issues/?query=`,
      );
      expect(issues.status).toBe(200);
      expect(issues.body.map((i) => i.count)).toEqual([String(rows.length)]);
    } finally {
      await db.end();
    }
  });
});
