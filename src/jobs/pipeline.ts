import type { FastifyBaseLogger } from 'fastify';
import { regionAlertStore } from '../digest/alert-store.js';
import { GroupCommit } from '../lib/group-commit.js';
import type { Database } from '../store/db.js';
import {
  countRawEnvelopes,
  kyselyRawQueue,
  type RawEnvelope,
  type RawWriter,
} from '../store/region/raw-queue.js';
import { type DigestRunner, DigestWorker } from './digest-worker.js';
import { WriterThread } from './writer-thread.js';

/** Where a process's ingest commits raw envelopes, and the digest that turns them into rows. */
export interface Pipeline {
  readonly writer: RawWriter;
  readonly digest: DigestRunner;
  /** Commits what is held and stops digest (the server's close). */
  close(): Promise<void>;
}

export interface PipelineOptions {
  readonly digestBatchSize: number;
  readonly digestPollMs: number;
  /** Digest transactions at once (PostgreSQL; SQLite has one writer). */
  readonly digestConcurrency: number;
  /** Bytes of parsed source maps the digest keeps (Config's `sourceMapCacheBytes`). */
  readonly sourceMapCacheBytes: number;
  /** The region's base URL (Config's `url`), for the issue links of alert notifications. */
  readonly baseUrl: string;
  readonly log: Pick<FastifyBaseLogger, 'error' | 'warn'>;
  /**
   * Called after digest committed more envelopes, whose transactions may have queued
   * notifications. Only the writer thread reports it; SQLite in memory (tests) relies on the
   * delivery worker's poll.
   */
  readonly onDigested?: () => void;
  /** Query times (ms) of the writer thread's connection; a pipeline on this thread reports through `db.timing`. */
  readonly onQueries?: (ok: readonly number[], error: readonly number[]) => void;
}

/**
 * The pipeline of a database: a writer thread that commits and digests on a connection of its own
 * (digest is most of the CPU, and a SQLite commit blocks), so that the HTTP thread only reads,
 * checks and hands over. SQLite in memory has one connection only: it commits and digests on this
 * thread.
 */
export function createPipeline(db: Database, options: PipelineOptions): Pipeline {
  if (db.engine === 'postgres' || db.file !== null) {
    return new WriterThread({
      target: db.target,
      digestBatchSize: options.digestBatchSize,
      digestPollMs: options.digestPollMs,
      digestConcurrency: db.engine === 'postgres' ? options.digestConcurrency : 1,
      sourceMapCacheBytes: options.sourceMapCacheBytes,
      baseUrl: options.baseUrl,
      log: options.log,
      pendingWork: async () => (await countRawEnvelopes(db.region)) > 0,
      onDigested: options.onDigested,
      ...(options.onQueries ? { onQueries: options.onQueries } : {}),
    });
  }
  const digest = new DigestWorker(db, {
    batchSize: options.digestBatchSize,
    pollMs: options.digestPollMs,
    log: options.log,
    queue: (trx) => kyselyRawQueue(trx, db.engine),
    sourceMapCacheBytes: options.sourceMapCacheBytes,
    alerting: { store: regionAlertStore(), baseUrl: options.baseUrl, now: () => Date.now() },
  });
  const queue = kyselyRawQueue(db.region, db.engine);
  const commit = new GroupCommit<RawEnvelope>(
    (batch) => queue.add(batch),
    500,
    () => digest.notify(),
  );
  return {
    writer: { add: (envelope) => commit.add(envelope) },
    digest,
    close: () => commit.idle(),
  };
}
