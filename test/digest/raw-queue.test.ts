// The raw queue's contract, on every implementation: Kysely on each engine, and the SQLite writer
// thread's prepared statements on a second connection to the same file.

import { gzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionAlertStore } from '../../src/digest/alert-store.js';
import { DigestWorker } from '../../src/jobs/digest-worker.js';
import { openSqliteConnection } from '../../src/store/db.js';
import {
  countRawEnvelopes,
  HeldBodies,
  kyselyRawQueue,
  type RawEnvelope,
  type RawQueue,
} from '../../src/store/region/raw-queue.js';
import { sqliteRawQueue } from '../../src/store/region/raw-queue-sqlite.js';
import type { RegionSchema } from '../../src/store/schema.js';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../support/engines.js';
import { waitFor } from '../support/wait.js';

const IMPLEMENTATIONS = TEST_ENGINES.flatMap((engine) =>
  [false, true].flatMap((held) => [
    { name: `kysely on ${engine}${held ? ', bodies held' : ''}`, engine, sqlite: false, held },
    ...(engine === 'sqlite'
      ? [{ name: `prepared statements on sqlite${held ? ', bodies held' : ''}`, engine, sqlite: true, held }]
      : []),
  ]),
);

describe('HeldBodies', () => {
  it('keeps the newest bodies within its budget and hands each out once', () => {
    const held = new HeldBodies(10);
    held.hold(1, Buffer.from('aaaa'), null);
    held.hold(2, Buffer.from('bbbb'), 'gzip');
    held.hold(3, Buffer.from('cccc'), null);
    held.hold(4, Buffer.from('x'.repeat(11)), null);
    expect(held.take(1)).toBeUndefined();
    expect(held.take(4)).toBeUndefined();
    expect(held.take(2)).toEqual({ payload: Buffer.from('bbbb'), encoding: 'gzip' });
    expect(held.take(2)).toBeUndefined();
    expect(held.take(3)?.payload.toString()).toBe('cccc');
  });
});

describe.each(IMPLEMENTATIONS)('the raw queue: $name', ({ engine, sqlite, held }) => {
  let t: TestDatabase;
  /** The queue within a transaction: Kysely's is bound to it; the prepared statements share its connection. */
  let queueOf: (trx: Kysely<RegionSchema>) => RawQueue;
  let queue: RawQueue;
  let close = async () => {};
  let claimDb: Kysely<RegionSchema>;
  // 40 bytes: the gzipped body (37) pushes out the oldest plain one (3), which is then read back,
  // as when digest falls behind; the others are taken from memory.
  const bodies = held ? new HeldBodies(40) : undefined;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    if (sqlite) {
      const connection = openSqliteConnection(t.db.file as string, 'NORMAL');
      queue = sqliteRawQueue(connection.sqlite, bodies);
      queueOf = () => queue;
      // Claims run inside a transaction of that connection, as on the writer thread.
      claimDb = connection.kysely as unknown as Kysely<RegionSchema>;
      close = () => connection.kysely.destroy();
    } else {
      queue = kyselyRawQueue(t.db.region, engine, bodies);
      queueOf = (trx) => kyselyRawQueue(trx, engine, bodies);
      claimDb = t.db.region;
    }
  });
  afterAll(async () => {
    await close();
    await t.drop();
  });

  const raw = (
    eventId: string,
    payload = Buffer.from('{}\n'),
    encoding: RawEnvelope['encoding'] = null,
  ): RawEnvelope => ({
    projectId: 1,
    keyId: 1,
    kind: 'envelope',
    receivedAt: Date.now(),
    eventId,
    clientIp: null,
    payload,
    encoding,
  });
  // Claims happen inside the digest transaction.
  const claim = (limit: number) => claimDb.transaction().execute((trx) => queueOf(trx).claim(limit));

  it('hands out the oldest first, decoded, until they are deleted or set aside', async () => {
    const body = Buffer.from('{"event_id":"c"}\n');
    await queue.add([raw('a'), raw('b')]);
    await queue.add([raw('c', gzipSync(body), 'gzip')]);
    const first = await claim(2);
    expect(first.map((r) => r.eventId)).toEqual(['a', 'b']);
    const all = await claim(10);
    expect(all.map((r) => r.eventId)).toEqual(['a', 'b', 'c']);
    expect(all[2]?.payload.equals(body)).toBe(true);
    await queue.delete([first[0]?.id as number]);
    await queue.setAside(first[1]?.id as number, 'x'.repeat(5000));
    expect((await claim(10)).map((r) => r.eventId)).toEqual(['c']);
    const aside = await t.db.region
      .selectFrom('raw_envelopes')
      .select('digest_error')
      .where('event_id', '=', 'b')
      .executeTakeFirstOrThrow();
    expect(aside.digest_error).toHaveLength(2000);
    expect(await countRawEnvelopes(t.db.region)).toBe(1);
    await queue.delete([all[2]?.id as number]);
    await t.db.region.deleteFrom('raw_envelopes').execute();
  });

  it.runIf(!sqlite)(
    'is digested in one run when longer than a batch, without waiting for the next poll',
    async () => {
      await queue.add([raw('a'), raw('b'), raw('c'), raw('d'), raw('e')]);
      const log = { error: () => {}, warn: () => {} } as never;
      // Batches of 2 and a poll a minute away: only going on after a full batch digests all five.
      const worker = new DigestWorker(t.db, {
        batchSize: 2,
        pollMs: 60_000,
        log,
        queue: (trx) => kyselyRawQueue(trx, engine),
        alerting: { store: regionAlertStore(), baseUrl: 'http://errata.test', now: () => Date.now() },
      });
      worker.start();
      try {
        await waitFor(() => worker.digested >= 5, { timeoutMs: 10_000, what: 'five envelopes digested' });
      } finally {
        await worker.stop();
      }
      expect(worker.digested).toBe(5);
      expect(await countRawEnvelopes(t.db.region)).toBe(0);
    },
  );
});
