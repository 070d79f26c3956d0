// The SQLite writer thread: commits the raw envelopes ingest hands it (synchronous=FULL, the requests
// in flight together in one transaction) and digests them, on a connection of its own, so that
// neither fsync nor digest blocks the thread that answers HTTP. Started by sqlite-thread-client.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { IngestedExtras } from '../ingest/raw-writer.js';
import { GroupCommit } from '../lib/group-commit.js';
import type { Database } from '../store/db.js';
import { openSqliteConnection } from '../store/db.js';
import {
  INSERT_RAW_ENVELOPE_SQL,
  type RawEnvelope,
  rawEnvelopeParameters,
} from '../store/region/raw-envelopes.js';
import type { ControlSchema, RegionSchema } from '../store/schema.js';
import { DigestWorker } from './digest-worker.js';
import { RetainedEnvelopes } from './retained-envelopes.js';
import {
  type FromThread,
  type SqliteThreadData,
  type ToThread,
  toThreadError,
} from './sqlite-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('sqlite-thread.ts runs only as a worker thread');
const data = workerData as SqliteThreadData;
const post = (message: FromThread) => port.postMessage(message);

// Digest commits at NORMAL; each raw-envelope commit switches to FULL around itself.
const { sqlite, kysely } = openSqliteConnection(data.file, 'NORMAL');
const insertRaw = sqlite.prepare(INSERT_RAW_ENVELOPE_SQL);
/** What ingest handed over with each committed envelope, until digest takes it. */
const retained = new RetainedEnvelopes(data.retainBytes);
const insertRawBatch = sqlite.transaction((rows: Pending[]) => {
  const ids: number[] = [];
  for (const p of rows)
    ids.push(Number(insertRaw.run(...rawEnvelopeParameters(p.row, data.nodeId)).lastInsertRowid));
  return ids;
});

const db: Database = {
  engine: 'sqlite',
  file: data.file,
  control: kysely as unknown as import('kysely').Kysely<ControlSchema>,
  region: kysely as unknown as import('kysely').Kysely<RegionSchema>,
  destroy: () => kysely.destroy(),
};

const log = (level: 'error' | 'warn') => (fields: { err?: unknown }, msg: string) =>
  post({ t: 'log', level, msg, ...(fields.err === undefined ? {} : { error: toThreadError(fields.err) }) });
const digest = new DigestWorker(db, {
  batchSize: data.digestBatchSize,
  pollMs: data.digestPollMs,
  retained,
  nodeId: data.nodeId,
  log: { error: log('error'), warn: log('warn') } as never,
});
let reported = 0;
const reportDigested = () => {
  if (digest.digested !== reported) {
    reported = digest.digested;
    post({ t: 'digested', total: reported });
  }
};
const reporter = setInterval(reportDigested, 50);

interface Pending {
  readonly id: number;
  readonly row: RawEnvelope;
  readonly extras: IngestedExtras | undefined;
}
/**
 * Raw envelopes committed with lib/group-commit: those that arrive while a commit or a digest
 * transaction runs are committed together, on disk before anyone is told they are.
 */
const commit = new GroupCommit<Pending>(
  async (batch) => {
    // A digest transaction of this connection is open between two of its statements: after it.
    while (sqlite.inTransaction) await new Promise((resolve) => setImmediate(resolve));
    const ids = batch.map((p) => p.id);
    try {
      sqlite.pragma('synchronous = FULL');
      const rawIds = insertRawBatch.immediate(batch);
      post({ t: 'committed', ids });
      batch.forEach((p, i) => {
        retained.keepIngested(rawIds[i] as number, p.row, p.extras);
      });
    } catch (error) {
      post({ t: 'failed', ids, error: toThreadError(error) });
      throw error;
    } finally {
      try {
        sqlite.pragma('synchronous = NORMAL');
      } catch {
        // The next FULL commit sets it again; a broken connection fails that one.
      }
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
      // A Buffer arrives as a plain Uint8Array; the driver stores either as a BLOB.
      // The outcome goes back in the write itself ('committed' or 'failed'), one message a batch.
      commit.add({ id: message.id, row: message.row, extras: message.extras }).catch(() => {});
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
          await kysely.destroy();
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
      throw new Error(`unknown message to the SQLite writer thread: ${JSON.stringify(message)}`);
  }
});
post({ t: 'ready' });
