import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Where the gauges read what they show, at each scrape. */
export interface MetricSources {
  /** The queue between ingest and digest. */
  digestQueue(): Promise<{ depth: number; oldestReceivedAt: number | null; setAside: number }>;
  /** Notifications waiting in the outbox. */
  outboxDepth(): Promise<number>;
  /** Envelopes this process's digest has digested since its start (or its thread's restart). */
  digested(): number;
  now(): number;
}

/** Where a database query ran: the thread that answers HTTP, or the writer thread (raw commits and digest). */
export type QueryConnection = 'http' | 'writer';

/** Seconds: a SQLite read takes microseconds, a digest transaction on PostgreSQL up to seconds. */
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one process, in a registry of its own (tests run several apps in one
 * process). Counters are counted where things happen; gauges are read from the database at scrape.
 */
export class ErrataMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly ingestAccepted: Counter<'endpoint'>;
  readonly ingestRefused: Counter<'endpoint' | 'reason'>;
  readonly queryDuration: Histogram<'connection' | 'outcome'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'errata_' });
    this.httpRequests = new Counter({
      name: 'errata_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.ingestAccepted = new Counter({
      name: 'errata_ingest_accepted_total',
      help: 'Ingest requests committed and acknowledged, by endpoint (envelope, store, cron).',
      labelNames: ['endpoint'],
      registers,
    });
    this.ingestRefused = new Counter({
      name: 'errata_ingest_refused_total',
      help: 'Ingest requests refused, by endpoint and reason.',
      labelNames: ['endpoint', 'reason'],
      registers,
    });
    this.queryDuration = new Histogram({
      name: 'errata_db_query_duration_seconds',
      help: 'Database query time, by connection (http, writer) and outcome (ok, error).',
      labelNames: ['connection', 'outcome'],
      buckets: QUERY_BUCKETS,
      registers,
    });
    let reported = 0;
    new Counter({
      name: 'errata_digested_envelopes_total',
      help: 'Raw envelopes digested into rows by this process (an envelope from an SDK holds one event).',
      registers,
      collect() {
        const total = sources.digested();
        // A restarted writer thread counts from zero again.
        this.inc(total >= reported ? total - reported : total);
        reported = total;
      },
    });
    // One read of the queue serves its three gauges in a scrape.
    // A database that does not answer leaves these gauges NaN rather than failing the whole scrape.
    const unknown = { depth: Number.NaN, oldestReceivedAt: Number.NaN, setAside: Number.NaN };
    let queueRead: Promise<Awaited<ReturnType<MetricSources['digestQueue']>>> | null = null;
    const queue = () => {
      queueRead ??= sources
        .digestQueue()
        .catch(() => unknown)
        .finally(() => {
          setImmediate(() => {
            queueRead = null;
          });
        });
      return queueRead;
    };
    new Gauge({
      name: 'errata_digest_queue_depth',
      help: 'Raw envelopes waiting for digest (all nodes of the database).',
      registers,
      async collect() {
        this.set((await queue()).depth);
      },
    });
    new Gauge({
      name: 'errata_digest_lag_seconds',
      help: 'Age of the oldest raw envelope waiting for digest; 0 when none waits.',
      registers,
      async collect() {
        const oldest = (await queue()).oldestReceivedAt;
        this.set(oldest === null ? 0 : Math.max(0, (sources.now() - oldest) / 1000));
      },
    });
    new Gauge({
      name: 'errata_digest_set_aside',
      help: 'Raw envelopes digest could not turn into rows, kept for inspection.',
      registers,
      async collect() {
        this.set((await queue()).setAside);
      },
    });
    new Gauge({
      name: 'errata_outbox_depth',
      help: 'Notifications (alert email and webhooks) waiting for delivery, retries included.',
      registers,
      async collect() {
        this.set(await sources.outboxDepth().catch(() => Number.NaN));
      },
    });
  }

  /** Records database query times in milliseconds, as Kysely and the writer thread report them. */
  observeQueries(connection: QueryConnection, outcome: 'ok' | 'error', durationsMs: readonly number[]): void {
    const child = this.queryDuration.labels(connection, outcome);
    for (const ms of durationsMs) child.observe(ms / 1000);
  }

  /** The exposition in Prometheus' text format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
