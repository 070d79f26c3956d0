import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { assemble, type Server, startServer } from '../../src/main.js';
import type { ServiceContext } from '../../src/services/context.js';
import { type Database, type Engine, openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { TEST_POSTGRES_URL } from './engines.js';
import { type Harness, testConfig } from './harness.js';
import { RecordingMailer } from './mail.js';
import { createPgSchema, type PgSchema } from './pg-schema.js';
import { freePort } from './server.js';

// A deployment of two regions on this machine: a US and an EU node, each listening on 127.0.0.1
// with a region database of its own, both over one shared control database (SQLite: three files;
// PostgreSQL: three schemas), each knowing the other by ERRATA_REGIONS.

export interface RegionNode {
  readonly name: string;
  readonly url: string;
  readonly server: Server;
  /** Stops the node; its database stays until the deployment closes. */
  stop(): Promise<void>;
}

export interface Deployment {
  readonly us: RegionNode;
  readonly eu: RegionNode;
  close(): Promise<void>;
}

interface Stores {
  /** ERRATA_CONTROL_DATABASE_URL for the nodes' configuration. */
  readonly controlSetting: string;
  open(region: 'us' | 'eu'): Database;
  drop(): Promise<void>;
}

async function sqliteStores(): Promise<Stores> {
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'errata-regions-'));
  const file = (name: string) => path.join(dir, `${name}.sqlite`);
  return {
    controlSetting: `sqlite:${file('control')}`,
    open: (region) =>
      openDatabase({ engine: 'sqlite', file: file(region) }, { engine: 'sqlite', file: file('control') }),
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresStores(): Promise<Stores> {
  const schemas: Record<'control' | 'us' | 'eu', PgSchema> = {
    control: await createPgSchema('errata_control'),
    us: await createPgSchema('errata_us'),
    eu: await createPgSchema('errata_eu'),
  };
  const target = (schema: PgSchema) =>
    ({ engine: 'postgres', url: TEST_POSTGRES_URL, schema: schema.name, poolMax: 5 }) as const;
  return {
    controlSetting: schemas.control.url(),
    open: (region) => openDatabase(target(schemas[region]), target(schemas.control)),
    async drop() {
      for (const schema of Object.values(schemas)) await schema.drop();
    },
  };
}

/**
 * Starts the US node, then the EU node (so that the control store is migrated once, by the
 * first). `env` adds settings to both, `perNode` to one of them.
 */
export async function startRegions(
  engine: Engine,
  env: Record<string, string> = {},
  perNode: Partial<Record<'us' | 'eu', Record<string, string>>> = {},
): Promise<Deployment> {
  const stores = engine === 'sqlite' ? await sqliteStores() : await postgresStores();
  const ports = { us: await freePort(), eu: await freePort() };
  const urls = { us: `http://127.0.0.1:${ports.us}`, eu: `http://127.0.0.1:${ports.eu}` };
  const started: RegionNode[] = [];
  const start = async (name: 'us' | 'eu'): Promise<RegionNode> => {
    const config = testConfig({
      ERRATA_PORT: String(ports[name]),
      ERRATA_URL: urls[name],
      ERRATA_REGION: name,
      ERRATA_REGIONS: `us=${urls.us},eu=${urls.eu}`,
      ERRATA_CONTROL_DATABASE_URL: stores.controlSetting,
      ...env,
      ...perNode[name],
    });
    const server = await startServer(config, stores.open(name));
    let stopped = false;
    const node: RegionNode = {
      name,
      url: urls[name],
      server,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.close();
      },
    };
    started.push(node);
    return node;
  };
  try {
    const us = await start('us');
    const eu = await start('eu');
    return {
      us,
      eu,
      async close() {
        for (const node of started) await node.stop();
        await stores.drop();
      },
    };
  } catch (error) {
    for (const node of started) await node.stop();
    await stores.drop();
    throw error;
  }
}

/**
 * A harness over two regions, for suites written against one (the credential and role matrices):
 * its services' context and ingest are the EU node's, so what a suite makes lands in the EU region,
 * while its REST requests go to the US node, which forwards them to the EU node listening on a
 * real port. `peer` is the US node's context, for what a suite wants in the other region. Both
 * nodes share the suite's clock.
 */
export async function createRegionHarness(
  engine: Engine,
  now: () => number = () => Date.now(),
  overrides: Record<string, string> = {},
): Promise<Harness> {
  const stores = engine === 'sqlite' ? await sqliteStores() : await postgresStores();
  const ports = { us: await freePort(), eu: await freePort() };
  const urls = { us: `http://127.0.0.1:${ports.us}`, eu: `http://127.0.0.1:${ports.eu}` };
  const mail = new RecordingMailer();
  const node = async (name: 'us' | 'eu') => {
    const db = stores.open(name);
    await migrateToLatest(db);
    const ctx: ServiceContext = {
      db,
      now,
      mailer: mail,
      config: testConfig({
        ERRATA_PORT: String(ports[name]),
        ERRATA_URL: urls[name],
        ERRATA_REGION: name,
        ERRATA_REGIONS: `us=${urls.us},eu=${urls.eu}`,
        ERRATA_CONTROL_DATABASE_URL: stores.controlSetting,
        ...overrides,
      }),
    };
    return { ctx, ...(await assemble(ctx)) };
  };
  const us = await node('us');
  const eu = await node('eu');
  await eu.app.listen({ host: '127.0.0.1', port: ports.eu });
  const close = async () => {
    await us.app.close();
    await eu.app.close();
    await us.ctx.db.destroy();
    await eu.ctx.db.destroy();
    await stores.drop();
  };
  // light-my-request streams a FormData payload in a way reply-from cannot pass on (the answer is
  // destroyed); real clients send bytes, so the harness sends the form's bytes as they would.
  const inject = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
    if (!(options.payload instanceof FormData)) return us.app.inject(options);
    const encoded = new Request('http://form.invalid/', { method: 'POST', body: options.payload });
    return us.app.inject({
      ...options,
      payload: Buffer.from(await encoded.arrayBuffer()),
      headers: { ...options.headers, 'content-type': encoded.headers.get('content-type') as string },
    });
  };
  const app = new Proxy(us.app, {
    get: (target, key, receiver) => (key === 'inject' ? inject : Reflect.get(target, key, receiver)),
  });
  return {
    ctx: eu.ctx,
    peer: us.ctx,
    app,
    ingest: eu.app,
    mail,
    worker: eu.worker,
    delivery: eu.delivery,
    database: { db: eu.ctx.db, schema: null, drop: close },
    request({ token, headers, ...options }) {
      return inject({
        ...options,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
    },
    close,
  };
}
