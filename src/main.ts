import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { KeyCache } from './ingest/key-cache.js';
import { DatabaseRateLimiter, MemoryRateLimiter, type RateLimiter } from './ingest/rate-limiter.js';
import { createRawWriter, type RawWriter } from './ingest/raw-writer.js';
import { type DigestRunner, DigestWorker } from './jobs/digest-worker.js';
import { startMaintenance } from './jobs/maintenance.js';
import { RetainedEnvelopes } from './jobs/retained-envelopes.js';
import { SqliteThread } from './jobs/sqlite-thread-client.js';
import { type FirstStart, firstStart } from './services/bootstrap.js';
import type { ServiceContext } from './services/context.js';
import type { Database } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';
import { openConfiguredDatabase } from './store/open.js';
import { incrementRateCounter } from './store/region/rate-counters.js';
import { countRawEnvelopes } from './store/region/raw-envelopes.js';

export interface Errata {
  readonly app: FastifyInstance;
  readonly worker: DigestRunner;
}

/**
 * Assembles one Errata process over an open, migrated database: the app with both doors, the raw
 * writer that tells the digest worker about new work, and the worker itself (not started).
 */
export async function assemble(ctx: ServiceContext): Promise<Errata> {
  // One SQLite process counts in memory; nodes sharing PostgreSQL count in it, so limits hold across them.
  const limiter: RateLimiter =
    ctx.db.engine === 'postgres'
      ? new DatabaseRateLimiter((bucket, windowStart) =>
          incrementRateCounter(ctx.db.region, bucket, windowStart),
        )
      : new MemoryRateLimiter();
  const { writer, worker, log } = ingestPipeline(ctx);
  const app = await buildApp(ctx, {
    keys: new KeyCache(ctx.db.region, ctx.config.keyCacheSeconds * 1000, ctx.now),
    limiter,
    writer,
  });
  log.target = app.log;
  if (worker instanceof SqliteThread) app.addHook('onClose', () => worker.close());
  return { app, worker };
}

/**
 * What ingest hands digest (decoded bodies, digest records) is kept up to this many bytes: a few
 * hundred envelopes, which covers a digest that keeps up; 64 MiB added ~50 MiB to the peak RSS at
 * c=128 in the bench for no more throughput.
 */
const RETAIN_BYTES = 16 * 1024 * 1024;

/**
 * Where raw envelopes are committed and digested. A SQLite file gets a thread of its own for both
 * (its commits block, and digest is most of the CPU): the HTTP thread only reads, checks and
 * hands over. PostgreSQL (asynchronous, and shared by several nodes) and SQLite in memory (one
 * connection) do both on this thread.
 */
function ingestPipeline(ctx: ServiceContext): {
  writer: RawWriter;
  worker: DigestRunner;
  log: { target: Pick<FastifyBaseLogger, 'error' | 'warn'> | null };
} {
  const holder: { target: Pick<FastifyBaseLogger, 'error' | 'warn'> | null } = { target: null };
  const log: Pick<FastifyBaseLogger, 'error' | 'warn'> = {
    error: (...args: [object, string]) => holder.target?.error(...args),
    warn: (...args: [object, string]) => holder.target?.warn(...args),
  } as Pick<FastifyBaseLogger, 'error' | 'warn'>;
  const batchSize = ctx.config.digestBatchSize ?? (ctx.db.engine === 'postgres' ? 500 : 50);
  // Names the raw envelopes this process commits, so that its digest takes those first (ClaimScope).
  const nodeId = randomUUID();
  const options = { batchSize, pollMs: ctx.config.digestPollMs, log, nodeId };
  if (ctx.db.engine === 'sqlite' && ctx.db.file !== null) {
    const thread = new SqliteThread({
      file: ctx.db.file,
      digestBatchSize: options.batchSize,
      digestPollMs: options.pollMs,
      retainBytes: RETAIN_BYTES,
      nodeId,
      log,
      pendingWork: async () => (await countRawEnvelopes(ctx.db.region)) > 0,
    });
    return { writer: thread, worker: thread, log: holder };
  }
  let worker: DigestWorker | undefined;
  const retained = new RetainedEnvelopes(RETAIN_BYTES);
  const writer = createRawWriter(ctx.db.region, () => worker?.notify(), retained, nodeId);
  worker = new DigestWorker(ctx.db, {
    ...options,
    retained,
    concurrency: ctx.db.engine === 'postgres' ? ctx.config.digestConcurrency : 1,
  });
  return { writer, worker, log: holder };
}

export interface Server {
  readonly app: FastifyInstance;
  readonly worker: DigestRunner;
  readonly ctx: ServiceContext;
  readonly url: string;
  readonly firstStart: FirstStart | null;
  close(): Promise<void>;
}

/**
 * Wiring only: open and migrate the database, create the first owner on an empty one, build the
 * app and listen. Throws (and closes what it opened) when any step fails.
 */
export async function startServer(config: Config, database?: Database): Promise<Server> {
  const db = database ?? openConfiguredDatabase(config);
  try {
    await migrateToLatest(db);
    const ctx: ServiceContext = { db, config, now: () => Date.now() };
    const created = await firstStart(ctx);
    const { app, worker } = await assemble(ctx);
    worker.start();
    const stopMaintenance = startMaintenance(db, ctx.now, app.log);
    const address = await app.listen({ host: config.host, port: config.port });
    return {
      app,
      worker,
      ctx,
      url: address,
      firstStart: created,
      async close() {
        stopMaintenance();
        await app.close();
        await worker.stop();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
}

/** The lines printed once, on the first start of an empty data directory. */
export function describeFirstStart(config: Config, info: FirstStart): string {
  const password = info.generatedPassword ?? '(the ERRATA_ADMIN_PASSWORD you set)';
  return [
    '',
    'First start: Errata created an owner, an organization, a project and its DSN.',
    'These secrets are shown once and never again; keep them somewhere safe.',
    '',
    `  Sign in:     ${config.url}/  as  ${info.email}  /  ${password}`,
    `  Organization ${info.orgSlug}, project ${info.projectSlug}`,
    `  User token:  ${info.token}`,
    `  DSN:         ${info.dsn}`,
    '',
    `  Try it:      curl -H "Authorization: Bearer ${info.token}" ${config.url}/api/0/`,
    '',
  ].join('\n');
}
