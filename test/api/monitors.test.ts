import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { postEnvelope } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';

// Monitors through the API and through check-ins: a check-in's config creates the monitor the API
// reads; what Sentry would refuse, at ingest or in the API, is a 400 that stores nothing.

describe.each(TEST_ENGINES)('monitors on %s', (engine) => {
  let h: Harness;
  let token: string;
  let issueToken: string;
  let projectId: number;
  let publicKey: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    const owner = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, owner, 'crons');
    const made = await makeProject(h.ctx, org, team, 'jobs');
    projectId = made.project.id;
    publicKey = made.key.publicKey;
    token = await makeToken(h.ctx, owner, ['org:read', 'project:read', 'alerts:write']);
    issueToken = await makeToken(h.ctx, owner, ['project:read', 'event:read', 'event:write']);
  });
  afterAll(() => h?.close());

  const checkIn = (payload: Record<string, unknown>) =>
    postEnvelope(
      h,
      projectId,
      publicKey,
      serializeEnvelope({ headers: {}, items: [{ headers: { type: 'check_in' }, payload }] }),
    );
  const valid = {
    check_in_id: 'a'.repeat(32),
    monitor_slug: 'Nightly Backup',
    status: 'in_progress',
    monitor_config: { schedule: { type: 'interval', value: 6, unit: 'hour' }, timezone: 'Asia/Tokyo' },
  };
  const get = (url: string) => h.request({ method: 'GET', url: `/api/0${url}`, token });

  it('a check-in with a config creates the monitor under its slug, read at both levels', async () => {
    expect((await checkIn(valid)).statusCode).toBe(200);
    await h.worker.drain();
    const list = await get('/organizations/crons/monitors/');
    expect(list.json()).toMatchObject([
      {
        slug: 'nightly-backup',
        config: { schedule_type: 'interval', schedule: [6, 'hour'], timezone: 'Asia/Tokyo' },
        environments: [{ name: 'production', status: 'active' }],
      },
    ]);
    const one = await get('/projects/crons/jobs/monitors/nightly-backup/checkins/');
    expect(one.json()).toMatchObject([{ status: 'in_progress', environment: 'production', duration: null }]);
  });

  it.each([
    [
      'an invalid schedule',
      { monitor_config: { schedule: { type: 'crontab', value: '* * *' } } },
      /not a five-field crontab/,
    ],
    ['an unknown status', { status: 'paused' }, /unknown status "paused"/],
    [
      'a slug of 200 characters',
      { monitor_slug: 'x'.repeat(200) },
      /monitor_slug is longer than 50 characters/,
    ],
    [
      'an unknown time zone',
      { monitor_config: { schedule: { type: 'crontab', value: '0 * * * *' }, timezone: 'Nowhere/City' } },
      /not a valid time zone/,
    ],
  ])('a check-in with %s is a 400 and stores nothing', async (_, change, detail) => {
    const res = await checkIn({ ...valid, check_in_id: 'b'.repeat(32), monitor_slug: 'refused', ...change });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(detail);
    await h.worker.drain();
    expect((await get('/organizations/crons/monitors/refused/')).statusCode).toBe(404);
    const list = (await get('/organizations/crons/monitors/')).json() as { slug: string }[];
    expect(list.map((m) => m.slug)).toEqual(['nightly-backup']);
  });

  it('refuses a whole envelope whose check-in is bad, the event beside it too', async () => {
    const eventId = 'e'.repeat(32);
    const res = await postEnvelope(
      h,
      projectId,
      publicKey,
      serializeEnvelope({
        headers: { event_id: eventId },
        items: [
          { headers: { type: 'event' }, payload: { event_id: eventId, message: 'beside a bad check-in' } },
          {
            headers: { type: 'check_in' },
            payload: { ...valid, check_in_id: 'd'.repeat(32), monitor_slug: 'refused', status: 'paused' },
          },
        ],
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/unknown status "paused"/);
    await h.worker.drain();
    const stored = await h.ctx.db.region
      .selectFrom('events')
      .select('event_id')
      .where('event_id', '=', eventId)
      .execute();
    expect(stored).toEqual([]);
    expect((await get('/organizations/crons/monitors/refused/')).statusCode).toBe(404);
  });

  it('creates, changes, disables and deletes a monitor through the API', async () => {
    const made = await h.request({
      method: 'POST',
      url: '/api/0/organizations/crons/monitors/',
      token,
      payload: {
        project: 'jobs',
        name: 'Hourly Sync',
        config: { schedule_type: 'crontab', schedule: '@hourly' },
      },
    });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({
      slug: 'hourly-sync',
      status: 'active',
      config: { schedule: '@hourly' },
    });
    const put = await h.request({
      method: 'PUT',
      url: '/api/0/projects/crons/jobs/monitors/hourly-sync/',
      token,
      payload: { status: 'disabled', config: { schedule_type: 'interval', schedule: [30, 'minute'] } },
    });
    expect(put.json()).toMatchObject({ status: 'disabled', config: { schedule: [30, 'minute'] } });
    // A disabled monitor takes no check-ins.
    expect(
      (await checkIn({ ...valid, check_in_id: 'c'.repeat(32), monitor_slug: 'hourly-sync' })).statusCode,
    ).toBe(200);
    await h.worker.drain();
    expect((await get('/organizations/crons/monitors/hourly-sync/checkins/')).json()).toEqual([]);
    const deleted = await h.request({
      method: 'DELETE',
      url: '/api/0/organizations/crons/monitors/hourly-sync/',
      token,
    });
    expect(deleted.statusCode).toBe(202);
    expect((await get('/organizations/crons/monitors/hourly-sync/')).statusCode).toBe(404);
  });

  describe('deleting a monitor whose job is failing', () => {
    const failing = async (slug: string, environment: string) => {
      const res = await checkIn({
        check_in_id: crypto.randomUUID().replaceAll('-', ''),
        monitor_slug: slug,
        status: 'error',
        environment,
        monitor_config: { schedule: { type: 'crontab', value: '0 * * * *' }, failure_issue_threshold: 1 },
      });
      expect(res.statusCode).toBe(200);
    };
    /** The monitor's issues by environment: their status, and how many events each keeps. */
    const issuesOf = async (slug: string) => {
      await h.worker.drain();
      const res = await h.request({
        method: 'GET',
        url: '/api/0/projects/crons/jobs/issues/?query=&statsPeriod=',
        token: issueToken,
      });
      const issues = (res.json() as { id: string; title: string; status: string; count: string }[]).filter(
        (i) => i.title === `Cron failure: ${slug}`,
      );
      const out: Record<string, [string, string, string]> = {};
      for (const issue of issues) {
        const tags = await h.request({
          method: 'GET',
          url: `/api/0/issues/${issue.id}/tags/environment/values/`,
          token: issueToken,
        });
        const environment = (tags.json() as { value: string }[])[0]?.value as string;
        out[environment] = [issue.id, issue.status, issue.count];
      }
      return out;
    };
    const remove = (url: string) => h.request({ method: 'DELETE', url: `/api/0${url}`, token });

    it('resolves the open issue of each environment it deletes, and keeps the events', async () => {
      await failing('broken-sync', 'prod');
      await failing('broken-sync', 'staging');
      const before = await issuesOf('broken-sync');
      expect(Object.values(before).map(([, status, count]) => [status, count])).toEqual([
        ['unresolved', '1'],
        ['unresolved', '1'],
      ]);

      expect(
        (await remove('/organizations/crons/monitors/broken-sync/?environment=staging')).statusCode,
      ).toBe(202);
      expect(await issuesOf('broken-sync')).toEqual({
        prod: before.prod,
        staging: [before.staging?.[0], 'resolved', '1'],
      });

      expect((await remove('/projects/crons/jobs/monitors/broken-sync/')).statusCode).toBe(202);
      expect(await issuesOf('broken-sync')).toEqual({
        prod: [before.prod?.[0], 'resolved', '1'],
        staging: [before.staging?.[0], 'resolved', '1'],
      });
    });

    it('leaves an issue the user ignored as it is', async () => {
      await failing('ignored-sync', 'prod');
      const issueId = (await issuesOf('ignored-sync')).prod?.[0] as string;
      const ignored = await h.request({
        method: 'PUT',
        url: `/api/0/projects/crons/jobs/issues/?id=${issueId}`,
        token: issueToken,
        payload: { status: 'ignored' },
      });
      expect(ignored.statusCode).toBe(200);
      expect((await remove('/organizations/crons/monitors/ignored-sync/')).statusCode).toBe(202);
      expect(await issuesOf('ignored-sync')).toEqual({ prod: [issueId, 'ignored', '1'] });
    });
  });
});
