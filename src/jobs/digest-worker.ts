import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { digestEnvelope, groupEventItems } from '../digest/digest-envelope.js';
import type { IssueAlerting } from '../digest/issue-alerts.js';
import { type EventItem, Symbolicator } from '../digest/symbolicate.js';
import { writeEvents } from '../digest/write-events.js';
import type { Database } from '../store/db.js';
import { type OutcomeCount, upsertOutcomes } from '../store/region/outcomes.js';
import { commitWithoutFlush, OUTCOMES_KIND, type RawQueue } from '../store/region/raw-queue.js';
import type { RegionSchema } from '../store/schema.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';

/** What the process asks of digest, wherever it runs (this thread, or the SQLite ingest thread). */
export interface DigestRunner {
  start(): void;
  stop(): Promise<void>;
  /** Says there may be work. */
  notify(): void;
  /** Resolves once everything committed so far has been digested (or set aside). */
  drain(): Promise<void>;
  /** Envelopes digested since start. */
  readonly digested: number;
}

export interface DigestWorkerOptions {
  readonly batchSize: number;
  readonly pollMs: number;
  readonly log: Pick<FastifyBaseLogger, 'error' | 'warn'>;
  /** Digest transactions at once (PostgreSQL; SQLite has one writer: 1). */
  readonly concurrency?: number;
  /** The raw queue within a digest transaction. */
  readonly queue: (trx: Kysely<RegionSchema>) => RawQueue;
  /** Bytes of parsed source maps kept between batches (default DEFAULT_SOURCE_MAP_CACHE_BYTES). */
  readonly sourceMapCacheBytes?: number;
  /** Issue alert rules, evaluated in each batch's transaction. */
  readonly alerting: IssueAlerting;
}

/** The source-map cache of a digest worker that is given no size (tests): Config's default. */
export const DEFAULT_SOURCE_MAP_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Digests raw envelopes in batches, off the request path: one transaction claims a batch, writes
 * every row it produces and deletes the raw rows, so each envelope is digested exactly once, and a
 * crash before the commit leaves it to be digested again. It runs when ingest says there is work
 * and, for work it was not told about (other nodes, a restart), on a timer.
 */
export class DigestWorker implements DigestRunner {
  private running = false;
  private again = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Envelopes digested since start (for tests and metrics); rows of refusal counts are not. */
  digested = 0;
  /** Maps JavaScript frames through uploaded source maps; its cache lives as long as this worker. */
  readonly symbolicator: Symbolicator;

  constructor(
    private readonly db: Database,
    private readonly options: DigestWorkerOptions,
  ) {
    this.symbolicator = new Symbolicator({
      cacheBytes: options.sourceMapCacheBytes ?? DEFAULT_SOURCE_MAP_CACHE_BYTES,
      onError: (error) => options.log.warn({ err: error }, 'cannot symbolicate an event; kept as it came'),
    });
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.notify(), this.options.pollMs);
    this.timer.unref();
    this.notify();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Says there may be work; runs now unless a run is under way, which then goes round once more. Ignored until started. */
  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run();
  }

  /** See DigestRunner.drain (tests, benchmarks, shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      if (!this.running) {
        const left = await this.runOnce();
        if (left === 0) return;
      } else {
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      }
    }
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        // On PostgreSQL several transactions at once, each claiming its own batch (SKIP LOCKED), so
        // that one's round trips overlap another's; they meet only on the rows of a shared issue.
        // A batch that came back short emptied the queue: the loop ends there, not on one more
        // transaction that claims nothing.
        // What is committed meanwhile notifies, and the run goes round again.
        const loops = Array.from({ length: this.options.concurrency ?? 1 }, async () => {
          while (!this.stopped && (await this.runOnce()) >= this.options.batchSize) {
            // Between batches, let the thread do other work (on SQLite: commit what ingest is waiting for).
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        });
        await Promise.all(loops);
      } while (this.again && !this.stopped);
    } catch (error) {
      this.options.log.error({ err: error }, 'digest run failed; retrying on the next poll');
    } finally {
      this.running = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** One batch in one transaction; a batch that fails is retried one envelope at a time. */
  private async runOnce(): Promise<number> {
    const { db } = this;
    try {
      return await db.region.transaction().execute(async (trx) => {
        const queue = this.options.queue(trx);
        const batch = await queue.claim(this.options.batchSize);
        if (batch.length > 0) await commitWithoutFlush(trx, db.engine);
        const items: EventItem[] = [];
        const counts: OutcomeCount[] = [];
        for (const raw of batch) await digestEnvelope(trx, db.engine, raw, items, counts);
        const grouped = await groupEventItems(trx, items, this.symbolicator);
        await writeEvents(trx, db.engine, grouped, this.options.alerting);
        await upsertOutcomes(trx, counts);
        await queue.delete(batch.map((r) => r.id));
        this.digested += batch.filter((r) => r.kind !== OUTCOMES_KIND).length;
        return batch.length;
      });
    } catch (error) {
      this.options.log.warn({ err: error }, 'digest batch failed; digesting its envelopes one by one');
      return this.runOneByOne();
    }
  }

  private async runOneByOne(): Promise<number> {
    const { db } = this;
    let done = 0;
    for (let i = 0; i < this.options.batchSize; i++) {
      try {
        const found = await db.region.transaction().execute(async (trx) => {
          const queue = this.options.queue(trx);
          const [raw] = await queue.claim(1);
          if (!raw) return null;
          await commitWithoutFlush(trx, db.engine);
          try {
            const items: EventItem[] = [];
            const counts: OutcomeCount[] = [];
            await digestEnvelope(trx, db.engine, raw, items, counts);
            const grouped = await groupEventItems(trx, items, this.symbolicator);
            await writeEvents(trx, db.engine, grouped, this.options.alerting);
            await upsertOutcomes(trx, counts);
          } catch (error) {
            // A database that is down, busy or deadlocked says nothing about the envelope: retry later.
            if (isTransient(error)) throw error;
            // Throwing rolls back this envelope's partial rows.
            throw new EnvelopeFailed(raw.id, error);
          }
          await queue.delete([raw.id]);
          return raw;
        });
        if (!found) break;
        if (found.kind !== OUTCOMES_KIND) this.digested++;
        done++;
      } catch (error) {
        if (!(error instanceof EnvelopeFailed)) throw error;
        this.options.log.error(
          { err: error.cause, rawEnvelopeId: error.id },
          'cannot digest envelope; set aside',
        );
        await db.region
          .transaction()
          .execute((trx) => this.options.queue(trx).setAside(error.id, String(error.cause)));
        done++;
      }
    }
    return done;
  }
}

/** Errors after which the same envelope may well digest fine: unavailability, deadlocks, serialization. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isDatabaseUnavailable(error) || code === '40P01' || code === '40001';
}

class EnvelopeFailed extends Error {
  constructor(
    readonly id: number,
    cause: unknown,
  ) {
    super(`cannot digest raw envelope ${id}`, { cause });
  }
}
