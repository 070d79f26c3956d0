import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { apiGet, makeSdkProject, poll, type SdkProject, waitForDigest } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Sentry's HTTP check-ins, as a job that has only curl sends them, against a listening Errata:
// `GET|POST /api/<project>/cron/<monitor slug>/<public key>/`, read back through the crons API.
// What Sentry would refuse is a 400 with a detail, and nothing of it is stored.

interface ApiCheckIn {
  id: string;
  status: string;
  environment: string;
  duration: number | null;
}

describe.each(TEST_ENGINES)('HTTP check-ins against Errata on %s', (engine) => {
  let t: TestServer;
  let p: SdkProject;
  let other: SdkProject;
  let publicKey: string;

  beforeAll(async () => {
    t = await startTestServer(engine);
    p = await makeSdkProject(t, 'http-crons', ['org:read', 'project:read', 'alerts:read']);
    other = await makeSdkProject(t, 'other-crons');
    publicKey = new URL(p.dsn).username;
  });
  afterAll(() => t?.close());

  const cronUrl = (slug: string, key = publicKey, projectId = p.projectId) =>
    `${t.url}/api/${projectId}/cron/${slug}/${key}/`;
  /** A request as curl sends it: `curl "<url>?status=ok"`, or `curl -X POST -H 'Content-Type: application/json' -d …`. */
  const send = async (url: string, init: { method?: string; json?: unknown; body?: string } = {}) => {
    const body = init.json === undefined ? init.body : JSON.stringify(init.json);
    const response = await fetch(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, text: await response.text() };
  };
  const checkIns = async (slug: string) => {
    await waitForDigest(t);
    const { status, body } = await apiGet<ApiCheckIn[]>(
      t,
      p,
      `organizations/${p.org}/monitors/${slug}/checkins/`,
    );
    return status === 200 ? [...body].reverse() : status;
  };
  const CONFIG = { schedule: { type: 'crontab', value: '0 * * * *' }, checkin_margin: 5, max_runtime: 10 };

  it('creates the monitor from a POSTed config, and closes a run without an id by GET', async () => {
    const started = await send(cronUrl('curl-job'), {
      json: { status: 'in_progress', environment: 'dev', monitor_config: CONFIG },
    });
    expect(started).toEqual({ status: 202, text: '' });
    const ended = await send(`${cronUrl('curl-job')}?status=ok&environment=dev&duration=2.5`);
    expect(ended).toEqual({ status: 202, text: '' });
    const runs = await checkIns('curl-job');
    expect(runs).toMatchObject([{ status: 'ok', environment: 'dev', duration: 2500 }]);
    const { body: monitor } = await apiGet<{ config: Record<string, unknown> }>(
      t,
      p,
      `projects/${p.org}/${p.project}/monitors/curl-job/`,
    );
    expect(monitor.config).toMatchObject({
      schedule_type: 'crontab',
      schedule: '0 * * * *',
      checkin_margin: 5,
    });
  });

  it('keeps each heartbeat as a run of its own, and follows a run by its check_in_id', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await send(`${cronUrl('curl-job')}?status=ok&environment=dev`)).status).toBe(202);
    }
    const id = crypto.randomUUID();
    expect((await send(`${cronUrl('curl-job')}?check_in_id=${id}&status=in_progress`)).status).toBe(202);
    expect(
      (await send(`${cronUrl('curl-job')}?check_in_id=${id}&status=error`, { method: 'POST' })).status,
    ).toBe(202);
    const runs = await checkIns('curl-job');
    expect(Array.isArray(runs) && runs.map((r) => [r.status, r.environment])).toEqual([
      ['ok', 'dev'],
      ['ok', 'dev'],
      ['ok', 'dev'],
      ['error', 'production'],
    ]);
    expect(Array.isArray(runs) && runs.at(-1)?.id).toBe(id.replaceAll('-', ''));
  });

  it('takes the key from the request auth when the path names none', async () => {
    const url = `${t.url}/api/${p.projectId}/cron/curl-job/`;
    expect((await send(`${url}?sentry_key=${publicKey}&status=ok`)).status).toBe(202);
    const header = await fetch(`${url}?status=ok`, {
      headers: { 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${publicKey}` },
    });
    expect(header.status).toBe(202);
    const runs = await checkIns('curl-job');
    expect(Array.isArray(runs) && runs.slice(-2).map((r) => r.environment)).toEqual([
      'production',
      'production',
    ]);
    expect((await send(`${url}?status=ok`)).status).toBe(401);
  });

  it.each([
    ['an unknown status', () => `${cronUrl('refused')}?status=paused`, undefined, /unknown status "paused"/],
    ['no status', () => cronUrl('refused'), undefined, /status is required/],
    ['a slug of 200 characters', () => `${cronUrl('x'.repeat(200))}?status=ok`, undefined, /longer than 50/],
    [
      'a duration that is no number',
      () => `${cronUrl('refused')}?status=ok&duration=soon`,
      undefined,
      /duration/,
    ],
    [
      'a malformed check_in_id',
      () => `${cronUrl('refused')}?status=ok&check_in_id=42`,
      undefined,
      /check_in_id/,
    ],
    [
      'an invalid schedule',
      () => cronUrl('refused'),
      { status: 'ok', monitor_config: { schedule: { type: 'crontab', value: '* * *' } } },
      /not a five-field crontab/,
    ],
    [
      'an unknown time zone',
      () => cronUrl('refused'),
      { status: 'ok', monitor_config: { ...CONFIG, timezone: 'Nowhere/City' } },
      /not a valid time zone/,
    ],
    ['a body that is not JSON', () => cronUrl('refused'), '{"status": ', /not JSON/],
  ])('refuses %s with a 400 and stores nothing', async (_, url, body, detail) => {
    const before = await checkIns('curl-job');
    const answer = await send(url(), typeof body === 'string' ? { body } : { json: body });
    expect(answer.status).toBe(400);
    expect((JSON.parse(answer.text) as { detail: string }).detail).toMatch(detail);
    expect(await checkIns('refused')).toBe(404);
    expect(await checkIns('curl-job')).toEqual(before);
  });

  it("refuses a key that is unknown or another project's with a 403", async () => {
    const wrong = await send(`${cronUrl('curl-job', 'f'.repeat(32))}?status=ok`);
    expect(wrong.status).toBe(403);
    const othersKey = new URL(other.dsn).username;
    expect((await send(`${cronUrl('curl-job', othersKey)}?status=ok`)).status).toBe(403);
    const runs = await poll('the runs so far', async () => {
      const list = await checkIns('curl-job');
      return Array.isArray(list) ? list : undefined;
    });
    expect(runs).toHaveLength(6);
  });
});
