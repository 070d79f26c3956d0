import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigestWorker, ORPHAN_AFTER_MS } from '../../src/jobs/digest-worker.js';
import {
  claimRawEnvelopes,
  countRawEnvelopes,
  deleteRawEnvelopes,
  insertRawEnvelopes,
  type RawEnvelope,
} from '../../src/store/region/raw-envelopes.js';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../support/engines.js';
import { waitFor } from '../support/wait.js';

describe.each(TEST_ENGINES)('claiming raw envelopes on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
  });
  afterAll(() => t.drop());

  const now = Date.now();
  const raw = (eventId: string, receivedAt: number): RawEnvelope => ({
    projectId: 1,
    keyId: 1,
    kind: 'envelope',
    receivedAt,
    eventId,
    clientIp: null,
    payload: Buffer.from('{}\n'),
    encoding: null,
  });

  async function claimed(scope?: { nodeId: string; orphanBefore: number }): Promise<string[]> {
    const rows = await t.db.region
      .transaction()
      .execute((trx) => claimRawEnvelopes(trx, t.db.engine, 100, undefined, scope));
    return rows.map((r) => r.eventId as string);
  }

  it("takes this node's envelopes and orphans, not another node's fresh ones", async () => {
    const region = t.db.region;
    const ids = [
      ...(await insertRawEnvelopes(region, [raw('old-b', now - ORPHAN_AFTER_MS - 1000)], 'node-b')),
      ...(await insertRawEnvelopes(region, [raw('fresh-b', now)], 'node-b')),
      ...(await insertRawEnvelopes(region, [raw('fresh-a', now)], 'node-a')),
      ...(await insertRawEnvelopes(region, [raw('before-nodes', now)])),
    ];
    const orphanBefore = now - ORPHAN_AFTER_MS;
    expect(await claimed({ nodeId: 'node-a', orphanBefore })).toEqual(['old-b', 'fresh-a', 'before-nodes']);
    expect(await claimed({ nodeId: 'node-b', orphanBefore })).toEqual(['old-b', 'fresh-b', 'before-nodes']);
    // Once node b's envelope is old enough, node a takes it too; without a scope, everything.
    expect(await claimed({ nodeId: 'node-a', orphanBefore: now + 1 })).toHaveLength(4);
    expect(await claimed()).toHaveLength(4);
    await deleteRawEnvelopes(region, ids);
  });

  it("leaves another node's fresh envelopes to it, and digests those a stopped node left behind", async () => {
    const region = t.db.region;
    await insertRawEnvelopes(region, [raw('left-by-a', now - ORPHAN_AFTER_MS - 1000)], 'node-a');
    const [fresh] = await insertRawEnvelopes(region, [raw('fresh-a', Date.now())], 'node-a');
    const log = { error: () => {}, warn: () => {} } as never;
    const worker = new DigestWorker(t.db, { batchSize: 50, pollMs: 60_000, log, nodeId: 'node-b' });
    await worker.drain();
    const pending = await region
      .selectFrom('raw_envelopes')
      .select('id')
      .where('digest_error', 'is', null)
      .execute();
    expect(pending.map((r) => r.id)).toEqual([fresh]);
    expect(worker.digested).toBe(1);
    await deleteRawEnvelopes(region, [fresh as number]);
  });

  it('digests a queue longer than a batch in one run, without waiting for the next poll', async () => {
    const region = t.db.region;
    await insertRawEnvelopes(
      region,
      [raw('a', now), raw('b', now), raw('c', now), raw('d', now), raw('e', now)],
      'node-a',
    );
    const log = { error: () => {}, warn: () => {} } as never;
    // Batches of 2 and a poll a minute away: only going on after a full batch digests all five.
    const worker = new DigestWorker(t.db, { batchSize: 2, pollMs: 60_000, log, nodeId: 'node-a' });
    worker.start();
    try {
      await waitFor(() => worker.digested >= 5, { timeoutMs: 10_000, what: 'five envelopes digested' });
    } finally {
      await worker.stop();
    }
    expect(worker.digested).toBe(5);
    expect(await countRawEnvelopes(region)).toBe(0);
  });
});
