import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEnvelope } from '../../test/ingest/support.js';
import { joinTestDatabase, TEST_ENGINES } from '../../test/support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../../test/support/harness.js';
import { serializeEnvelope } from '../protocol/envelope.js';
import { CronClock } from './cron-clock.js';

// The cron clock on a moved clock: check-ins go in through ingest and digest at the time the test
// sets, and the clock ticks at that time, so minutes pass without waiting.

const at = (iso: string) => Date.parse(iso);
const log = { warn: () => {} };

describe.each(TEST_ENGINES)('cron clock (%s)', (engine) => {
  let h: Harness;
  let now = at('2026-12-01T10:00:30Z');
  let token: string;
  let project: { id: number; slug: string };
  let orgSlug: string;
  let publicKey: string;
  let clock: CronClock;
  let runId = 0;

  beforeAll(async () => {
    h = await createHarness(engine, {}, { now: () => now });
    const owner = await makeUser(h.ctx);
    const made = await makeOrg(h.ctx, owner);
    const { project: p, key } = await makeProject(h.ctx, made.org, made.team);
    project = p;
    orgSlug = made.org.slug;
    publicKey = key.publicKey;
    token = await makeToken(h.ctx, owner, ['org:read', 'project:read', 'event:read', 'alerts:read']);
    clock = new CronClock(h.ctx.db, { now: () => now, pollMs: 60_000, log });
  });
  afterAll(async () => {
    await clock?.stop();
    await h?.close();
  });

  const checkIn = async (payload: Record<string, unknown>) => {
    const body = serializeEnvelope({ headers: {}, items: [{ headers: { type: 'check_in' }, payload }] });
    expect((await postEnvelope(h, project.id, publicKey, body)).statusCode).toBe(200);
    await h.worker.drain();
  };
  const newRunId = () => (++runId).toString(16).padStart(32, '0');
  const runsOf = async (slug: string) => {
    const res = await h.request({
      method: 'GET',
      url: `/api/0/organizations/${orgSlug}/monitors/${slug}/checkins/`,
      token,
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { status: string; expectedTime: string | null }[]).reverse();
  };
  const issuesOf = async (slug: string) => {
    const res = await h.request({
      method: 'GET',
      url: `/api/0/projects/${orgSlug}/${project.slug}/issues/?query=&statsPeriod=`,
      token,
    });
    return (res.json() as { title: string; status: string; count: string }[]).filter(
      (i) => i.title === `Cron failure: ${slug}`,
    );
  };

  it('marks a missed run after its margin, opens the issue at the threshold and resolves it on recovery', async () => {
    now = at('2026-12-01T10:00:30Z');
    const config = {
      schedule: { type: 'crontab', value: '*/10 * * * *' },
      checkin_margin: 5,
      failure_issue_threshold: 2,
      recovery_threshold: 2,
    };
    await checkIn({
      check_in_id: newRunId(),
      monitor_slug: 'nightly-backup',
      status: 'ok',
      monitor_config: config,
    });

    now = at('2026-12-01T10:14:59Z');
    expect(await clock.tick()).toEqual({ missed: 0, timeouts: 0 });
    now = at('2026-12-01T10:15:00Z');
    expect(await clock.tick()).toEqual({ missed: 1, timeouts: 0 });
    expect(await clock.tick()).toEqual({ missed: 0, timeouts: 0 });
    await h.worker.drain();
    expect((await runsOf('nightly-backup')).map((r) => [r.status, r.expectedTime])).toEqual([
      ['ok', null],
      ['missed', '2026-12-01T10:10:00.000Z'],
    ]);
    // One failure of two: no issue yet.
    expect(await issuesOf('nightly-backup')).toEqual([]);

    now = at('2026-12-01T10:25:00Z');
    expect(await clock.tick()).toEqual({ missed: 1, timeouts: 0 });
    await h.worker.drain();
    expect(await issuesOf('nightly-backup')).toMatchObject([{ status: 'unresolved', count: '1' }]);

    now = at('2026-12-01T10:30:05Z');
    await checkIn({ check_in_id: newRunId(), monitor_slug: 'nightly-backup', status: 'ok' });
    expect(await issuesOf('nightly-backup')).toMatchObject([{ status: 'unresolved' }]);
    now = at('2026-12-01T10:40:05Z');
    await checkIn({ check_in_id: newRunId(), monitor_slug: 'nightly-backup', status: 'ok' });
    expect(await issuesOf('nightly-backup')).toMatchObject([{ status: 'resolved' }]);
    expect((await runsOf('nightly-backup')).map((r) => r.status)).toEqual([
      'ok',
      'missed',
      'missed',
      'ok',
      'ok',
    ]);
  });

  it('times out a run in progress past its maximum runtime, once, and a late close leaves it timed out', async () => {
    now = at('2026-12-02T08:00:00Z');
    const id = newRunId();
    await checkIn({
      check_in_id: id,
      monitor_slug: 'slow-export',
      status: 'in_progress',
      monitor_config: { schedule: { type: 'interval', value: 1, unit: 'day' }, max_runtime: 3 },
    });
    now = at('2026-12-02T08:02:59Z');
    expect((await clock.tick()).timeouts).toBe(0);
    now = at('2026-12-02T08:03:00Z');
    expect((await clock.tick()).timeouts).toBe(1);
    expect((await clock.tick()).timeouts).toBe(0);
    await h.worker.drain();
    expect(await issuesOf('slow-export')).toMatchObject([{ status: 'unresolved', count: '1' }]);
    await checkIn({ check_in_id: id, monitor_slug: 'slow-export', status: 'ok', duration: 200 });
    expect((await runsOf('slow-export')).map((r) => r.status)).toEqual(['timeout']);
  });

  it('marks a missed run once when two clocks on one database tick together', async () => {
    now = at('2026-12-03T00:00:10Z');
    await checkIn({
      check_in_id: newRunId(),
      monitor_slug: 'every-minute',
      status: 'ok',
      monitor_config: { schedule: { type: 'crontab', value: '* * * * *' }, checkin_margin: 1 },
    });
    // The other monitors' overdue runs are marked first, so that only this one is due below.
    now = at('2026-12-03T00:00:30Z');
    await clock.tick();
    const other = joinTestDatabase(h.database);
    const second = new CronClock(other.db, { now: () => now, pollMs: 60_000, log });
    try {
      now = at('2026-12-03T00:02:00Z');
      const ticks = await Promise.all([clock.tick(), second.tick(), clock.tick(), second.tick()]);
      expect(ticks.reduce((sum, t) => sum + t.missed, 0)).toBe(1);
      expect((await runsOf('every-minute')).map((r) => r.status)).toEqual(['ok', 'missed']);
    } finally {
      await second.stop();
      await other.drop();
    }
  });
});
