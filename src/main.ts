import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { KeyCache } from './ingest/key-cache.js';
import { DatabaseRateLimiter, MemoryRateLimiter, type RateLimiter } from './ingest/rate-limiter.js';
import { BundleAssembler } from './jobs/bundle-assembler.js';
import { CronClock } from './jobs/cron-clock.js';
import { DeliveryWorker } from './jobs/delivery-worker.js';
import type { DigestRunner } from './jobs/digest-worker.js';
import { createHttpSender } from './jobs/http-sender.js';
import { startMaintenance } from './jobs/maintenance.js';
import { createPipeline } from './jobs/pipeline.js';
import { RetentionJob } from './jobs/retention.js';
import { createSmtpSender, describeSmtpUrl, EMAIL_OFF_REASON } from './jobs/smtp-sender.js';
import { fileClock } from './lib/file-clock.js';
import { ErrataMetrics } from './metrics/metrics.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { type FirstStart, firstStart } from './services/bootstrap.js';
import type { ServiceContext } from './services/context.js';
import { type Mailer, outboxMailer } from './services/mailer.js';
import { reconcileRegionMappings } from './services/region-mappings.js';
import type { Database } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';
import { openConfiguredDatabase } from './store/open.js';
import { countPendingNotifications } from './store/region/notification-outbox.js';
import { incrementRateCounter } from './store/region/rate-counters.js';
import { rawQueueState } from './store/region/raw-queue.js';

export interface Errata {
  readonly app: FastifyInstance;
  readonly worker: DigestRunner;
  /** Sends the notification outbox (not started: `drain()` sends what is due). */
  readonly delivery: DeliveryWorker;
  /** Null unless ERRATA_METRICS_LISTEN or ERRATA_METRICS_TOKEN asks for metrics. */
  readonly metrics: ErrataMetrics | null;
}

/** The process's metrics over its database and digest, when the configuration exposes them somewhere. */
function processMetrics(ctx: ServiceContext, digested: () => number): ErrataMetrics | null {
  if (!ctx.config.metricsListen && !ctx.config.metricsToken) return null;
  const metrics = new ErrataMetrics({
    async digestQueue() {
      const state = await rawQueueState(ctx.db.region);
      return {
        depth: state.depth,
        oldestReceivedAt: state.oldest?.receivedAt ?? null,
        setAside: state.setAside,
      };
    },
    outboxDepth: () => countPendingNotifications(ctx.db.region),
    digested,
    now: ctx.now,
  });
  ctx.db.timing.listener = (ms, failed) => metrics.observeQueries('http', failed ? 'error' : 'ok', [ms]);
  return metrics;
}

/**
 * The delivery worker of a process: email through the configured SMTP server (or none), webhooks
 * within the outbound policy, each try bounded by the notification timeouts.
 */
function deliveryWorker(ctx: ServiceContext, log: Pick<FastifyBaseLogger, 'error' | 'warn'>): DeliveryWorker {
  const { config } = ctx;
  const timeouts = { connectTimeoutMs: config.notifyConnectTimeoutMs, timeoutMs: config.notifyTimeoutMs };
  return new DeliveryWorker(ctx.db, {
    email:
      config.smtpUrl && config.emailFrom
        ? createSmtpSender({ url: config.smtpUrl, from: config.emailFrom, ...timeouts })
        : null,
    emailOffReason: EMAIL_OFF_REASON,
    http: createHttpSender({
      policy: { allowPrivate: config.outboundAllowPrivate, ...timeouts },
      webhookSecret: config.webhookSecret,
      now: ctx.now,
    }),
    now: ctx.now,
    log,
    pollMs: config.notifyPollMs,
    concurrency: config.notifyConcurrency,
    maxAttempts: config.notifyMaxAttempts,
    sendTimeoutMs: config.notifyTimeoutMs,
  });
}

/**
 * Assembles one Errata process over an open, migrated database: the app with both doors, the
 * pipeline ingest commits raw envelopes to, its digest and the delivery worker (not started).
 */
export async function assemble(ctx: ServiceContext): Promise<Errata> {
  // One SQLite process counts in memory; nodes sharing PostgreSQL count in it, so limits hold across them.
  const limiter: RateLimiter =
    ctx.db.engine === 'postgres'
      ? new DatabaseRateLimiter((bucket, windowStart) =>
          incrementRateCounter(ctx.db.region, bucket, windowStart),
        )
      : new MemoryRateLimiter();
  // The app's logger exists only once the app does; digest and delivery log through it from then on.
  let logger: Pick<FastifyBaseLogger, 'error' | 'warn'> | null = null;
  const lateLog = {
    error: (...args: [object, string]) => logger?.error(...args),
    warn: (...args: [object, string]) => logger?.warn(...args),
  } as Pick<FastifyBaseLogger, 'error' | 'warn'>;
  const delivery = deliveryWorker(ctx, lateLog);
  // Digest comes after the metrics, which read its count: through this late reference.
  let digested = () => 0;
  const metrics = processMetrics(ctx, () => digested());
  const pipeline = createPipeline(ctx.db, {
    digestBatchSize: ctx.config.digestBatchSize ?? (ctx.db.engine === 'postgres' ? 500 : 50),
    digestPollMs: ctx.config.digestPollMs,
    digestConcurrency: ctx.config.digestConcurrency,
    sourceMapCacheBytes: ctx.config.sourceMapCacheBytes,
    baseUrl: ctx.config.url,
    log: lateLog,
    // Digest's commits may have queued notifications: the delivery worker looks at once.
    onDigested: () => delivery.notify(),
    ...(metrics
      ? {
          onQueries: (ok: readonly number[], error: readonly number[]) => {
            metrics.observeQueries('writer', 'ok', ok);
            metrics.observeQueries('writer', 'error', error);
          },
        }
      : {}),
  });
  digested = () => pipeline.digest.digested;
  // The API sends test notifications through the same worker, at once.
  const app = await buildApp(
    { ...ctx, delivery },
    {
      keys: new KeyCache(ctx.db.region, ctx.config.keyCacheSeconds * 1000, ctx.now),
      limiter,
      writer: pipeline.writer,
      metrics,
    },
  );
  logger = app.log;
  app.addHook('onClose', () => pipeline.close());
  return { app, worker: pipeline.digest, delivery, metrics };
}

export interface Server {
  readonly app: FastifyInstance;
  readonly worker: DigestRunner;
  /** Assembles uploaded artifact bundles in the background. */
  readonly assembler: BundleAssembler;
  /** Sends the notification outbox in the background. */
  readonly delivery: DeliveryWorker;
  /** Marks missed and timed-out cron runs. */
  readonly clock: CronClock;
  /** Deletes what is older than the retention period. */
  readonly retention: RetentionJob;
  readonly ctx: ServiceContext;
  readonly url: string;
  readonly firstStart: FirstStart | null;
  /** The metrics listener of ERRATA_METRICS_LISTEN, or null. */
  readonly metricsServer: MetricsServer | null;
  close(): Promise<void>;
  /**
   * SIGTERM's shutdown: unready at once, still serving for ERRATA_SHUTDOWN_DRAIN_MS; then no new
   * connections, requests in flight answered (new ones on open connections get 503), held raw
   * envelopes committed, the digest batch under way committed (what is left waits in the
   * database for the next node), and everything closed.
   */
  shutdown(): Promise<void>;
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
    const mailer = options.mailer ?? outboxMailer;
    const now = config.testClockFile ? fileClock(config.testClockFile) : () => Date.now();
    const ctx: ServiceContext = { db, config, mailer, now };
    const created = await firstStart(ctx);
    await reconcileRegionMappings(ctx);
    const { app, worker, delivery, metrics } = await assemble(ctx);
    worker.start();
    if (config.smtpUrl) app.log.info(`email goes through ${describeSmtpUrl(config.smtpUrl)}`);
    else app.log.info(`${EMAIL_OFF_REASON}; emails are failed in the delivery history`);
    if (config.testClockFile) app.log.warn(`the clock is moved by ${config.testClockFile} (tests only)`);
    if (!config.webhookSecret) app.log.info('webhooks are sent unsigned: ERRATA_WEBHOOK_SECRET is not set');
    const assembler = new BundleAssembler(db, {
      limits: config,
      pollMs: config.assemblePollMs,
      now: ctx.now,
      log: app.log,
    });
    assembler.start();
    const stopMaintenance = startMaintenance(db, ctx.now, app.log, config);
    const clock = new CronClock(db, { now: ctx.now, pollMs: config.cronClockPollMs, log: app.log });
    clock.start();
    const retention = new RetentionJob(db, {
      retentionDays: config.retentionDays,
      maxEventsPerProject: config.maxEventsPerProject,
      logRetentionDays: config.logRetentionDays,
      everyMs: config.retentionPollMs,
      now: ctx.now,
      log: app.log,
    });
    retention.start();
    // Before the main port, so that a metrics address in use stops the start before anything listens.
    const metricsServer =
      metrics && config.metricsListen ? await startMetricsServer(metrics, config.metricsListen) : null;
    if (metricsServer) app.log.info(`metrics at ${metricsServer.url}`);
    const address = await app.listen({ host: config.host, port: config.port });
    delivery.start();
    const close = async () => {
      stopMaintenance();
      await metricsServer?.close();
      await clock.stop();
      await retention.stop();
      await app.close();
      await assembler.stop();
      await worker.stop();
      await delivery.stop();
      await db.destroy();
    };
    return {
      app,
      worker,
      assembler,
      delivery,
      clock,
      retention,
      ctx,
      url: address,
      firstStart: created,
      metricsServer,
      close,
      async shutdown() {
        app.readiness.stop();
        if (config.shutdownDrainMs > 0)
          await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
        await close();
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
