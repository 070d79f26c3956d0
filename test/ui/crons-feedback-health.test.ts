import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CronClock } from '../../src/jobs/cron-clock.js';
import { createOrgToken, DEFAULT_ORG_TOKEN_SCOPES } from '../../src/services/org-tokens.js';
import { formatPublicDsn } from '../../src/services/projects.js';
import { duration } from '../../src/ui/lib/monitors.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { DRIVERS, driverReports, poll, reported, SYSTEM_PYTHON, waitForDigest } from '../support/sdk.js';
import { run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The Crons, Feedback and release health pages in Debian's headless Chromium, on what real clients
// sent to a real listening Errata: sentry-cli `monitors run` and @sentry/node's withMonitor (a
// missed run marked by the cron clock on a moved clock), @sentry/node's captureFeedback and
// Python's user report, and @sentry/node sessions of two releases. The pages must show what was
// sent: schedules in words, states, timelines as long as the runs, feedback in order with its
// links, and the crash-free rates the test computes from the sessions it sent.

const PASSWORD = 'correct horse battery';
const HERE = path.dirname(new URL(import.meta.url).pathname);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

interface ApiMonitor {
  slug: string;
  environments: { name: string; nextCheckInLatest: string | null }[];
}
interface ApiCheckIn {
  status: string;
  duration: number | null;
  environment: string;
}
interface ApiIssue {
  id: string;
  title: string;
  shortId: string;
}

/** Each test runs several real clients one after the other: on a loaded machine that takes a while. */
const TEST_TIMEOUT_MS = 120_000;

/** Rounds a percentage as the pages do: at most two decimals. */
const pct = (part: number, whole: number) => `${Math.round((part / whole) * 10_000) / 100}%`;

describe.each(TEST_ENGINES)('crons, feedback and release health in the web UI on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  let home: string;
  const contexts: BrowserContext[] = [];
  const shot = (page: Page, name: string) =>
    screenshot(page, engine === 'sqlite' ? name : `${name}-${engine}`);

  /** 1280 and 390 px wide, light and dark. */
  async function shots(page: Page, name: string) {
    for (const [width, height, size] of [
      [1280, 900, 'wide'],
      [390, 844, 'narrow'],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await shot(page, `${name}-${size}-${scheme}`);
      }
      // Nothing may stick out sideways at 390 px but what scrolls in its own box.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** An owner with an organization of two projects, a browser page signed in as them, and an API. */
  async function world(name: string) {
    const ctx = t.server.ctx;
    const email = `${name}-owner@${engine}.test`;
    const owner = await makeUser(ctx, { email });
    const { org, team } = await makeOrg(ctx, owner, `${name}-${engine}`);
    const shop = await makeProject(ctx, org, team, 'shop');
    const worker = await makeProject(ctx, org, team, 'worker');
    const token = await makeToken(ctx, owner, [
      'org:read',
      'project:read',
      'project:write',
      'event:read',
      'event:write',
    ]);
    const { context, page } = await browser.newPage();
    contexts.push(context);
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);
    const api = async <T>(apiPath: string, init: RequestInit = {}): Promise<T> => {
      const response = await fetch(`${t.url}/api/0/${apiPath}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      const text = await response.text();
      expect(response.ok, `${apiPath}: ${response.status} ${text}`).toBe(true);
      return (text ? JSON.parse(text) : null) as T;
    };
    return {
      org,
      page,
      api,
      shop: { ...shop.project, dsn: formatPublicDsn(t.url, shop.key) },
      worker: { ...worker.project, dsn: formatPublicDsn(t.url, worker.key) },
      owner,
    };
  }

  const node = async (script: string, args: string[], dsn: string) => {
    const result = await run(process.execPath, [script, ...args], {
      env: { SENTRY_DSN: dsn },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'errata-crons-ui-'));
    // The server's own cron clock waits ten minutes before its first look: the test moves a clock
    // of its own, so the runs it marks are exactly the ones it expects.
    t = await startTestServer(engine, { ERRATA_CRON_CLOCK_POLL_MS: '600000' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await browser?.close();
    await t?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it(
    'Crons: every monitor with its schedule in words, state, next run, timeline and open issue',
    async () => {
      const { org, page, api, shop, worker } = await world('crons');
      const monitorsRun = async (command: string) =>
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
            'cli-job',
            '--',
            command,
          ],
          { env: { SENTRY_DSN: shop.dsn, HOME: home, SENTRY_LOG_LEVEL: 'warn' }, timeoutMs: 30_000 },
        );
      for (const command of ['true', 'true', 'false']) {
        const result = await monitorsRun(command);
        expect(result.code, result.stderr).toBe(command === 'true' ? 0 : 1);
      }
      const sendMonitor = path.join(HERE, 'send-monitor.mjs');
      const hourly = JSON.stringify({ type: 'crontab', value: '0 * * * *' });
      await node(sendMonitor, ['node-job', 'ok', 'e2e', hourly], worker.dsn);
      await node(sendMonitor, ['node-job', 'error', 'e2e', hourly], worker.dsn);
      const everyTwoHours = JSON.stringify({ type: 'interval', value: 2, unit: 'hour' });
      await node(sendMonitor, ['interval-job', 'ok', 'e2e', everyTwoHours], shop.dsn);
      // Started and never finished, with a runtime of at most a minute: the clock times it out.
      const daily = JSON.stringify({ type: 'interval', value: 1, unit: 'day' });
      await node(sendMonitor, ['stuck-job', 'stuck', 'e2e', daily, '1'], worker.dsn);

      const checkInsOf = (slug: string) =>
        api<ApiCheckIn[]>(`organizations/${org.slug}/monitors/${slug}/checkins/`);
      // A loaded machine digests slowly: a generous wait, and what was there when it ran out.
      const finished = async (slug: string, count: number) => {
        let seen: ApiCheckIn[] = [];
        try {
          return await poll(
            `${count} finished check-ins of ${slug}`,
            async () => {
              seen = await checkInsOf(slug);
              return seen.length === count && seen.every((c) => c.status !== 'in_progress')
                ? seen
                : undefined;
            },
            60_000,
          );
        } catch (error) {
          throw new Error(`${(error as Error).message}; the API had ${JSON.stringify(seen)}`);
        }
      };
      await finished('cli-job', 3);
      await finished('node-job', 2);
      await finished('interval-job', 1);
      await poll(
        'the run of stuck-job in progress',
        async () => ((await checkInsOf('stuck-job')).length === 1 ? true : undefined),
        60_000,
      );
      await api(`organizations/${org.slug}/monitors/interval-job/`, {
        method: 'PUT',
        body: JSON.stringify({ status: 'disabled' }),
      });

      // The clock moved just past cli-job's next run and its margin (two minutes at least): that run
      // is missed, and stuck-job, in progress for longer than its minute, is timed out.
      const monitors = await api<ApiMonitor[]>(`organizations/${org.slug}/monitors/`);
      const latest = (slug: string) =>
        Date.parse(monitors.find((m) => m.slug === slug)?.environments[0]?.nextCheckInLatest as string);
      const moved = latest('cli-job') + 1000;
      const nodeJobMissed = latest('node-job') <= moved;
      const clock = new CronClock(t.server.ctx.db, {
        now: () => moved,
        pollMs: 600_000,
        log: { warn: () => {} },
      });
      expect(await clock.tick()).toEqual({ missed: nodeJobMissed ? 2 : 1, timeouts: 1 });
      await clock.stop();
      await waitForDigest(t);
      const [incident] = await poll(
        'the issue of cli-job',
        async () => {
          const issues = await api<ApiIssue[]>(
            `organizations/${org.slug}/issues/?query=${encodeURIComponent('monitor.slug:cli-job')}`,
          );
          return issues.length > 0 ? issues : undefined;
        },
        60_000,
      );
      expect(incident?.title).toBe('Cron failure: cli-job');

      const expected = {
        'cli-job': { runs: ['ok', 'ok', 'error', 'missed'], words: 'Every 5 minutes', env: 'nightly' },
        'node-job': {
          runs: ['ok', 'error', ...(nodeJobMissed ? ['missed'] : [])],
          words: 'Every hour (Europe/Berlin)',
          env: 'e2e',
        },
        'interval-job': { runs: ['ok'], words: 'Every 2 hours (Europe/Berlin)', env: 'e2e' },
        'stuck-job': { runs: ['timeout'], words: 'Every day (Europe/Berlin)', env: 'e2e' },
      };

      await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Crons' }).click();
      await page.waitForURL(`${t.url}/organizations/${org.slug}/crons/`);
      await page.getByRole('heading', { name: 'Crons', level: 1 }).waitFor();
      const row = (slug: string) => page.getByRole('listitem', { name: slug, exact: true });
      const timeline = (scope: Locator) => scope.getByRole('list', { name: /check-ins, oldest first/ });
      for (const [slug, want] of Object.entries(expected)) {
        const r = row(slug);
        await r.getByText(want.words, { exact: true }).waitFor();
        await expect.poll(() => timeline(r).getByRole('listitem').count()).toBe(want.runs.length);
        const labels = await timeline(r)
          .getByRole('listitem')
          .evaluateAll((items) => items.map((i) => i.textContent));
        expect(labels.map((l) => l?.split(',')[0])).toEqual(want.runs);
        expect(await r.locator('.badge.environment').textContent()).toBe(want.env);
      }
      const state = (slug: string) => row(slug).locator('.issue-meta .badge').first().textContent();
      expect(await state('cli-job')).toBe('missed');
      expect(await state('node-job')).toBe(nodeJobMissed ? 'missed' : 'error');
      expect(await state('interval-job')).toBe('disabled');
      expect(await state('stuck-job')).toBe('timeout');
      // A disabled monitor expects no run; the others say when theirs is due.
      await row('cli-job')
        .getByText(/^Next run in /)
        .waitFor();
      expect(
        await row('interval-job')
          .getByText(/^Next run/)
          .count(),
      ).toBe(0);
      const issueLink = row('cli-job').getByRole('link', {
        name: new RegExp(`Open issue ${incident?.shortId}`),
      });
      await shots(page, 'crons');

      // One project's monitors.
      await page.getByLabel('Project').selectOption({ label: 'worker' });
      await page.waitForURL(/\?project=\d+$/);
      await expect.poll(() => page.locator('.monitor-list > li').count()).toBe(2);
      await row('node-job').waitFor();
      await row('stuck-job').waitFor();
      await page.getByLabel('Project').selectOption({ label: 'All projects' });
      await expect.poll(() => page.locator('.monitor-list > li').count()).toBe(4);

      await issueLink.click();
      await page.getByRole('heading', { name: 'Cron failure: cli-job', level: 1 }).waitFor();
      await page.goBack();

      // The monitor's own page: every check-in with its status, duration, environment and time.
      await row('cli-job').getByRole('link', { name: 'cli-job' }).click();
      await page.waitForURL(`${t.url}/organizations/${org.slug}/crons/shop/cli-job/`);
      await page.getByRole('heading', { name: 'cli-job', level: 1 }).waitFor();
      const table = page.locator('table.check-in-table');
      await expect.poll(() => table.locator('tbody tr').count()).toBe(4);
      const sent = await checkInsOf('cli-job');
      const rows = await table
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((cells) => [cells[0], cells[2], cells[3]])).toEqual(
        sent.map((c) => [c.status, duration(c.duration), c.environment]),
      );
      expect(rows.every((cells) => (cells[1] ?? '').length > 0)).toBe(true);
      await page.getByText('Every 5 minutes', { exact: true }).waitFor();
      await page.getByRole('link', { name: new RegExp(`Open issue ${incident?.shortId}`) }).waitFor();
      await shots(page, 'cron-monitor');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'Feedback: the organization feedback newest first with contact, URL and links; on the issue too',
    async () => {
      const { org, page, api, shop, worker } = await world('feedback');
      const nodeReports = driverReports(await node(path.join(DRIVERS, 'node-feedback.mjs'), [], shop.dsn));
      const errorId = reported(nodeReports, 'error');
      const python = await run(SYSTEM_PYTHON, [path.join(DRIVERS, 'python-feedback.py')], {
        env: { SENTRY_DSN: worker.dsn },
        timeoutMs: 60_000,
      });
      expect(python.code, python.stderr).toBe(0);
      const pythonErrorId = reported(driverReports(python.stdout), 'error');
      await waitForDigest(t);

      await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Feedback' }).click();
      await page.waitForURL(`${t.url}/organizations/${org.slug}/feedback/`);
      await page.getByRole('heading', { name: 'User feedback', level: 1 }).waitFor();
      const items = page.locator('.feedback-list > li');
      await expect.poll(() => items.count()).toBe(3);
      // Newest first: Python's report came last, then Node's feedback alone, then the one tied to the error.
      expect(await items.locator('.feedback-message').allTextContents()).toEqual([
        'Prices vanished',
        'Love the new menu',
        'The pay button did nothing',
      ]);
      expect(await items.locator('.feedback-contact').allTextContents()).toEqual([
        'Cy cy@example.com',
        'Bob bob@example.com',
        'Ada ada@example.com',
      ]);
      const ada = page.getByRole('listitem', { name: 'Feedback from Ada' });
      expect(
        await ada.getByRole('link', { name: 'https://shop.example/checkout' }).getAttribute('href'),
      ).toBe('https://shop.example/checkout');
      expect(await ada.getByRole('link', { name: 'ada@example.com' }).getAttribute('href')).toBe(
        'mailto:ada@example.com',
      );
      const event = ada.getByRole('link', { name: `Event ${errorId.replaceAll('-', '').slice(0, 8)}` });
      expect(await event.getAttribute('href')).toMatch(
        new RegExp(`/organizations/${org.slug}/issues/\\d+/events/${errorId.replaceAll('-', '')}/$`),
      );
      const cy = page.getByRole('listitem', { name: 'Feedback from Cy' });
      await cy.getByText('user report').waitFor();
      await cy
        .getByRole('link', { name: `Event ${pythonErrorId.replaceAll('-', '').slice(0, 8)}` })
        .waitFor();
      const bob = page.getByRole('listitem', { name: 'Feedback from Bob' });
      expect(await bob.getByRole('link', { name: /^Event / }).count()).toBe(0);
      await shots(page, 'feedback');

      await page.getByLabel('Project').selectOption({ label: 'worker' });
      await expect.poll(() => items.count()).toBe(1);
      expect(await items.locator('.feedback-message').allTextContents()).toEqual(['Prices vanished']);
      await page.getByLabel('Project').selectOption({ label: 'All projects' });
      await expect.poll(() => items.count()).toBe(3);

      // The linked issue shows its feedback; the event link opens that very event.
      await ada.getByRole('link', { name: /checkout failed/ }).click();
      await page.getByRole('heading', { name: /checkout failed/, level: 1 }).waitFor();
      const onIssue = page.getByRole('region', { name: 'User feedback' });
      await expect.poll(() => onIssue.locator('.feedback-list > li').count()).toBe(1);
      await onIssue.getByText('The pay button did nothing').waitFor();
      await onIssue.getByText('Ada ada@example.com').waitFor();
      await onIssue.locator('.feedback-list').scrollIntoViewIfNeeded();
      await shots(page, 'feedback-on-issue');
      await onIssue.getByRole('link', { name: /^Event / }).click();
      await page.waitForURL(new RegExp(`/events/${errorId.replaceAll('-', '')}/$`));

      // Feedback about a resolved issue leaves the default list, and stays under "All".
      const issueId = new URL(page.url()).pathname.split('/')[4];
      await api(`organizations/${org.slug}/issues/${issueId}/`, {
        method: 'PUT',
        body: JSON.stringify({ status: 'resolved' }),
      });
      await page.goto(`${t.url}/organizations/${org.slug}/feedback/`);
      await expect
        .poll(() => items.locator('.feedback-message').allTextContents())
        .toEqual(['Prices vanished', 'Love the new menu']);
      await page.getByLabel('Show').selectOption('all');
      await page.waitForURL(/[?&]status=all/);
      await expect.poll(() => items.count()).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'Release health: crash-free sessions and users and adoption per release, and sessions over time',
    async () => {
      const { org, page, shop, owner } = await world('health');
      const { token: ciToken } = await createOrgToken(t.server.ctx, {
        organizationId: org.id,
        orgSlug: org.slug,
        name: 'ci',
        scopes: [...DEFAULT_ORG_TOKEN_SCOPES],
        createdById: owner.id,
      });
      // The sessions each release gets: user and outcome.
      const plan = {
        'shop@3.0.0': ['u1:healthy', 'u1:healthy', 'u2:healthy', 'u5:healthy', 'u4:errored', 'u3:crashed'],
        'shop@3.1.0': ['u6:healthy', 'u7:crashed'],
      } as const;
      for (const [version, sessions] of Object.entries(plan)) {
        const made = await run(SENTRY_CLI, ['releases', 'new', '-o', org.slug, '-p', 'shop', version], {
          env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: ciToken, SENTRY_LOG_LEVEL: 'warn', HOME: home },
          timeoutMs: 30_000,
        });
        expect(made.code, made.stderr).toBe(0);
        await node(path.join(HERE, 'send-sessions.mjs'), [version, 'production', ...sessions], shop.dsn);
      }
      await waitForDigest(t);

      const users = (steps: readonly string[]) => new Set(steps.map((s) => s.split(':')[0]));
      const crashedUsers = (steps: readonly string[]) =>
        new Set(steps.filter((s) => s.endsWith(':crashed')).map((s) => s.split(':')[0]));
      const allUsers = new Set(Object.values(plan).flatMap((steps) => [...users(steps)]));
      const want = Object.fromEntries(
        Object.entries(plan).map(([version, steps]) => {
          const crashed = steps.filter((s) => s.endsWith(':crashed')).length;
          return [
            version,
            {
              sessions: pct(steps.length - crashed, steps.length),
              users: pct(users(steps).size - crashedUsers(steps).size, users(steps).size),
              adoption: pct(users(steps).size, allUsers.size),
              total: steps.length,
              userCount: users(steps).size,
              outcomes: {
                healthy: steps.filter((s) => s.endsWith(':healthy')).length,
                errored: steps.filter((s) => s.endsWith(':errored')).length,
                crashed,
              },
            },
          ];
        }),
      );

      await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
      await page.getByRole('heading', { name: 'Releases', level: 1 }).waitFor();
      for (const [version, w] of Object.entries(want)) {
        // The list shows the short version; the full one is the link's title.
        const r = page.locator('tr', { has: page.locator(`a[title="${version}"]`) });
        await expect
          .poll(() => r.locator('[data-label="crash-free-sessions"]').textContent())
          .toBe(w.sessions);
        expect(await r.locator('[data-label="crash-free-users"]').textContent()).toBe(w.users);
        expect(await r.locator('[data-label="adoption"]').textContent()).toBe(w.adoption);
      }
      // The organization's sessions chart adds up every release's sessions by outcome.
      const chart = page.getByRole('region', { name: 'Sessions over time' });
      const total = Object.values(plan).reduce((n, steps) => n + steps.length, 0);
      await expect.poll(() => chart.locator('output').getAttribute('data-total')).toBe(String(total));
      for (const outcome of ['healthy', 'errored', 'crashed'] as const) {
        const sum = Object.values(want).reduce((n, v) => n + (v.outcomes[outcome] ?? 0), 0);
        expect(await chart.locator(`li[data-status="${outcome}"] .legend-count`).textContent()).toBe(
          String(sum),
        );
      }
      await shots(page, 'release-health-list');

      const version = 'shop@3.0.0';
      const w = want[version] as (typeof want)[string];
      await page.locator(`a[title="${version}"]`).click();
      await page.getByRole('heading', { name: version, level: 1 }).waitFor();
      const health = page.getByRole('region', { name: 'Health' });
      await expect
        .poll(() => health.locator('dd[data-label="crash-free-sessions"]').textContent())
        .toBe(w.sessions);
      expect(await health.locator('dd[data-label="crash-free-users"]').textContent()).toBe(w.users);
      expect(await health.locator('dd[data-label="adoption"]').textContent()).toBe(w.adoption);
      expect(await health.locator('dd[data-label="sessions"]').textContent()).toBe(String(w.total));
      expect(await health.locator('dd[data-label="users"]').textContent()).toBe(String(w.userCount));
      // The release's own chart: its sessions only, by outcome, on the hour they started.
      await expect.poll(() => health.locator('output').getAttribute('data-total')).toBe(String(w.total));
      for (const [outcome, n] of Object.entries(w.outcomes)) {
        expect(await health.locator(`li[data-status="${outcome}"] .legend-count`).textContent()).toBe(
          String(n),
        );
      }
      expect(await health.locator('rect.chart-bar').count()).toBeGreaterThan(0);
      await health.getByRole('button', { name: '14 days' }).click();
      await expect
        .poll(() => health.locator('output').textContent())
        .toBe(`${w.total} sessions in the last 14 days`);
      await shots(page, 'release-health-detail');
    },
    TEST_TIMEOUT_MS,
  );
});
