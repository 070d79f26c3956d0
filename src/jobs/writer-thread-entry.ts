// The writer thread: commits the raw envelopes ingest hands it (the requests in flight together in
// one transaction) and digests them, on a connection of its own, so that neither the commit nor
// digest blocks the thread that answers HTTP. Started by writer-thread.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { regionAlertStore } from '../digest/alert-store.js';
import { GroupCommit } from '../lib/group-commit.js';
import { type Database, openDatabase, openSqliteConnection, QueryTiming } from '../store/db.js';
import { HeldBodies, kyselyRawQueue, type RawEnvelope, type RawQueue } from '../store/region/raw-queue.js';
import { sqliteRawQueue } from '../store/region/raw-queue-sqlite.js';
import type { ControlSchema, RegionSchema } from '../store/schema.js';
import { DigestWorker } from './digest-worker.js';
import {
  type FromThread,
  type ToThread,
  toThreadError,
  type WriterThreadData,
} from './writer-thread-messages.js';

const port = parentPort;
if (!port) throw new Error('writer-thread-entry.ts runs only as a worker thread');
const data = workerData as WriterThreadData;
const post = (message: FromThread) => port.postMessage(message);

/**
 * Bytes of the bodies this thread committed that it keeps for its digest: a few hundred envelopes,
 * as many as wait for digest while it keeps up.
 */
const HELD_BYTES = 16 * 1024 * 1024;

/** The database, and the queue: on SQLite prepared statements on this thread's one connection. */
function open(): { db: Database; queue: RawQueue; queueOf: (trx: Kysely<RegionSchema>) => RawQueue } {
  const { target } = data;
  const held = new HeldBodies(HELD_BYTES);
  if (target.engine === 'postgres') {
    const db = openDatabase(target);
    return {
      db,
      queue: kyselyRawQueue(db.region, 'postgres', held),
      queueOf: (trx) => kyselyRawQueue(trx, 'postgres', held),
    };
  }
  // Digest commits at NORMAL: if its commit is lost, the raw envelopes it deleted are digested again.
  // The queue's own commits are FULL.
  const timing = new QueryTiming();
  const { sqlite, kysely } = openSqliteConnection(target.file, 'NORMAL', timing);
  const queue = sqliteRawQueue(sqlite, held);
  // Digest reads and writes the region store only; `control` is never used on this thread.
  const db: Database = {
    engine: 'sqlite',
    controlEngine: 'sqlite',
    separateControl: false,
    file: target.file,
    target,
    control: kysely as unknown as Kysely<ControlSchema>,
    region: kysely as unknown as Kysely<RegionSchema>,
    timing,
    destroy: () => kysely.destroy(),
  };
  // One connection: the queue's statements run inside the digest transaction Kysely opened on it.
  return { db, queue, queueOf: () => queue };
}

const { db, queue, queueOf } = open();

/**
 * Query times since the last report, for the process's metrics; past this many a report holds a
 * sample (the first ones), so a burst does not grow the message without bound.
 */
const MAX_REPORTED_QUERIES = 10_000;
const queryTimes: { ok: number[]; error: number[] } = { ok: [], error: [] };
if (data.reportQueries) {
  db.timing.listener = (ms, failed) => {
    const into = failed ? queryTimes.error : queryTimes.ok;
    if (into.length < MAX_REPORTED_QUERIES) into.push(ms);
  };
}
const log = (level: 'error' | 'warn') => (fields: { err?: unknown }, msg: string) =>
  post({ t: 'log', level, msg, ...(fields.err === undefined ? {} : { error: toThreadError(fields.err) }) });
const digest = new DigestWorker(db, {
  batchSize: data.digestBatchSize,
  pollMs: data.digestPollMs,
  concurrency: data.digestConcurrency,
  ...(data.sourceMapCacheBytes === undefined ? {} : { sourceMapCacheBytes: data.sourceMapCacheBytes }),
  queue: queueOf,
  alerting: { store: regionAlertStore(), baseUrl: data.baseUrl, now: () => Date.now() },
  log: { error: log('error'), warn: log('warn') } as never,
});
let reported = 0;
const reportDigested = () => {
  if (digest.digested !== reported) {
    reported = digest.digested;
    post({ t: 'digested', total: reported });
  }
  if (queryTimes.ok.length > 0 || queryTimes.error.length > 0) {
    post({ t: 'queries', ok: queryTimes.ok.splice(0), error: queryTimes.error.splice(0) });
  }
};
const reporter = setInterval(reportDigested, 50);

interface Pending {
  readonly id: number;
  readonly envelope: RawEnvelope;
}
/**
 * Raw envelopes committed with lib/group-commit: those that arrive while a commit or a digest
 * transaction runs are committed together, on disk before anyone is told they are.
 */
const commit = new GroupCommit<Pending>(
  async (batch) => {
    const ids = batch.map((p) => p.id);
    try {
      await queue.add(batch.map((p) => p.envelope));
      post({ t: 'committed', ids });
    } catch (error) {
      post({ t: 'failed', ids, error: toThreadError(error) });
      throw error;
    }
  },
  data.maxWriteBatch,
  () => digest.notify(),
);

async function answer(id: number, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    reportDigested();
    post({ t: 'done', id });
  } catch (error) {
    post({ t: 'done', id, error: toThreadError(error) });
  }
}

port.on('message', (message: ToThread) => {
  switch (message.t) {
    case 'add':
      // The outcome goes back in the write itself ('committed' or 'failed'), one message a batch.
      commit.add({ id: message.id, envelope: message.envelope }).catch(() => {});
      return;
    case 'start':
      digest.start();
      return;
    case 'notify':
      digest.notify();
      return;
    case 'drain':
      void answer(message.id, () => digest.drain());
      return;
    case 'stop':
      void answer(message.id, () => digest.stop());
      return;
    case 'close':
      void (async () => {
        try {
          await digest.stop();
          await commit.idle();
          clearInterval(reporter);
          reportDigested();
          await db.destroy();
          post({ t: 'done', id: message.id });
        } catch (error) {
          post({ t: 'done', id: message.id, error: toThreadError(error) });
        }
        port.close();
      })();
      return;
    default:
      // A message this thread does not know is a bug on the other side: end the thread, which the
      // client starts again (failing what it held), rather than leave a request unanswered.
      throw new Error(`unknown message to the writer thread: ${JSON.stringify(message)}`);
  }
});
post({ t: 'ready' });
