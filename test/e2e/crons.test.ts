import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { apiGet, DRIVERS, makeSdkProject, poll, type SdkProject } from '../support/sdk.js';
import { run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// Real clients against a listening Errata: sentry-cli `monitors run` (success and failure) and
// `monitors list`, and @sentry/node's Sentry.withMonitor. What they sent is read back through the
// crons API.

interface ApiCheckIn {
  status: string;
  environment: string;
  duration: number | null;
}
interface ApiMonitor {
  slug: string;
  config: Record<string, unknown>;
  environments: { name: string; status: string; nextCheckIn: string | null }[];
}

describe.each(TEST_ENGINES)('crons against Errata on %s', (engine) => {
  let t: TestServer;
  let p: SdkProject;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'errata-crons-'));
    t = await startTestServer(engine);
    p = await makeSdkProject(t, 'crons', ['org:read', 'project:read', 'event:read', 'alerts:read']);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** The monitor's check-ins, oldest first, once there are `count` finished ones. */
  const finishedCheckIns = (slug: string, count: number) =>
    poll(`${count} finished check-ins of ${slug}`, async () => {
      const { status, body } = await apiGet<ApiCheckIn[]>(
        t,
        p,
        `organizations/${p.org}/monitors/${slug}/checkins/`,
      );
      if (status !== 200) return undefined;
      const finished = body.filter((c) => c.status !== 'in_progress');
      return finished.length === count && body.length === count ? [...body].reverse() : undefined;
    });

  const monitorsRun = (slug: string, command: string) =>
    run(
      SENTRY_CLI,
      [
        'monitors',
        'run',
        '-s',
        '*/5 * * * *',
        '--check-in-margin',
        '2',
        '-e',
        'nightly',
        slug,
        '--',
        command,
      ],
      {
        env: { SENTRY_DSN: p.dsn, HOME: home, SENTRY_LOG_LEVEL: 'warn' },
        timeoutMs: 30_000,
      },
    );

  it('sentry-cli monitors run creates the monitor and records a success and a failure', async () => {
    const ok = await monitorsRun('cli-job', 'true');
    expect(ok.code, ok.stderr).toBe(0);
    const failed = await monitorsRun('cli-job', 'false');
    expect(failed.code).toBe(1);
    const checkIns = await finishedCheckIns('cli-job', 2);
    expect(checkIns.map((c) => [c.status, c.environment])).toEqual([
      ['ok', 'nightly'],
      ['error', 'nightly'],
    ]);
    expect(checkIns.every((c) => typeof c.duration === 'number' && c.duration >= 0)).toBe(true);
    const { body: monitor } = await apiGet<ApiMonitor>(
      t,
      p,
      `projects/${p.org}/${p.project}/monitors/cli-job/`,
    );
    expect(monitor.config).toMatchObject({
      schedule_type: 'crontab',
      schedule: '*/5 * * * *',
      checkin_margin: 2,
    });
    expect(monitor.environments).toMatchObject([{ name: 'nightly', status: 'error' }]);
    expect(Date.parse(monitor.environments[0]?.nextCheckIn as string) % 300_000).toBe(0);
  });

  it('sentry-cli monitors list shows the organization monitors', async () => {
    await poll('the monitor cli-job', async () =>
      (await apiGet(t, p, `organizations/${p.org}/monitors/cli-job/`)).status === 200 ? true : undefined,
    );
    const listed = await run(SENTRY_CLI, ['monitors', 'list', '-o', p.org], {
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: p.token, HOME: home, SENTRY_LOG_LEVEL: 'warn' },
      timeoutMs: 30_000,
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/cli-job/);
    expect(listed.stdout).toMatch(/active/);
  });

  it('@sentry/node Sentry.withMonitor records an ok and an error run with its config', async () => {
    for (const outcome of ['ok', 'error']) {
      const result = await run(
        process.execPath,
        [path.join(DRIVERS, 'node-crons.mjs'), 'node-job', outcome],
        {
          env: { SENTRY_DSN: p.dsn },
          timeoutMs: 30_000,
        },
      );
      expect(result.code, result.stderr).toBe(0);
    }
    const checkIns = await finishedCheckIns('node-job', 2);
    expect(checkIns.map((c) => [c.status, c.environment])).toEqual([
      ['ok', 'e2e'],
      ['error', 'e2e'],
    ]);
    const { body: monitor } = await apiGet<ApiMonitor>(t, p, `organizations/${p.org}/monitors/node-job/`);
    expect(monitor.config).toMatchObject({
      schedule: '0 * * * *',
      checkin_margin: 2,
      max_runtime: 3,
      timezone: 'Europe/Berlin',
    });
  });
});
