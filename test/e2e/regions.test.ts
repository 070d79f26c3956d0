import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/store/db.js';
import { TEST_ENGINES, TEST_POSTGRES_URL } from '../support/engines.js';
import { api, envelopeOf, errorEvent, newEventId, parseDsn, postEnvelope } from '../support/node-client.js';
import { admin } from '../support/pg-schema.js';
import { DRIVERS } from '../support/sdk.js';
import { firstStartNotice, type ServeProcess, startServe, stopServe } from '../support/serve-process.js';
import { freePort, run, SENTRY_CLI } from '../support/server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

// Two regions on this machine, as an operator runs them: a US and an EU `errata serve`, each with a
// database of its own, one shared control database (PostgreSQL: three databases, the control one
// behind a proxy the test can cut; SQLite: three files on one host). One user, one token and the
// real clients (sentry-cli 3.8.0, @sentry/node) use both regions through either node's URL; EU data
// never lands in the US database or the control database; a region or the control database going
// away costs only what needs it, and everything recovers without a restart.

const AUTH_CACHE_SECONDS = 2;
const CONNECT_TIMEOUT_MS = 1000;
const PASSWORD = 'correct horse battery';
const MARKER = `eu-only-${randomBytes(8).toString('hex')}`;
/** The EU project's slug: no row of it may exist outside the EU database. */
const EU_PROJECT = `eu-web-${randomBytes(4).toString('hex')}`;

interface Storage {
  /** DATABASE_URL (or ERRATA_DATA_DIR) of a region, and ERRATA_CONTROL_DATABASE_URL. */
  regionEnv(region: 'us' | 'eu'): Record<string, string>;
  readonly control: string;
  /** Everything a region's or the control database holds, as text (a dump, or the file's bytes). */
  dump(which: 'us' | 'control'): Promise<string>;
  /** How many events with this id the region's database holds (read directly, not through Errata). */
  countEvents(region: 'us' | 'eu', eventId: string): Promise<number>;
  /** PostgreSQL only: the proxy in front of the control database. */
  readonly controlProxy: TcpProxy | null;
  drop(): Promise<void>;
}

async function postgresStorage(): Promise<Storage> {
  const prefix = `errata_e2e_${randomBytes(5).toString('hex')}`;
  const names = { control: `${prefix}_control`, us: `${prefix}_us`, eu: `${prefix}_eu` };
  await admin(async (client) => {
    for (const name of Object.values(names)) await client.query(`CREATE DATABASE ${name}`);
  });
  const base = new URL(TEST_POSTGRES_URL);
  const urlOf = (database: string, port = base.port) => {
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${database}`;
    url.port = port;
    return url.toString();
  };
  const proxy = await startTcpProxy({ host: base.hostname, port: Number(base.port || 5432) });
  const query = async (database: string, text: string, values: unknown[]) => {
    const client = new pg.Client({ connectionString: urlOf(database) });
    await client.connect();
    try {
      return (await client.query(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    regionEnv: (region) => ({ DATABASE_URL: urlOf(names[region]) }),
    control: urlOf(names.control, String(proxy.port)),
    controlProxy: proxy,
    async dump(which) {
      const result = await run('pg_dump', ['--no-owner', urlOf(names[which])]);
      if (result.code !== 0) throw new Error(`pg_dump failed: ${result.stderr}`);
      return result.stdout;
    },
    async countEvents(region, eventId) {
      const rows = await query(names[region], 'select count(*)::int as n from events where event_id = $1', [
        eventId,
      ]);
      return (rows[0] as { n: number }).n;
    },
    async drop() {
      await proxy.close();
      await admin(async (client) => {
        for (const name of Object.values(names))
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

async function sqliteStorage(): Promise<Storage> {
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'errata-e2e-regions-'));
  const dataDir = (region: string) => path.join(dir, region);
  const file = (which: 'us' | 'eu' | 'control') =>
    which === 'control' ? path.join(dir, 'control.sqlite') : path.join(dataDir(which), 'errata.sqlite');
  const bytes = (name: string) =>
    [name, `${name}-wal`]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
  return {
    regionEnv: (region) => ({ ERRATA_DATA_DIR: dataDir(region) }),
    control: `sqlite:${file('control')}`,
    controlProxy: null,
    dump: async (which) => bytes(file(which)),
    async countEvents(region, eventId) {
      const { default: SQLite } = await import('better-sqlite3');
      const db = new SQLite(file(region), { readonly: true, fileMustExist: true });
      try {
        return (
          db.prepare('select count(*) as n from events where event_id = ?').get(eventId) as { n: number }
        ).n;
      } finally {
        db.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Node {
  readonly region: 'us' | 'eu';
  readonly url: string;
  readonly port: number;
  serve: ServeProcess;
}

describe.each(TEST_ENGINES)('two regions on %s', (engine: Engine) => {
  let storage: Storage;
  let us: Node;
  let eu: Node;
  let userToken: string;
  let euOrgToken: string;
  let usDsn: string;
  let euDsn: string;
  let euEventId: string;
  const home = mkdtempSync(path.join(tmpdir(), 'errata-regions-home-'));

  const envOf = (region: 'us' | 'eu', ports: { us: number; eu: number }) => ({
    ...storage.regionEnv(region),
    ERRATA_CONTROL_DATABASE_URL: storage.control,
    ERRATA_REGIONS: `us=http://127.0.0.1:${ports.us},eu=http://127.0.0.1:${ports.eu}`,
    ERRATA_REGION: region,
    ERRATA_PORT: String(ports[region]),
    ERRATA_AUTH_CACHE_SECONDS: String(AUTH_CACHE_SECONDS),
    ERRATA_REGION_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    ERRATA_DB_CONNECT_TIMEOUT_MS: '1000',
    ERRATA_DB_QUERY_TIMEOUT_MS: '3000',
    ERRATA_DIGEST_POLL_MS: '200',
    ERRATA_ADMIN_EMAIL: 'owner@example.com',
    ERRATA_ADMIN_PASSWORD: PASSWORD,
    ERRATA_ORG: 'us-org',
    ERRATA_PROJECT: 'us-web',
    ERRATA_LOG_LEVEL: 'warn',
  });
  let ports: { us: number; eu: number };
  const startNode = async (region: 'us' | 'eu'): Promise<Node> => ({
    region,
    port: ports[region],
    url: `http://127.0.0.1:${ports[region]}`,
    serve: await startServe(envOf(region, ports)),
  });

  const cli = (env: Record<string, string>, ...args: string[]) =>
    run(SENTRY_CLI, args, { env: { SENTRY_LOG_LEVEL: 'warn', HOME: home, ...env } });

  beforeAll(async () => {
    storage = engine === 'postgres' ? await postgresStorage() : await sqliteStorage();
    ports = { us: await freePort(), eu: await freePort() };
    // The US node starts first: it migrates the control database and makes the first owner.
    us = await startNode('us');
    eu = await startNode('eu');
    const notice = firstStartNotice(us.serve.output());
    userToken = /User token:\s+(\S+)/.exec(notice)?.[1] as string;
    usDsn = /DSN:\s+(\S+)/.exec(notice)?.[1] as string;
    expect(userToken).toBeTruthy();
  }, 120_000);

  afterAll(async () => {
    for (const node of [us, eu]) if (node) await stopServe(node.serve);
    await storage?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates an organization in the EU region through the US URL, and its DSN names the EU host', async () => {
    const made = await api<{ slug: string; links: { regionUrl: string } }>(
      us.url,
      userToken,
      'POST',
      'organizations/',
      {
        name: 'EU org',
        slug: 'eu-org',
        region: 'eu',
      },
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.links.regionUrl).toBe(eu.url);
    const unknown = await api<Record<string, unknown>>(us.url, userToken, 'POST', 'organizations/', {
      name: 'Nowhere',
      region: 'ap',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toHaveProperty('region');

    const project = await api(us.url, userToken, 'POST', 'teams/eu-org/eu-org/projects/', {
      name: EU_PROJECT,
      slug: EU_PROJECT,
    });
    expect(project.status, JSON.stringify(project.body)).toBe(201);
    const keys = await api<{ dsn: { public: string } }[]>(
      us.url,
      userToken,
      'GET',
      `projects/eu-org/${EU_PROJECT}/keys/`,
    );
    expect(keys.status).toBe(200);
    euDsn = keys.body[0]?.dsn.public as string;
    expect(new URL(euDsn).host).toBe(`127.0.0.1:${eu.port}`);
    expect(new URL(usDsn).host).toBe(`127.0.0.1:${us.port}`);
  });

  it('lists the organizations of both regions on either node, with each region named', async () => {
    for (const node of [us, eu]) {
      const orgs = await api<{ slug: string; links: { regionUrl: string } }[]>(
        node.url,
        userToken,
        'GET',
        'organizations/',
      );
      expect(orgs.status).toBe(200);
      expect(Object.fromEntries(orgs.body.map((o) => [o.slug, o.links.regionUrl]))).toEqual({
        'us-org': us.url,
        'eu-org': eu.url,
      });
      const regions = await api(node.url, userToken, 'GET', 'users/me/regions/');
      expect(regions.body).toEqual({
        regions: [
          { name: 'eu', url: eu.url },
          { name: 'us', url: us.url },
        ],
      });
    }
  });

  it('serves sentry-cli 3.8.0 through the US URL: organizations of both regions, projects of the EU one', async () => {
    const orgs = await cli({ SENTRY_URL: us.url, SENTRY_AUTH_TOKEN: userToken }, 'organizations', 'list');
    expect(orgs.code, orgs.stderr).toBe(0);
    expect(orgs.stdout).toContain('us-org');
    expect(orgs.stdout).toContain('eu-org');
    const projects = await cli(
      { SENTRY_URL: us.url, SENTRY_AUTH_TOKEN: userToken },
      'projects',
      'list',
      '-o',
      'eu-org',
    );
    expect(projects.code, projects.stderr).toBe(0);
    expect(projects.stdout).toContain(EU_PROJECT);
  });

  it('lets sentry-cli find the EU region from an EU organization token alone', async () => {
    const made = await api<{ token: string }>(
      us.url,
      userToken,
      'POST',
      'organizations/eu-org/org-auth-tokens/',
      {
        name: 'eu ci',
      },
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    euOrgToken = made.body.token;
    const payload = JSON.parse(
      Buffer.from(euOrgToken.split('_')[1] as string, 'base64').toString(),
    ) as Record<string, unknown>;
    expect(payload).toMatchObject({ org: 'eu-org', url: eu.url, region_url: eu.url });

    // No SENTRY_URL and no -o: both come from the token.
    const info = await cli({ SENTRY_AUTH_TOKEN: euOrgToken }, 'info');
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain(`Sentry Server: ${eu.url}`);
    const version = 'regions@2.0.0';
    const made2 = await cli({ SENTRY_AUTH_TOKEN: euOrgToken }, 'releases', 'new', '-p', EU_PROJECT, version);
    expect(made2.code, made2.stderr).toBe(0);
    const finalized = await cli(
      { SENTRY_AUTH_TOKEN: euOrgToken },
      'releases',
      'finalize',
      '-p',
      EU_PROJECT,
      version,
    );
    expect(finalized.code, finalized.stderr).toBe(0);
    const listed = await cli({ SENTRY_AUTH_TOKEN: euOrgToken }, 'releases', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(version);
    const read = await api<{ version: string; dateReleased: string | null }>(
      us.url,
      userToken,
      'GET',
      `organizations/eu-org/releases/${encodeURIComponent(version)}/`,
    );
    expect(read.status).toBe(200);
    expect(read.body.dateReleased).not.toBeNull();
    // The token belongs to the EU organization: the US one is not its to read, on either node.
    for (const node of [us, eu]) {
      const other = await api(node.url, euOrgToken, 'GET', 'organizations/us-org/projects/');
      expect([403, 404]).toContain(other.status);
    }
  });

  it('takes an @sentry/node event on the EU DSN and reads it back through both URLs', async () => {
    const sent = await run(process.execPath, [path.join(DRIVERS, 'node-marker.mjs'), MARKER], {
      env: { SENTRY_DSN: euDsn },
    });
    expect(sent.code, sent.stderr).toBe(0);
    euEventId = (JSON.parse(sent.stdout.trim()) as { id: string }).id;
    for (const node of [eu, us]) {
      const event = await waitFor(
        async () => {
          const res = await api<{
            eventID: string;
            message?: string;
            tags: { key: string; value: string }[];
          }>(node.url, userToken, 'GET', `projects/eu-org/${EU_PROJECT}/events/${euEventId}/`);
          return res.status === 200 ? res.body : undefined;
        },
        { what: `the EU event through ${node.region}`, timeoutMs: 20_000 },
      );
      expect(event.eventID).toBe(euEventId);
      expect(event.tags).toContainEqual({ key: 'marker', value: MARKER });
    }
    // The US node's ingest refuses the EU key and stores nothing.
    const dsn = parseDsn(euDsn);
    const id = newEventId();
    const refused = await postEnvelope(us.url, dsn, envelopeOf(errorEvent(id, 'MisdirectedError')));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(await storage.countEvents('us', id)).toBe(0);
  });

  it('keeps EU data out of the US database and the control database', async () => {
    expect(euEventId).toBeTruthy();
    for (const which of ['us', 'control'] as const) {
      const dump = await storage.dump(which);
      expect(dump.length).toBeGreaterThan(1000);
      expect(dump.includes(MARKER), `${which} holds the EU event's marker`).toBe(false);
      expect(dump.includes(EU_PROJECT), `${which} holds the EU project`).toBe(false);
      expect(dump.includes(euEventId), `${which} holds the EU event id`).toBe(false);
    }
    expect(await storage.countEvents('us', euEventId)).toBe(0);
    expect(await storage.countEvents('eu', euEventId)).toBe(1);
    // The dumps do hold what they should: the US one its own project, the control one the user.
    expect(await storage.dump('us')).toContain('us-web');
    expect(await storage.dump('control')).toContain('owner@example.com');
  });

  it('stops trusting a token revoked on one node on the other within the cache time', async () => {
    const login = await fetch(`${us.url}/api/0/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'owner@example.com', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const session = { cookie, 'x-csrftoken': csrf, 'content-type': 'application/json' };
    const made = await fetch(`${us.url}/api/0/api-tokens/`, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({ scopes: ['org:read'], name: 'short-lived' }),
    });
    expect(made.status).toBe(201);
    const { id, token } = (await made.json()) as { id: string; token: string };
    expect((await api(eu.url, token, 'GET', 'organizations/')).status).toBe(200);

    const revoked = await fetch(`${us.url}/api/0/api-tokens/${id}/`, { method: 'DELETE', headers: session });
    expect(revoked.status).toBe(204);
    const at = performance.now();
    expect((await api(us.url, token, 'GET', 'organizations/')).status).toBe(401);
    await waitFor(
      async () => ((await api(eu.url, token, 'GET', 'organizations/')).status === 401 ? true : undefined),
      {
        what: 'the EU node to refuse the revoked token',
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    expect(performance.now() - at).toBeLessThan(AUTH_CACHE_SECONDS * 1000 + 1500);
  });

  it('answers 503 for the EU region while its node is down, serves the US one, and recovers', async () => {
    await stopServe(eu.serve);
    const started = performance.now();
    const down = await api<{ detail: string }>(
      us.url,
      userToken,
      'GET',
      `projects/eu-org/${EU_PROJECT}/`,
      undefined,
      10_000,
    );
    expect(down.status).toBe(503);
    expect(down.body.detail).toMatch(/eu/);
    expect(performance.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 3000);
    expect((await api(us.url, userToken, 'GET', 'projects/us-org/us-web/')).status).toBe(200);
    expect((await api(us.url, userToken, 'GET', 'organizations/')).status).toBe(200);

    eu = await startNode('eu');
    const back = await api(us.url, userToken, 'GET', `projects/eu-org/${EU_PROJECT}/`);
    expect(back.status).toBe(200);
  });

  it.runIf(engine === 'postgres')(
    'keeps ingest acknowledging and digesting in both regions while the control database is down',
    async () => {
      const proxy = storage.controlProxy as TcpProxy;
      await proxy.down();
      try {
        const ids: { region: 'us' | 'eu'; id: string }[] = [];
        for (const [region, node, dsn] of [
          ['us', us, usDsn],
          ['eu', eu, euDsn],
        ] as const) {
          for (let i = 0; i < 5; i++) {
            const id = newEventId();
            const answer = await postEnvelope(
              node.url,
              parseDsn(dsn),
              envelopeOf(errorEvent(id, 'ControlDownError')),
            );
            expect(
              answer.status,
              `${region} ingest: ${JSON.stringify(answer.body)} ${answer.failure ?? ''}`,
            ).toBe(200);
            ids.push({ region, id });
          }
        }
        for (const { region, id } of ids) {
          await waitFor(async () => ((await storage.countEvents(region, id)) === 1 ? true : undefined), {
            what: `event ${id} digested in ${region}`,
            timeoutMs: 20_000,
          });
        }
        // The REST door needs the control database for credentials: a clear 503, quickly.
        const rest = await api<{ detail: string }>(
          us.url,
          userToken,
          'GET',
          'organizations/',
          undefined,
          15_000,
        );
        expect(rest.status).toBe(503);
        expect(rest.body.detail).toBeTruthy();
      } finally {
        await proxy.forward();
      }
      for (const node of [us, eu]) {
        await waitFor(
          async () =>
            (await api(node.url, userToken, 'GET', 'organizations/')).status === 200 ? true : undefined,
          {
            what: `${node.region} REST back without a restart`,
            timeoutMs: 20_000,
          },
        );
      }
    },
    90_000,
  );
});
