import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { serializeEnvelope } from '../../protocol/envelope.js';
import { findCheckIns } from '../../store/region/check-ins.js';

const CHECK_IN_ID = 'f00dbabef00dbabef00dbabef00dbabe';

const envelope = (...checkIns: unknown[]) =>
  serializeEnvelope({
    headers: {},
    items: checkIns.map((payload) => ({ headers: { type: 'check_in' }, payload: payload as object })),
  });

// The shapes sentry-cli `monitors run` and @sentry/node send (clients.md §2.5, §3).
const inProgress = {
  check_in_id: CHECK_IN_ID,
  monitor_slug: 'nightly-cron',
  status: 'in_progress',
  environment: 'production',
  monitor_config: {
    schedule: { type: 'crontab', value: '*/5 * * * *' },
    checkin_margin: 2,
    max_runtime: 3,
    timezone: 'UTC',
  },
};
const finished = { check_in_id: CHECK_IN_ID, monitor_slug: 'nightly-cron', status: 'ok', duration: 0.0007 };

describe.each(TEST_ENGINES)('check-in digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  it('stores a run as in progress, then finishes it with the duration in milliseconds', async () => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(inProgress));
    expect(await findCheckIns(world.db, projectId)).toMatchObject([
      {
        checkInId: CHECK_IN_ID,
        monitorSlug: 'nightly-cron',
        status: 'in_progress',
        duration: null,
        environment: 'production',
      },
    ]);

    await digestBody(world, projectId, envelope(finished), { receivedAt: FIXTURE_RECEIVED_AT + 1000 });
    const [run, ...more] = await findCheckIns(world.db, projectId, 'nightly-cron');
    expect(more).toHaveLength(0);
    expect(run).toMatchObject({
      checkInId: CHECK_IN_ID,
      status: 'ok',
      environment: 'production',
      dateCreated: FIXTURE_RECEIVED_AT,
      data: finished,
    });
    expect(run!.duration).toBeCloseTo(0.7, 9);
  });

  it('keeps runs of other monitors and other ids apart', async () => {
    const projectId = await world.newProject();
    const other = '0123456789abcdef0123456789abcdef';
    await digestBody(
      world,
      projectId,
      envelope(
        inProgress,
        { ...inProgress, monitor_slug: 'hourly' },
        { ...finished, check_in_id: other, status: 'error', duration: 2 },
      ),
    );
    const runs = await findCheckIns(world.db, projectId);
    expect(runs.map((r) => [r.monitorSlug, r.checkInId, r.status, r.duration])).toEqual([
      ['nightly-cron', CHECK_IN_ID, 'in_progress', null],
      ['hourly', CHECK_IN_ID, 'in_progress', null],
      ['nightly-cron', other, 'error', 2000],
    ]);
  });

  it.each([
    [
      'a dashed check-in id',
      { ...finished, check_in_id: 'f00dbabe-f00d-babe-f00d-babef00dbabe' },
      { checkInId: CHECK_IN_ID },
    ],
    ['an unknown status', { ...finished, status: 'weird' }, { status: 'unknown' }],
    ['an upper-case status', { ...finished, status: 'ERROR' }, { status: 'error' }],
    ['a negative duration', { ...finished, duration: -1 }, { duration: null }],
    ['no environment', finished, { environment: null }],
  ])('reads a check-in with %s', async (_, payload, want) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(payload));
    expect(await findCheckIns(world.db, projectId)).toMatchObject([want]);
  });

  it.each([
    ['bad JSON', '{"check_in_id":'],
    ['no check-in id', { ...finished, check_in_id: undefined }],
    ['a check-in id that is not a UUID', { ...finished, check_in_id: 'run-1' }],
    ['no monitor slug', { ...finished, monitor_slug: '' }],
    ['no status', { ...finished, status: undefined }],
  ])('skips a check-in with %s', async (_, payload) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(payload));
    expect(await countRows(world, 'check_ins', projectId)).toBe(0);
  });
});
