import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_CONTENT_TYPE } from '../../src/digest/items/log.js';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import { postEnvelope } from '../support/node-client.js';
import { waitForDigest } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The Logs page of the web UI in Debian's headless Chromium against a real listening Errata: logs
// sent as @sentry/node sends them, listed newest first, filtered by level and by text, a row opened
// to its attributes, and every log of one trace through its trace link.

const PASSWORD = 'correct horse battery';
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';
const str = (value: string) => ({ value, type: 'string' });
/** Body, level, trace, seconds ago, attributes; newest last. */
const LOGS: [string, string, string, number, Record<string, unknown>][] = [
  ['user signed in', 'info', TRACE_A, 40, { userId: str('user-42'), plan: str('pro') }],
  ['cart almost full', 'warn', TRACE_A, 30, { items: { value: 19, type: 'integer' } }],
  ['payment failed', 'error', TRACE_B, 20, { provider: str('acme-pay') }],
  ['payment retried', 'info', TRACE_B, 10, {}],
];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

describe.each(TEST_ENGINES)('logs in the web UI on %s', (engine) => {
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

  const messages = async (page: Page) =>
    page.getByRole('region', { name: 'Logs' }).locator('tbody .log-message').allTextContents();

  it('lists logs newest first, filters by level and text, shows attributes and a trace', async () => {
    const email = `logs-owner@${engine}.test`;
    const owner = await makeUser(t.server.ctx, { email });
    const { org, team } = await makeOrg(t.server.ctx, owner, `logs-${engine}`);
    const { project, key } = await makeProject(t.server.ctx, org, team, 'checkout');
    const now = Date.now();
    const items = LOGS.map(([body, level, trace, ago, attributes]) => ({
      timestamp: (now - ago * 1000) / 1000,
      level,
      body,
      trace_id: trace,
      attributes: { 'sentry.environment': str('production'), ...attributes },
    }));
    const sent = await postEnvelope(
      t.url,
      { projectId: project.id, publicKey: key.publicKey },
      serializeEnvelope({
        headers: {},
        items: [
          {
            headers: { type: 'log', item_count: items.length, content_type: LOG_CONTENT_TYPE },
            payload: { items },
          },
        ],
      }),
    );
    expect(sent.status).toBe(200);
    await waitForDigest(t);

    const { context, page } = await browser.newPage();
    contexts.push(context);
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);

    await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(`${t.url}/organizations/${org.slug}/explore/logs/`);
    await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
    await page.locator('tbody .log-message').first().waitFor();
    expect(await messages(page)).toEqual([
      'payment retried',
      'payment failed',
      'cart almost full',
      'user signed in',
    ]);
    await screenshot(page, `logs-list-${engine}`);

    await page.getByLabel('Level').selectOption('error');
    await page.waitForURL(/level=error/);
    await expect.poll(() => messages(page)).toEqual(['payment failed']);
    await page.getByLabel('Level').selectOption('');
    await expect.poll(() => messages(page)).toHaveLength(4);

    await page.getByLabel('Search logs').fill('payment');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/query=payment/);
    await expect.poll(() => messages(page)).toEqual(['payment retried', 'payment failed']);
    await page.getByLabel('Search logs').fill('userId:user-42');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => messages(page)).toEqual(['user signed in']);

    await page.getByRole('button', { name: 'user signed in' }).click();
    const attributes = page.locator('.log-attributes');
    await attributes.waitFor();
    const pairs = async () => {
      const names = await attributes.locator('dt').allTextContents();
      const values = await attributes.locator('dd').allTextContents();
      return Object.fromEntries(names.map((n, i) => [n, values[i]]));
    };
    expect(await pairs()).toMatchObject({
      userId: 'user-42',
      plan: 'pro',
      'sentry.environment': 'production',
      severity: 'info',
      trace: TRACE_A,
    });
    await screenshot(page, `logs-attributes-${engine}`);

    await page.getByRole('link', { name: TRACE_A.slice(0, 8) }).click();
    await page.waitForURL(new RegExp(`query=trace%3A${TRACE_A}`));
    await expect.poll(() => messages(page)).toEqual(['cart almost full', 'user signed in']);

    // Live: a log sent after the page loaded shows up without a click.
    await page.goto(`${t.url}/organizations/${org.slug}/explore/logs/`);
    await page.locator('tbody .log-message').first().waitFor();
    await page.getByLabel('Live').check();
    await page.waitForURL(/live=1/);
    const late = await postEnvelope(
      t.url,
      { projectId: project.id, publicKey: key.publicKey },
      serializeEnvelope({
        headers: {},
        items: [
          {
            headers: { type: 'log', item_count: 1, content_type: LOG_CONTENT_TYPE },
            payload: {
              items: [
                { timestamp: Date.now() / 1000, trace_id: TRACE_B, level: 'info', body: 'arrived later' },
              ],
            },
          },
        ],
      }),
    );
    expect(late.status).toBe(200);
    await expect.poll(async () => (await messages(page))[0], { timeout: 20_000 }).toBe('arrived later');

    // At 390 px nothing sticks out sideways but the table, which scrolls in its own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/organizations/${org.slug}/explore/logs/`);
    await page.locator('tbody .log-message').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, `logs-narrow-${engine}`);
  });
});
