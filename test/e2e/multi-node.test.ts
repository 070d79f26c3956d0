import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
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
import { poll } from '../support/sdk.js';
import {
  firstStartNotice,
  SERVE_START_TIMEOUT_MS,
  type ServeProcess,
  startServe,
  stopServe,
} from '../support/serve-process.js';
import { freePort } from '../support/server.js';

// Several stateless `errata serve` processes share one PostgreSQL schema (issue #5): one new error
// sent to both at once becomes one issue with every event counted, rate limits and quotas hold
// across them, each reads what the other stored, and nodes that start together migrate once.

interface Node {
  readonly serve: ServeProcess;
  readonly url: string;
}

async function startNode(schema: PgSchema, name: string, env: Record<string, string> = {}): Promise<Node> {
  const port = await freePort();
  const serve = await startServe({
    DATABASE_URL: schema.url({ applicationName: `${schema.name}_${name}` }),
    ERRATA_PORT: String(port),
    ERRATA_LOG_LEVEL: 'warn',
    ERRATA_DIGEST_POLL_MS: '100',
    ...env,
  });
  return { serve, url: `http://127.0.0.1:${port}` };
}

interface Site {
  readonly org: string;
  readonly token: string;
}

interface TestProject {
  readonly slug: string;
  readonly id: number;
  readonly keyId: string;
  readonly dsn: DsnParts;
}

/** A new project through the REST API (of any node), with the DSN key Errata made for it. */
async function newProject(node: Node, site: Site, slug: string): Promise<TestProject> {
  const teams = await api<{ slug: string }[]>(
    node.url,
    site.token,
    'GET',
    `organizations/${site.org}/teams/`,
  );
  const team = teams.body[0]?.slug;
  if (teams.status !== 200 || !team) throw new Error(`no team: HTTP ${teams.status}`);
  const made = await api(node.url, site.token, 'POST', `teams/${site.org}/${team}/projects/`, {
    name: slug,
    slug,
  });
  if (made.status !== 201) throw new Error(`project: HTTP ${made.status} ${JSON.stringify(made.body)}`);
  const keys = await api<{ id: string; dsn: { public: string } }[]>(
    node.url,
    site.token,
    'GET',
    `projects/${site.org}/${slug}/keys/`,
  );
  const key = keys.body[0];
  if (keys.status !== 200 || !key) throw new Error(`no key: HTTP ${keys.status}`);
  const dsn = parseDsn(key.dsn.public);
  return { slug, id: dsn.projectId, keyId: key.id, dsn };
}

/** Waits until no raw envelope is left undigested; returns how many were set aside as failed. */
async function digested(db: pg.Client): Promise<number> {
  return poll(
    'digest to catch up on every node',
    async () => {
      const { rows } = await db.query<{ waiting: string; failed: string }>(
        'select count(*) - count(digest_error) as waiting, count(digest_error) as failed from raw_envelopes',
      );
      return Number(rows[0]?.waiting) === 0 ? Number(rows[0]?.failed) : undefined;
    },
    20_000,
  );
}

/**
 * Runs `burst` on what `setup` makes until one run falls inside one fixed rate window of
 * `windowSeconds` (aligned to the epoch, as the rate limiter counts): when a window ends during a
 * burst, its requests are counted in two windows and the limits seem not to hold. The run after
 * such a one starts in a window just begun, with nearly all its length left, on a new `setup`
 * (a new project: counters from zero). No assumption on how long a burst takes.
 */
async function inOneWindow<S, T>(
  windowSeconds: number,
  setup: (attempt: number) => Promise<S>,
  burst: (made: S) => Promise<T>,
): Promise<{ made: S; result: T }> {
  const windowOf = (at: number) => Math.floor(at / (windowSeconds * 1000));
  for (let attempt = 1; ; attempt++) {
    const made = await setup(attempt);
    const started = Date.now();
    const result = await burst(made);
    if (windowOf(started) === windowOf(Date.now())) return { made, result };
    if (attempt === 3) throw new Error(`three bursts in a row crossed a ${windowSeconds} s window's end`);
  }
}

const withPostgres = TEST_ENGINES.includes('postgres');

describe.skipIf(!withPostgres)('multi-node: two errata serve processes on one PostgreSQL schema', () => {
  let schema: PgSchema;
  let db: pg.Client;
  const nodes: Node[] = [];
  let site: Site;

  beforeAll(async () => {
    schema = await createPgSchema('errata_multinode');
    const first = await startNode(schema, 'a');
    nodes.push(first);
    const out = firstStartNotice(first.serve.output());
    const token = /User token:\s+(\S+)/.exec(out)?.[1];
    const org = /Organization (\S+), project/.exec(out)?.[1];
    if (!token || !org) throw new Error(`no token on first start:\n${out}`);
    site = { org, token };
    const second = await startNode(schema, 'b');
    expect(second.serve.output()).not.toContain('First start');
    nodes.push(second);
    db = await schema.connect();
  }, 3 * SERVE_START_TIMEOUT_MS);

  afterAll(async () => {
    await db?.end();
    await Promise.all(nodes.map((n) => stopServe(n.serve)));
    await schema?.drop();
  });

  it('makes one issue of one new error sent to both nodes at once, counting every event, and one release of each new version', {
    timeout: 40_000,
  }, async () => {
    const project = await newProject(nodes[0]!, site, 'race');
    const REQUESTS = 200;
    const USERS = 20;
    const type = `RaceError${randomBytes(4).toString('hex')}`;
    const answers = await inParallel(REQUESTS, 20, async (i) => {
      const eventId = newEventId();
      const event = errorEvent(eventId, type, {
        user: { id: `user-${i % USERS}` },
        release: `race@${i % 5}.0.0`,
      });
      const answer = await postEnvelope(nodes[i % 2]!.url, project.dsn, envelopeOf(event));
      return { eventId, ...answer };
    });
    const acknowledged = answers.filter((a) => a.status === 200 && a.body?.id === a.eventId);
    expect(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.failure ?? ''}`)).toEqual([]);
    expect(acknowledged).toHaveLength(REQUESTS);

    expect(await digested(db), 'raw envelopes set aside as undigestible').toBe(0);
    const stored = await db.query<{ event_id: string; issue_id: number }>(
      'select event_id, issue_id from events where project_id = $1',
      [project.id],
    );
    expect(new Set(stored.rows.map((r) => r.event_id))).toEqual(new Set(acknowledged.map((a) => a.eventId)));
    expect(stored.rows).toHaveLength(acknowledged.length);
    const issues = await db.query<{ id: string; times_seen: string; user_count: string }>(
      'select id, times_seen, user_count from issues where project_id = $1',
      [project.id],
    );
    expect(issues.rows).toHaveLength(1);
    const issue = issues.rows[0]!;
    expect(Number(issue.times_seen)).toBe(stored.rows.length);
    expect(new Set(stored.rows.map((r) => Number(r.issue_id)))).toEqual(new Set([Number(issue.id)]));
    const hashes = await db.query<{ issue_id: string }>(
      'select distinct issue_id from group_hashes where project_id = $1',
      [project.id],
    );
    expect(hashes.rows.map((r) => Number(r.issue_id))).toEqual([Number(issue.id)]);
    // Both nodes met the five new versions at once: one release each, linked to the project once.
    const releases = await db.query<{ version: string; links: string }>(
      `select r.version, (select count(*) from release_projects rp where rp.release_id = r.id and rp.project_id = $1) as links
         from releases r where r.version like 'race@%' order by r.version`,
      [project.id],
    );
    expect(releases.rows.map((r) => [r.version, Number(r.links)])).toEqual(
      [0, 1, 2, 3, 4].map((n) => [`race@${n}.0.0`, 1]),
    );

    for (const node of nodes) {
      const listed = await api<{ id: string; count: string; userCount: number }[]>(
        node.url,
        site.token,
        'GET',
        `projects/${site.org}/${project.slug}/issues/?query=`,
      );
      expect(listed.status).toBe(200);
      expect(listed.body.map((i) => [i.id, i.count, i.userCount])).toEqual([
        [String(issue.id), String(acknowledged.length), USERS],
      ]);
    }
  });

  it('holds a key rate limit across both nodes', { timeout: 30_000 }, async () => {
    const LIMIT = 10;
    const type = `LimitedError${randomBytes(4).toString('hex')}`;
    const { made: project, result: answers } = await inOneWindow(
      3600,
      async (attempt) => {
        const project = await newProject(nodes[1]!, site, `limited-${attempt}`);
        const changed = await api<{ rateLimit: unknown }>(
          nodes[0]!.url,
          site.token,
          'PUT',
          `projects/${site.org}/${project.slug}/keys/${project.keyId}/`,
          { rateLimit: { count: LIMIT, window: 3600 } },
        );
        expect(changed.status).toBe(200);
        expect(changed.body.rateLimit).toEqual({ count: LIMIT, window: 3600 });
        return project;
      },
      (project) =>
        inParallel(3 * LIMIT, 6, async (i) => {
          const eventId = newEventId();
          return {
            eventId,
            ...(await postEnvelope(nodes[i % 2]!.url, project.dsn, envelopeOf(errorEvent(eventId, type)))),
          };
        }),
    );
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted).toHaveLength(LIMIT);
    expect(refused).toHaveLength(2 * LIMIT);
    for (const answer of refused) {
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(answer.headers.get('x-sentry-rate-limits')).toBe(`${retryAfter}::key:key_limit`);
    }
    // Both nodes refused some: neither counted alone.
    expect(new Set(answers.map((a, i) => (a.status === 429 ? i % 2 : -1)).filter((n) => n >= 0))).toEqual(
      new Set([0, 1]),
    );

    await digested(db);
    const stored = await db.query<{ event_id: string }>('select event_id from events where project_id = $1', [
      project.id,
    ]);
    expect(new Set(stored.rows.map((r) => r.event_id))).toEqual(new Set(accepted.map((a) => a.eventId)));
  });

  it('holds the project quota across nodes', { timeout: 2 * SERVE_START_TIMEOUT_MS }, async () => {
    const QUOTA = 15;
    // Two more nodes on the same schema, with a per-minute project quota (a process-wide setting).
    const quotaEnv = { ERRATA_PROJECT_QUOTA_PER_MINUTE: String(QUOTA) };
    const pair = await Promise.all([startNode(schema, 'c', quotaEnv), startNode(schema, 'd', quotaEnv)]);
    nodes.push(...pair);
    const type = `QuotaError${randomBytes(4).toString('hex')}`;
    const { result: answers } = await inOneWindow(
      60,
      (attempt) => newProject(pair[0], site, `quota-${attempt}`),
      (project) =>
        inParallel(3 * QUOTA, 6, async (i) => {
          const eventId = newEventId();
          return {
            eventId,
            ...(await postEnvelope(pair[i % 2]!.url, project.dsn, envelopeOf(errorEvent(eventId, type)))),
          };
        }),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(QUOTA);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(2 * QUOTA);
    for (const answer of refused) {
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(answer.headers.get('x-sentry-rate-limits')).toBe(`${retryAfter}::project:project_limit`);
    }
  });

  it('reads an event through one node that the other ingested', { timeout: 20_000 }, async () => {
    const project = await newProject(nodes[0]!, site, 'shared');
    for (const [from, to] of [
      [nodes[0]!, nodes[1]!],
      [nodes[1]!, nodes[0]!],
    ] as const) {
      const eventId = newEventId();
      const sent = await postEnvelope(
        from.url,
        project.dsn,
        envelopeOf(errorEvent(eventId, `SharedError${randomBytes(4).toString('hex')}`)),
      );
      expect(sent.status).toBe(200);
      const event = await poll(`event ${eventId} on the other node`, async () => {
        const read = await api<{ eventID: string; groupID: string }>(
          to.url,
          site.token,
          'GET',
          `projects/${site.org}/${project.slug}/events/${eventId}/`,
        );
        if (read.status === 404) return undefined;
        expect(read.status).toBe(200);
        return read.body;
      });
      expect(event.eventID).toBe(eventId);
      const issue = await api<{ id: string; count: string }>(
        to.url,
        site.token,
        'GET',
        `issues/${event.groupID}/`,
      );
      expect(issue.status).toBe(200);
      expect(issue.body.count).toBe('1');
    }
  });
});

describe.skipIf(!withPostgres)('multi-node: nodes that start at once on an empty schema', () => {
  let schema: PgSchema;
  const started: ServeProcess[] = [];

  afterAll(async () => {
    await Promise.all(started.map((s) => stopServe(s)));
    await schema?.drop();
  });

  it('migrate it once and all come up', { timeout: 2 * SERVE_START_TIMEOUT_MS }, async () => {
    // The migrations a fresh database gets, by name, from an in-memory SQLite.
    const reference = openDatabase({ engine: 'sqlite', file: ':memory:' });
    await migrateToLatest(reference);
    const expected: Record<string, string[]> = {};
    for (const store of ['control', 'region']) {
      const { rows } = await sql<{
        name: string;
      }>`select name from ${sql.table(`errata_${store}_migrations`)} order by name`.execute(
        reference.control,
      );
      expected[store] = rows.map((r) => r.name);
    }
    await reference.destroy();

    schema = await createPgSchema('errata_migrate');
    const results = await Promise.allSettled(
      ['m1', 'm2', 'm3'].map(async (name) => {
        const port = await freePort();
        const serve = await startServe({
          DATABASE_URL: schema.url({ applicationName: `${schema.name}_${name}` }),
          ERRATA_PORT: String(port),
          ERRATA_LOG_LEVEL: 'warn',
        });
        started.push(serve);
        return { serve, url: `http://127.0.0.1:${port}` };
      }),
    );
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    const up = results.map((r) => (r as PromiseFulfilledResult<Node>).value);
    // Exactly one of them found the database empty and created the first owner.
    expect(up.filter((n) => n.serve.output().includes('First start'))).toHaveLength(1);

    const db = await schema.connect();
    try {
      for (const store of ['control', 'region']) {
        const { rows } = await db.query<{ name: string }>(
          `select name from errata_${store}_migrations order by name`,
        );
        expect(rows.map((r) => r.name)).toEqual(expected[store]);
      }
      const users = await db.query<{ n: string }>('select count(*) as n from users');
      expect(Number(users.rows[0]?.n)).toBe(1);
    } finally {
      await db.end();
    }
    for (const node of up) {
      const root = await fetch(`${node.url}/api/0/`);
      expect(root.status).toBe(200);
    }
  });
});
