import type { FastifyBaseLogger } from 'fastify';
import { GroupCommit } from '../lib/group-commit.js';
import type { Database } from '../store/db.js';
import {
  countRawEnvelopes,
  kyselyRawQueue,
  type RawEnvelope,
  type RawWriter,
} from '../store/region/raw-queue.js';
import { type DigestRunner, DigestWorker } from './digest-worker.js';
import { SqliteWriter } from './sqlite-writer.js';

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
  readonly log: Pick<FastifyBaseLogger, 'error' | 'warn'>;
}

/**
 * The pipeline of a database. A SQLite file gets a thread of its own for both (its commits block,
 * and digest is most of the CPU): the HTTP thread only reads, checks and hands over. PostgreSQL
 * (asynchronous, and shared by several nodes) and SQLite in memory (one connection) do both on
 * this thread, with the requests in flight together in one INSERT.
 */
export function createPipeline(db: Database, options: PipelineOptions): Pipeline {
  if (db.engine === 'sqlite' && db.file !== null) {
    return new SqliteWriter({
      file: db.file,
      digestBatchSize: options.digestBatchSize,
      digestPollMs: options.digestPollMs,
      log: options.log,
      pendingWork: async () => (await countRawEnvelopes(db.region)) > 0,
    });
  }
  const digest = new DigestWorker(db, {
    batchSize: options.digestBatchSize,
    pollMs: options.digestPollMs,
    log: options.log,
    concurrency: db.engine === 'postgres' ? options.digestConcurrency : 1,
    queue: (trx) => kyselyRawQueue(trx, db.engine),
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
