import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duration, percent } from '../../src/ui/lib/format.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import { postEnvelope } from '../support/node-client.js';
import { waitForDigest } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  failed,
  percentile,
  rootDurationMs,
  type SentTransaction,
  spanStreamEnvelope,
  transactionEnvelope,
} from '../support/traces.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The Traces page of the web UI in Debian's headless Chromium against a real listening Errata:
// transactions sent as @sentry/node 11 streams them and as Python's SDK sends them, summarized by
// name (count, p50, p95, failure rate) in a period and project, searched, and a name opened to
// its latest transactions, each linking to its trace's page.

const PASSWORD = 'correct horse battery';

interface Planned {
  readonly project: 'checkout' | 'search';
  readonly form: 'event' | 'stream';
  readonly name: string;
  readonly durationMs: number;
  readonly status?: string;
  readonly minutesAgo: number;
}

const PLAN: Planned[] = [
  { project: 'checkout', form: 'stream', name: 'GET /cart', durationMs: 42.5, minutesAgo: 50 },
  { project: 'checkout', form: 'event', name: 'GET /cart', durationMs: 18.25, minutesAgo: 40 },
  {
    project: 'checkout',
    form: 'stream',
    name: 'GET /cart',
    durationMs: 230,
    status: 'error',
    minutesAgo: 30,
  },
  { project: 'checkout', form: 'event', name: 'GET /cart', durationMs: 75, status: 'ok', minutesAgo: 20 },
  {
    project: 'checkout',
    form: 'event',
    name: 'POST /pay',
    durationMs: 1250,
    status: 'internal_error',
    minutesAgo: 35,
  },
  { project: 'checkout', form: 'stream', name: 'POST /pay', durationMs: 310.75, minutesAgo: 15 },
  { project: 'search', form: 'event', name: 'search.index', durationMs: 5.5, status: 'ok', minutesAgo: 10 },
  // Three days ago: in the last 7 days, not in the last 24 hours.
  { project: 'checkout', form: 'stream', name: 'GET /old', durationMs: 99, minutesAgo: 3 * 24 * 60 },
];

type Sent = Planned & SentTransaction & { traceId: string };

/** What the summary should show for these transactions, computed from what was sent. */
function summary(sent: readonly Sent[]) {
  const names = [...new Set(sent.map((s) => s.name))];
  return names
    .map((name) => {
      const of = sent.filter((s) => s.name === name);
      const durations = of.map(rootDurationMs);
      return {
        name,
        count: of.length,
        cells: [
          name,
          String(of.length),
          duration(percentile(durations, 0.5)),
          duration(percentile(durations, 0.95)),
          percent(of.filter((s) => failed(s.status)).length / of.length),
        ],
      };
    })
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
    .map((s) => s.cells);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

describe.each(TEST_ENGINES)('transactions by name on the Traces page on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await startTestServer(engine);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await browser?.close();
    await t?.close();
  });

  const table = (page: Page) => page.getByRole('region', { name: 'Transactions' });
  const cells = async (page: Page) =>
    table(page)
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
      );

  it('summarizes transactions by name, filters them, and opens a name to its traces', async () => {
    const email = `traces-owner@${engine}.test`;
    const owner = await makeUser(t.server.ctx, { email });
    const { org, team } = await makeOrg(t.server.ctx, owner, `traces-${engine}`);
    const projects = {
      checkout: await makeProject(t.server.ctx, org, team, 'checkout'),
      search: await makeProject(t.server.ctx, org, team, 'search'),
    };
    const now = Date.now();
    const sent: Sent[] = PLAN.map((p) => ({
      ...p,
      op: 'http.server',
      start: (now - p.minutesAgo * 60_000) / 1000,
      traceId: randomBytes(16).toString('hex'),
      environment: 'production',
    }));
    for (const s of sent) {
      const { project, key } = projects[s.project];
      const body = s.form === 'event' ? transactionEnvelope(s) : spanStreamEnvelope(s);
      const res = await postEnvelope(t.url, { projectId: project.id, publicKey: key.publicKey }, body);
      expect(res.status).toBe(200);
    }
    await waitForDigest(t);
    const recent = sent.filter((s) => s.minutesAgo < 24 * 60);

    const { context, page } = await browser.newPage();
    contexts.push(context);
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);

    await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Traces' }).click();
    await page.waitForURL(`${t.url}/organizations/${org.slug}/explore/traces/`);
    await page.getByRole('heading', { name: 'Traces', level: 1 }).waitFor();
    await table(page).locator('tbody tr').first().waitFor();
    expect(await cells(page)).toEqual(summary(recent));
    await screenshot(page, `traces-summary-${engine}`);

    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.waitForURL(/statsPeriod=7d/);
    await expect.poll(() => cells(page)).toEqual(summary(sent));
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await expect.poll(() => cells(page)).toEqual(summary(recent));

    await page.getByLabel('Project').selectOption({ label: 'search' });
    await page.waitForURL(new RegExp(`project=${projects.search.project.id}`));
    await expect.poll(() => cells(page)).toEqual(summary(recent.filter((s) => s.project === 'search')));
    await page.getByLabel('Project').selectOption({ label: 'All projects' });
    await expect.poll(() => cells(page)).toEqual(summary(recent));

    await page.getByLabel('Search transactions').fill('transaction.nope:1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('"transaction.nope" is not a field of the spans dataset').waitFor();
    await page.getByLabel('Search transactions').fill('span.duration:>200');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/query=span.duration/);
    await expect.poll(() => cells(page)).toEqual(summary(recent.filter((s) => rootDurationMs(s) > 200)));
    await page.getByLabel('Search transactions').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => cells(page)).toEqual(summary(recent));

    // A name opens its latest transactions, newest first, each linking to its trace.
    await table(page).getByRole('button', { name: 'GET /cart', exact: true }).click();
    await page.waitForURL(/transaction=GET/);
    const detail = page.getByRole('region', { name: 'Recent GET /cart' });
    await detail.locator('tbody tr').first().waitFor();
    const carts = recent.filter((s) => s.name === 'GET /cart').sort((a, b) => a.minutesAgo - b.minutesAgo);
    const shown = await detail.locator('tbody tr').evaluateAll((rows) =>
      rows.map((row) => {
        const [trace, length, status, project] = [...row.querySelectorAll('td')].map(
          (td) => td.textContent?.trim() ?? '',
        );
        return { trace, length, status, project, href: row.querySelector('a')?.getAttribute('href') };
      }),
    );
    expect(shown).toEqual(
      carts.map((s) => ({
        trace: s.traceId.slice(0, 8),
        length: duration(rootDurationMs(s)),
        // A stream always says a status; an event without one is unknown.
        status: s.status ?? (s.form === 'stream' ? 'ok' : 'unknown'),
        project: 'checkout',
        href: `/organizations/${org.slug}/explore/traces/trace/${s.traceId}/`,
      })),
    );
    await screenshot(page, `traces-recent-${engine}`);
    const first = carts[0] as Sent;
    await detail.getByRole('link', { name: first.traceId.slice(0, 8) }).click();
    await page.waitForURL(`${t.url}/organizations/${org.slug}/explore/traces/trace/${first.traceId}/`);
    await page.goBack();
    await detail.locator('tbody tr').first().waitFor();
    await detail.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => detail.count()).toBe(0);

    // At 390 px nothing sticks out sideways but the tables, which scroll in their own boxes.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/organizations/${org.slug}/explore/traces/?transaction=POST%20%2Fpay`);
    await page.getByRole('region', { name: 'Recent POST /pay' }).locator('tbody tr').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, `traces-narrow-${engine}`);
  });
});
