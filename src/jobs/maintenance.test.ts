import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../test/support/engines.js';
import { makeUser, testConfig } from '../../test/support/harness.js';
import { RecordingMailer } from '../../test/support/mail.js';
import { waitFor } from '../../test/support/wait.js';
import { insertSession } from '../store/control/sessions.js';
import { incrementRateCounter } from '../store/region/rate-counters.js';
import { startMaintenance } from './maintenance.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The maintenance clock: fixed, so that what is expired does not depend on how long a step takes. */
const NOW = Date.UTC(2026, 0, 15, 12);

describe.each(TEST_ENGINES)('maintenance on %s', (engine) => {
  let t: TestDatabase;
  let userId: number;
  const warnings: unknown[] = [];
  const log = { warn: (o: unknown) => warnings.push(o) };

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    userId = (
      await makeUser({ db: t.db, config: testConfig(), mailer: new RecordingMailer(), now: () => Date.now() })
    ).id;
  });
  afterAll(() => t.drop());
  // Only the interval timer is simulated: the database's own timers stay real.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    warnings.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  const session = (name: string, expiresAt: number) =>
    insertSession(t.db.control, { sessionHash: name, userId, csrfToken: 'csrf', now: NOW - DAY, expiresAt });
  const sessions = async () =>
    (await t.db.control.selectFrom('sessions').select('session_hash').orderBy('session_hash').execute()).map(
      (r) => r.session_hash,
    );
  const windows = async () =>
    (await t.db.region.selectFrom('rate_counters').select('bucket').orderBy('bucket').execute()).map(
      (r) => r.bucket,
    );

  it('every ten minutes deletes expired sessions and rate windows over two days old, and nothing else', async () => {
    await session('expired', NOW - 1);
    await session('expires-now', NOW);
    await session('live', NOW + 1);
    // A key's rate window is at most a day: one that started within two days may still be counting.
    await incrementRateCounter(t.db.region, 'old', NOW - 2 * DAY - 1);
    await incrementRateCounter(t.db.region, 'two-days', NOW - 2 * DAY);
    await incrementRateCounter(t.db.region, 'yesterday', NOW - DAY);
    await incrementRateCounter(t.db.region, 'current', NOW);
    const stop = startMaintenance(t.db, () => NOW, log);
    try {
      // Not at start: serve does not delay its start for housekeeping.
      await vi.advanceTimersByTimeAsync(10 * MINUTE - 1);
      expect(await sessions()).toEqual(['expired', 'expires-now', 'live']);
      await vi.advanceTimersByTimeAsync(1);
      await waitFor(async () => (await windows()).length === 3 && (await sessions()).length === 1, {
        what: 'the first maintenance run',
      });
      expect(await sessions()).toEqual(['live']);
      expect(await windows()).toEqual(['current', 'two-days', 'yesterday']);

      // And again ten minutes later, for what expired meanwhile.
      await session('expired-later', NOW - 1);
      await vi.advanceTimersByTimeAsync(10 * MINUTE);
      await waitFor(async () => (await sessions()).length === 1, { what: 'the second maintenance run' });
      expect(await sessions()).toEqual(['live']);
      expect(warnings).toEqual([]);
    } finally {
      stop();
    }
  });

  it('runs no more once stopped', async () => {
    const stop = startMaintenance(t.db, () => NOW, log);
    stop();
    await session('expired-after-stop', NOW - 1);
    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    // Nothing to wait for: a run would have begun when the timer fired; give it time to finish.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sessions()).toContain('expired-after-stop');
  });

  it('logs a warning when a run fails, and the process carries on', async () => {
    const gone = await openTestDatabase(engine);
    await gone.drop();
    const stop = startMaintenance(gone.db, () => NOW, log);
    try {
      await vi.advanceTimersByTimeAsync(10 * MINUTE);
      await waitFor(() => warnings.length > 0, { what: 'a warning' });
      await vi.advanceTimersByTimeAsync(10 * MINUTE);
      await waitFor(() => warnings.length > 1, { what: 'a second warning' });
    } finally {
      stop();
    }
  });
});
