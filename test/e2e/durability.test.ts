import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/store/db.js';
import { TEST_ENGINES, TEST_POSTGRES_URL } from '../support/engines.js';
import { eventEnvelope, newEventId } from '../support/envelopes.js';
import { poll } from '../support/sdk.js';
import { firstStartNotice, type ServeProcess, startServe, stopServe } from '../support/serve-process.js';
import { freePort } from '../support/server.js';

// `errata serve` killed with SIGKILL while clients are sending: after a restart on the same data,
// every event whose request was answered 200 is stored exactly once and digested. Requests cut off
// by the kill may or may not be stored; nothing else may be.

const IN_FLIGHT = 24;
/** The kill comes once this many requests were acknowledged, with the others still in flight. */
const KILL_AFTER_ACKS = 1000;
const MAX_REQUESTS = 5_000;
/**
 * On a machine too busy to reach KILL_AFTER_ACKS by then, the kill comes at this deadline instead:
 * what is tested is that the acknowledged events survive, not how many were sent.
 */
const KILL_DEADLINE_MS = 30_000;
/** How long the restarted server may take to digest the backlog (generous: the machine may be busy). */
const DIGEST_DEADLINE_MS = 90_000;

/** Read-only SQL over the store the server uses, from outside the server process. */
interface StoreReader {
  all<T>(query: string): Promise<T[]>;
  close(): Promise<void>;
}

interface Target {
  readonly env: Record<string, string>;
  reader(): Promise<StoreReader>;
  cleanup(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'errata-durability-'));
  return {
    env: { ERRATA_DATA_DIR: dataDir, DATABASE_URL: '' },
    async reader() {
      const db = new SQLite(path.join(dataDir, 'errata.sqlite'), { readonly: true, fileMustExist: true });
      return {
        all: async <T>(query: string) => db.prepare(query).all() as T[],
        close: async () => {
          db.close();
        },
      };
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** A schema of its own, selected by libpq's `options` parameter in DATABASE_URL (as operators do). */
async function postgresTarget(): Promise<Target> {
  const schema = `errata_durability_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const separator = TEST_POSTGRES_URL.includes('?') ? '&' : '?';
  const url = `${TEST_POSTGRES_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  };
  // Without this the server would quietly build its tables in `public`.
  const probe = await connect();
  const current = (await probe.query<{ schema: string }>('select current_schema() as schema')).rows[0];
  await probe.end();
  if (current?.schema !== schema) {
    throw new Error(`DATABASE_URL options were not honoured: current_schema() is ${current?.schema}`);
  }
  return {
    env: { DATABASE_URL: url },
    async reader() {
      const client = await connect();
      return {
        all: async <T>(query: string) => (await client.query(query)).rows as T[],
        close: () => client.end(),
      };
    },
    async cleanup() {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

function probe(eventId: string, n: number) {
  return eventEnvelope({
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    message: `durability probe ${n}`,
    fingerprint: ['durability-probe'],
  });
}

interface SendResult {
  readonly acknowledged: Set<string>;
  readonly sent: Set<string>;
  readonly inFlightAtKill: number;
  readonly unexpected: string[];
}

/**
 * Keeps IN_FLIGHT requests going (each a new event id) and SIGKILLs the server from inside the
 * response handler of the KILL_AFTER_ACKS-th 200 (or at KILL_DEADLINE_MS, whichever comes first),
 * so the other requests are cut off mid-flight.
 */
async function sendUntilKilled(serve: ServeProcess, dsn: string): Promise<SendResult> {
  const { username: publicKey, pathname, host } = new URL(dsn);
  const endpoint = `http://${host}/api${pathname}/envelope/?sentry_version=7&sentry_key=${publicKey}`;
  const acknowledged = new Set<string>();
  const sent = new Set<string>();
  const unexpected: string[] = [];
  let killed = false;
  let inFlight = 0;
  let inFlightAtKill = 0;
  let n = 0;
  const kill = () => {
    if (killed) return;
    killed = true;
    inFlightAtKill = inFlight;
    serve.child.kill('SIGKILL');
  };
  const deadline = setTimeout(kill, KILL_DEADLINE_MS);

  const worker = async () => {
    while (!killed && n < MAX_REQUESTS) {
      const eventId = newEventId();
      const body = new Uint8Array(probe(eventId, n++));
      sent.add(eventId);
      inFlight++;
      try {
        const response = await fetch(endpoint, { method: 'POST', body });
        // A 200 is the acknowledgement (SDKs read nothing else), even if the body is then cut off.
        if (response.status === 200) acknowledged.add(eventId);
        const answer = (await response.json().catch(() => null)) as { id?: string } | null;
        if (!killed && (response.status !== 200 || answer?.id !== eventId)) {
          unexpected.push(`HTTP ${response.status} ${JSON.stringify(answer)}`);
        }
      } catch (error) {
        if (!killed) unexpected.push(String((error as Error).cause ?? error));
      } finally {
        inFlight--;
      }
      if (acknowledged.size >= KILL_AFTER_ACKS) kill();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  clearTimeout(deadline);
  await stopServe(serve, 'SIGKILL');
  return { acknowledged, sent, inFlightAtKill, unexpected };
}

const targets: Record<Engine, () => Promise<Target>> = { sqlite: sqliteTarget, postgres: postgresTarget };

describe.each(TEST_ENGINES)('durability: SIGKILL while clients send (%s)', (engine) => {
  let target: Target;
  let env: Record<string, string>;
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    target = await targets[engine]();
    const port = await freePort();
    env = {
      ...target.env,
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'warn',
      ERRATA_DIGEST_POLL_MS: '200',
    };
  });
  afterAll(async () => {
    if (serve) await stopServe(serve);
    await target?.cleanup();
  });

  it('stores every acknowledged event exactly once, digested, after a restart', {
    timeout: KILL_DEADLINE_MS + DIGEST_DEADLINE_MS + 60_000,
  }, async () => {
    serve = await startServe(env);
    const notice = firstStartNotice(serve.output());
    const dsn = /DSN:\s+(\S+)/.exec(notice)?.[1];
    const token = /User token:\s+(\S+)/.exec(notice)?.[1];
    const [, org, project] = /Organization (\S+), project (\S+)/.exec(notice) ?? [];
    if (!dsn || !token || !org || !project)
      throw new Error(`no DSN or token on first start:\n${serve.output()}`);
    const projectId = Number(new URL(dsn).pathname.slice(1));

    const sent = await sendUntilKilled(serve, dsn);
    expect(sent.unexpected).toEqual([]);
    // Killed mid-flight, with answers already given: the two things the restart must sort out.
    expect(sent.acknowledged.size).toBeGreaterThan(0);
    expect(sent.inFlightAtKill).toBeGreaterThan(0);

    serve = await startServe(env);
    expect(serve.output()).not.toContain('First start');
    const reader = await target.reader();
    try {
      const left = await poll(
        'the backlog to be digested',
        async () => {
          const [row] = await reader.all<{ waiting: number | string; failed: number | string }>(
            `select count(*) - count(digest_error) as waiting, count(digest_error) as failed from raw_envelopes`,
          );
          return Number(row?.waiting) === 0 ? Number(row?.failed) : undefined;
        },
        DIGEST_DEADLINE_MS,
      );
      expect(left, 'raw envelopes set aside as undigestible').toBe(0);

      const rows = await reader.all<{ event_id: string; issue_id: number | null; copies: number | string }>(
        `select event_id, max(issue_id) as issue_id, count(*) as copies from events
         where project_id = ${projectId} group by event_id`,
      );
      const stored = new Map(rows.map((r) => [r.event_id, r]));
      const missing = [...sent.acknowledged].filter((id) => !stored.has(id));
      expect(missing, 'acknowledged but not stored').toEqual([]);
      expect(rows.filter((r) => Number(r.copies) !== 1).map((r) => r.event_id)).toEqual([]);
      expect(rows.filter((r) => !sent.sent.has(r.event_id)).map((r) => r.event_id)).toEqual([]);

      const issueIds = [...new Set(rows.map((r) => r.issue_id))];
      expect(issueIds).toHaveLength(1);
      expect(issueIds[0]).not.toBeNull();
      const issues = await reader.all<{ id: number; times_seen: number | string }>(
        `select id, times_seen from issues where project_id = ${projectId}`,
      );
      expect(issues.map((i) => [Number(i.id), Number(i.times_seen)])).toEqual([
        [Number(issueIds[0]), rows.length],
      ]);
      const listed = await fetch(
        `http://127.0.0.1:${env.ERRATA_PORT}/api/0/projects/${org}/${project}/issues/?query=`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(((await listed.json()) as { count: string }[]).map((i) => i.count)).toEqual([
        String(rows.length),
      ]);
    } finally {
      await reader.close();
    }
  });
});
