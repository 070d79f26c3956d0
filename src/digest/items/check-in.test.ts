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

  const runsOf = (projectId: number) =>
    world.db
      .selectFrom('check_ins')
      .select([
        'monitor_slug',
        'check_in_id',
        'status',
        'duration',
        'environment',
        'date_created',
        'timeout_at',
      ])
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute();
  const environmentsOf = (projectId: number) =>
    world.db
      .selectFrom('monitor_environments')
      .innerJoin('monitors', 'monitors.id', 'monitor_environments.monitor_id')
      .select([
        'monitors.slug',
        'environment',
        'next_checkin',
        'next_checkin_latest',
        'last_checkin',
        'monitor_environments.status',
      ])
      .where('monitors.project_id', '=', projectId)
      .orderBy('monitor_environments.id')
      .execute();

  it('creates the monitor from its config, keeps the run in progress, then closes it', async () => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(inProgress));
    expect(await runsOf(projectId)).toMatchObject([
      {
        check_in_id: CHECK_IN_ID,
        monitor_slug: 'nightly-cron',
        status: 'in_progress',
        duration: null,
        environment: 'production',
        timeout_at: FIXTURE_RECEIVED_AT + 3 * 60_000,
      },
    ]);
    // Received 17:24:28: the next run of */5 is 17:25, missed after 17:27.
    const next = Date.parse('2026-11-28T17:25:00Z');
    expect(
      (await environmentsOf(projectId)).map((e) => ({ ...e, next_checkin: Number(e.next_checkin) })),
    ).toMatchObject([
      { slug: 'nightly-cron', environment: 'production', next_checkin: next, status: 'active' },
    ]);
    expect(Number((await environmentsOf(projectId))[0]?.next_checkin_latest)).toBe(next + 2 * 60_000);

    await digestBody(world, projectId, envelope(finished), { receivedAt: FIXTURE_RECEIVED_AT + 1000 });
    const runs = await runsOf(projectId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'ok', environment: 'production', timeout_at: null });
    expect(Number(runs[0]?.date_created)).toBe(FIXTURE_RECEIVED_AT);
    expect(runs[0]?.duration).toBeCloseTo(0.7, 9);
    expect((await environmentsOf(projectId))[0]?.status).toBe('ok');

    // A finished run is never reopened nor overwritten.
    await digestBody(world, projectId, envelope({ ...finished, status: 'error' }), {
      receivedAt: FIXTURE_RECEIVED_AT + 2000,
    });
    expect((await runsOf(projectId)).map((r) => r.status)).toEqual(['ok']);
  });

  it('keeps every run, per monitor and environment, and times a close without a duration', async () => {
    const projectId = await world.newProject();
    const other = '0123456789abcdef0123456789abcdef';
    await digestBody(
      world,
      projectId,
      envelope(
        inProgress,
        { ...inProgress, monitor_slug: 'hourly' },
        { ...inProgress, check_in_id: other, environment: 'staging' },
      ),
    );
    await digestBody(world, projectId, envelope({ ...finished, duration: undefined, status: 'error' }), {
      receivedAt: FIXTURE_RECEIVED_AT + 4000,
    });
    const runs = await runsOf(projectId);
    expect(runs.map((r) => [r.monitor_slug, r.check_in_id, r.status, r.environment, r.duration])).toEqual([
      ['nightly-cron', CHECK_IN_ID, 'error', 'production', 4000],
      ['hourly', CHECK_IN_ID, 'in_progress', 'production', null],
      ['nightly-cron', other, 'in_progress', 'staging', null],
    ]);
    expect((await environmentsOf(projectId)).map((e) => [e.slug, e.environment])).toEqual([
      ['nightly-cron', 'production'],
      ['hourly', 'production'],
      ['nightly-cron', 'staging'],
    ]);
  });

  it('files a check-in without an environment under production, with a dashed id', async () => {
    const projectId = await world.newProject();
    const { environment: _, ...noEnvironment } = inProgress;
    await digestBody(
      world,
      projectId,
      envelope({ ...noEnvironment, check_in_id: 'f00dbabe-f00d-babe-f00d-babef00dbabe' }),
    );
    expect(await runsOf(projectId)).toMatchObject([{ check_in_id: CHECK_IN_ID, environment: 'production' }]);
  });

  it.each([
    ['bad JSON', '{"check_in_id":'],
    ['no check-in id', { ...inProgress, check_in_id: undefined }],
    ['a check-in id that is not a UUID', { ...inProgress, check_in_id: 'run-1' }],
    ['no monitor slug', { ...inProgress, monitor_slug: '' }],
    ['no status', { ...inProgress, status: undefined }],
    ['an unknown status', { ...inProgress, status: 'weird' }],
    ['an unknown monitor and no config', finished],
  ])('skips a check-in with %s', async (_, payload) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(payload));
    expect(await countRows(world, 'check_ins', projectId)).toBe(0);
  });
});
