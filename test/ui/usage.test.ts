import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPublicDsn } from '../../src/services/projects.js';
import { updateProjectKey } from '../../src/store/region/project-keys.js';
import { TEST_ENGINES } from '../support/engines.js';
import { envelopeOf } from '../support/envelopes.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import { poll } from '../support/sdk.js';
import { ROOT, run, startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The Usage page in Debian's headless Chromium, on what @sentry/node sent to a real listening
// Errata: errors accepted, errors over a key's rate limit, errors the SDK's beforeSend dropped
// (reported in its client report), and a malformed envelope. The numbers the page shows, per day
// and per project, must be those the test sent and the server answered.

const SEND_USAGE = path.join(ROOT, 'test/ui/send-usage.mjs');
const PASSWORD = 'correct horse battery';
/** shop: 4 errors kept, 2 dropped by beforeSend. jobs: 4 errors against a key limit of 3 an hour. */
const SHOP = { keep: 4, drop: 2 };
const JOBS = { keep: 4, limit: 3 };
/** What the page must show for errors, per project: one malformed envelope goes to shop. */
const EXPECTED = {
  shop: { accepted: SHOP.keep, filtered: 0, rate_limited: 0, invalid: 1, client_discard: SHOP.drop },
  jobs: {
    accepted: JOBS.limit,
    filtered: 0,
    rate_limited: JOBS.keep - JOBS.limit,
    invalid: 0,
    client_discard: 0,
  },
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

describe.each(TEST_ENGINES)('the Usage page on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const email = `usage-owner@${engine}.test`;
  let org = '';

  async function signedIn(viewport?: { width: number; height: number }): Promise<Page> {
    const { context, page } = await browser.newPage(viewport);
    contexts.push(context);
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);
    return page;
  }

  beforeAll(async () => {
    t = await startTestServer(engine);
    const ctx = t.server.ctx;
    const owner = await makeUser(ctx, { email });
    const made = await makeOrg(ctx, owner, `usage-${engine}`);
    org = made.org.slug;
    const shop = await makeProject(ctx, made.org, made.team, 'shop');
    const jobs = await makeProject(ctx, made.org, made.team, 'jobs');
    await updateProjectKey(ctx.db.region, jobs.key.id, { rateLimit: { count: JOBS.limit, window: 3600 } });
    const sent = await Promise.all([
      run(process.execPath, [SEND_USAGE], {
        env: {
          SENTRY_DSN: formatPublicDsn(t.url, shop.key),
          USAGE_KEEP: String(SHOP.keep),
          USAGE_DROP: String(SHOP.drop),
        },
        timeoutMs: 30_000,
      }),
      run(process.execPath, [SEND_USAGE], {
        env: { SENTRY_DSN: formatPublicDsn(t.url, jobs.key), USAGE_KEEP: String(JOBS.keep) },
        timeoutMs: 30_000,
      }),
    ]);
    for (const r of sent) expect(r.code, r.stderr).toBe(0);
    // A malformed event, alone in its envelope: refused with 400 and counted as invalid.
    const broken = await fetch(
      `${t.url}/api/${shop.project.id}/envelope/?sentry_key=${shop.key.publicKey}&sentry_version=7`,
      {
        method: 'POST',
        body: envelopeOf([{ type: 'event', payload: '{"exception":' }]),
      },
    );
    expect(broken.status).toBe(400);
    browser = await launchBrowser();
    const page = await signedIn();
    // Digest counts what it takes in after the answers: wait until the API has it all.
    await poll('every outcome counted', async () => {
      const res = await page.request.get(
        `${t.url}/api/0/organizations/${org}/stats_v2/?field=sum(quantity)&groupBy=outcome&category=error&statsPeriod=1d`,
      );
      const groups = (
        (await res.json()) as { groups: { by: { outcome: string }; totals: Record<string, number> }[] }
      ).groups;
      const total = (o: string) => groups.find((g) => g.by.outcome === o)?.totals['sum(quantity)'] ?? 0;
      return total('accepted') === 7 &&
        total('client_discard') === 2 &&
        total('invalid') === 1 &&
        total('rate_limited') === 1
        ? true
        : undefined;
    });
  }, 90_000);
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await browser?.close();
    await t?.close();
  });

  const sum = (kind: keyof typeof EXPECTED.shop) => EXPECTED.shop[kind] + EXPECTED.jobs[kind];

  it('shows per day and per project what was sent and what became of it', async () => {
    const page = await signedIn();
    await page.goto(`${t.url}/settings/${org}/`);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Usage' }).click();
    await page.waitForURL(`${t.url}/settings/${org}/usage/`);
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();

    // The period's totals, in words and in numbers.
    const totals = page.locator('.usage-total');
    await totals.first().waitFor();
    for (const kind of ['accepted', 'filtered', 'rate_limited', 'invalid', 'client_discard'] as const) {
      const item = page.locator(`.usage-total[data-outcome="${kind}"]`);
      expect(await item.getAttribute('data-total')).toBe(String(sum(kind)));
      expect(await item.locator('strong').textContent()).toBe(String(sum(kind)));
    }
    // Today's bar holds everything; the 29 days before it nothing.
    const today = new Date().toISOString().slice(0, 10);
    const days = page.locator('svg.chart g[data-day]');
    expect(await days.count()).toBe(30);
    const all = Object.keys(EXPECTED.shop).reduce((n, k) => n + sum(k as keyof typeof EXPECTED.shop), 0);
    expect(await page.locator(`svg.chart g[data-day="${today}"]`).getAttribute('data-total')).toBe(
      String(all),
    );
    const bars = page.locator(`svg.chart g[data-day="${today}"] rect.chart-bar`);
    const stacked = Object.fromEntries(
      await Promise.all(
        (await bars.all()).map(async (bar) => [
          await bar.getAttribute('data-outcome'),
          Number(await bar.getAttribute('data-value')),
        ]),
      ),
    );
    expect(stacked).toEqual({ accepted: 7, rate_limited: 1, invalid: 1, client_discard: 2 });

    // One row per project, its numbers as cells.
    for (const [project, expected] of Object.entries(EXPECTED)) {
      const row = page.locator(`tr[data-project="${project}"]`);
      const cells = await row
        .locator('td[data-outcome]')
        .evaluateAll((tds) =>
          Object.fromEntries(tds.map((td) => [td.getAttribute('data-outcome'), td.textContent])),
        );
      expect(cells).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, String(v)])));
    }
    await screenshot(page, engine === 'sqlite' ? 'usage-1280' : `usage-1280-${engine}`);

    // Transactions: none were sent, and the page says so in zeros.
    await page.getByLabel('Category').selectOption('transaction');
    await page.locator('.usage-total[data-outcome="accepted"][data-total="0"]').waitFor();
    expect(await page.locator('tr[data-project="shop"] td[data-outcome="accepted"]').textContent()).toBe('0');
  });

  it('fits a phone screen', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.goto(`${t.url}/settings/${org}/usage/`);
    await page.locator(`.usage-total[data-outcome="accepted"][data-total="${sum('accepted')}"]`).waitFor();
    await page.locator('tr[data-project="jobs"]').waitFor();
    await screenshot(page, engine === 'sqlite' ? 'usage-390' : `usage-390-${engine}`);
    // Nothing but the table scrolls sideways.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
