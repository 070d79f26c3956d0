import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestEnvelope } from '../../src/digest/digest-envelope.js';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { kyselyRawQueue } from '../../src/store/region/raw-queue.js';
import { postEnvelope } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { createHarness, type Harness, makeOrg, makeProject, makeUser } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

// A new monitor's first run, as Sentry.withMonitor sends it: an in_progress check-in that carries
// the monitor's config, then the run's close, which carries none. On PostgreSQL two digest
// transactions may hold the two at once; the close must wait for the monitor its run's first
// check-in makes, not be dropped as a check-in of an unknown monitor. SQLite digests one batch at
// a time, in queue order, so there the two simply follow each other.

const RUN = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const checkIn = (payload: Record<string, unknown>) =>
  serializeEnvelope({ headers: {}, items: [{ headers: { type: 'check_in' }, payload }] });
const started = checkIn({
  check_in_id: RUN,
  monitor_slug: 'first-run',
  status: 'in_progress',
  environment: 'production',
  monitor_config: { schedule: { type: 'crontab', value: '0 * * * *' }, checkin_margin: 2, max_runtime: 3 },
});
const closed = checkIn({
  check_in_id: RUN,
  monitor_slug: 'first-run',
  status: 'ok',
  duration: 0.5,
  environment: 'production',
});

describe.each(TEST_ENGINES)('a new monitor first run digested at once (%s)', (engine) => {
  let h: Harness;
  let project: { id: number };
  let publicKey: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    const owner = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, owner);
    const made = await makeProject(h.ctx, org, team);
    project = made.project;
    publicKey = made.key.publicKey;
  });
  afterAll(async () => {
    await h?.close();
  });

  const runs = () =>
    h.ctx.db.region
      .selectFrom('check_ins')
      .select(['check_in_id', 'status', 'duration'])
      .where('project_id', '=', project.id)
      .execute();

  it('closes the run whose first check-in another transaction is still digesting', async () => {
    for (const body of [started, closed]) {
      expect((await postEnvelope(h, project.id, publicKey, body)).statusCode).toBe(200);
    }
    const db = h.ctx.db.region;
    if (engine !== 'postgres') {
      await h.worker.drain();
      expect(await runs()).toEqual([{ check_in_id: RUN, status: 'ok', duration: 500 }]);
      return;
    }
    // Digest the first check-in in a transaction of its own and hold it open, as a second digest
    // loop (or node) would, while the worker takes the close.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first = (_xid: string) => {};
    const digestedFirst = new Promise<string>((resolve) => {
      first = resolve;
    });
    const holder = db.transaction().execute(async (trx) => {
      const queue = kyselyRawQueue(trx, engine);
      const [raw] = await queue.claim(1);
      if (!raw) throw new Error('nothing queued');
      await digestEnvelope(trx, engine, raw, []);
      // Its transaction id: what a transaction waiting for its rows waits on.
      const own = await sql<{ xid: string }>`select transactionid::text as xid from pg_locks
        where locktype = 'transactionid' and pid = pg_backend_pid() and granted`.execute(trx);
      first(own.rows[0]?.xid as string);
      await held;
      await queue.delete([raw.id]);
    });
    const xid = await digestedFirst;
    let drained = false;
    const draining = h.worker.drain().then(() => {
      drained = true;
    });
    // The worker either waits for the held envelope (a lock not granted) or is done without it.
    await waitFor(
      async () => {
        if (drained) return true;
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_locks
          where locktype = 'transactionid' and transactionid::text = ${xid} and not granted`.execute(db);
        return (waiting.rows[0]?.n ?? 0) > 0 ? true : undefined;
      },
      { what: 'the worker to wait for the first check-in or finish', timeoutMs: 15_000 },
    );
    release();
    await holder;
    await draining;
    expect(await runs()).toEqual([{ check_in_id: RUN, status: 'ok', duration: 500 }]);
  });
});
