import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { KeyCache } from './ingest/key-cache.js';
import { DatabaseRateLimiter, MemoryRateLimiter, type RateLimiter } from './ingest/rate-limiter.js';
import { BundleAssembler } from './jobs/bundle-assembler.js';
import type { DigestRunner } from './jobs/digest-worker.js';
import { startMaintenance } from './jobs/maintenance.js';
import { createPipeline } from './jobs/pipeline.js';
import { type FirstStart, firstStart } from './services/bootstrap.js';
import type { ServiceContext } from './services/context.js';
import { type Mailer, unsentMailer } from './services/mailer.js';
import { reconcileRegionMappings } from './services/region-mappings.js';
import type { Database } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';
import { openConfiguredDatabase } from './store/open.js';
import { incrementRateCounter } from './store/region/rate-counters.js';

export interface Errata {
  readonly app: FastifyInstance;
  readonly worker: DigestRunner;
}

/**
 * Assembles one Errata process over an open, migrated database: the app with both doors, the
 * pipeline ingest commits raw envelopes to, and its digest (not started).
 */
export async function assemble(ctx: ServiceContext): Promise<Errata> {
  // One SQLite process counts in memory; nodes sharing PostgreSQL count in it, so limits hold across them.
  const limiter: RateLimiter =
    ctx.db.engine === 'postgres'
      ? new DatabaseRateLimiter((bucket, windowStart) =>
          incrementRateCounter(ctx.db.region, bucket, windowStart),
        )
      : new MemoryRateLimiter();
  // The app's logger exists only once the app does; digest logs through it from then on.
  let logger: Pick<FastifyBaseLogger, 'error' | 'warn'> | null = null;
  const pipeline = createPipeline(ctx.db, {
    digestBatchSize: ctx.config.digestBatchSize ?? (ctx.db.engine === 'postgres' ? 500 : 50),
    digestPollMs: ctx.config.digestPollMs,
    digestConcurrency: ctx.config.digestConcurrency,
    sourceMapCacheBytes: ctx.config.sourceMapCacheBytes,
    log: {
      error: (...args: [object, string]) => logger?.error(...args),
      warn: (...args: [object, string]) => logger?.warn(...args),
    } as Pick<FastifyBaseLogger, 'error' | 'warn'>,
  });
  const app = await buildApp(ctx, {
    keys: new KeyCache(ctx.db.region, ctx.config.keyCacheSeconds * 1000, ctx.now),
    limiter,
    writer: pipeline.writer,
  });
  logger = app.log;
  app.addHook('onClose', () => pipeline.close());
  return { app, worker: pipeline.digest };
}

export interface Server {
  readonly app: FastifyInstance;
  readonly worker: DigestRunner;
  /** Assembles uploaded artifact bundles in the background. */
  readonly assembler: BundleAssembler;
  readonly ctx: ServiceContext;
  readonly url: string;
  readonly firstStart: FirstStart | null;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Where email goes; by default none is sent (logged as not sent). */
  readonly mailer?: Mailer;
}

/**
 * Wiring only: open and migrate the database, create the first owner on an empty one, build the
 * app and listen. Throws (and closes what it opened) when any step fails.
 */
export async function startServer(
  config: Config,
  database?: Database,
  options: ServerOptions = {},
): Promise<Server> {
  const db = database ?? openConfiguredDatabase(config);
  try {
    await migrateToLatest(db);
    // The app's logger exists only once the app does; nothing is mailed before that.
    let log: Pick<FastifyBaseLogger, 'warn'> | null = null;
    const mailer =
      options.mailer ?? unsentMailer({ warn: (details, message) => log?.warn(details, message) });
    const ctx: ServiceContext = { db, config, mailer, now: () => Date.now() };
    const created = await firstStart(ctx);
    await reconcileRegionMappings(ctx);
    const { app, worker } = await assemble(ctx);
    log = app.log;
    worker.start();
    const assembler = new BundleAssembler(db, {
      limits: config,
      pollMs: config.assemblePollMs,
      now: ctx.now,
      log: app.log,
    });
    assembler.start();
    const stopMaintenance = startMaintenance(db, ctx.now, app.log, config);
    const address = await app.listen({ host: config.host, port: config.port });
    return {
      app,
      worker,
      assembler,
      ctx,
      url: address,
      firstStart: created,
      async close() {
        stopMaintenance();
        await app.close();
        await assembler.stop();
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
