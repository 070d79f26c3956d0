import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_CONTENT_TYPE } from '../../src/digest/items/log.js';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { formatPublicDsn } from '../../src/services/projects.js';
import { TEST_ENGINES } from '../support/engines.js';
import { newEventId } from '../support/envelopes.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import { postEnvelope } from '../support/node-client.js';
import { DRIVERS, poll, waitForDigest } from '../support/sdk.js';
import { run, startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The trace view of the web UI in Debian's headless Chromium against a listening Errata, on a
// trace the real @sentry/node 11 sent (drivers/node-trace.mjs: a task calling an HTTP server whose
// request is an `http.server` segment, nested spans, logs, an error captured in a span). From the
// error's issue: "Open trace" shows one row per span at its depth with its bar inside its
// parent's, the error on its span; "Logs around this event" shows the trace's logs, which the
// level and text filters narrow and whose "Trace view" link leads back. An error without a trace
// leads to its project's logs of that moment.

const PASSWORD = 'correct horse battery';

interface SentSpan {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly op: string;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

describe.each(TEST_ENGINES)('traces in the web UI on %s', (engine) => {
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

  const rowsOf = (page: Page) => page.locator('.waterfall-rows > .span-row');
  const messages = (page: Page) =>
    page.getByRole('region', { name: 'Logs' }).locator('tbody .log-message').allTextContents();

  it('opens the trace from an issue, shows its waterfall and error, and its logs', async () => {
    const email = `trace-owner@${engine}.test`;
    const owner = await makeUser(t.server.ctx, { email });
    const { org, team } = await makeOrg(t.server.ctx, owner, `traces-${engine}`);
    const { project, key } = await makeProject(t.server.ctx, org, team, 'shop');
    const sent = await run(process.execPath, [path.join(DRIVERS, 'node-trace.mjs')], {
      env: { SENTRY_DSN: formatPublicDsn(t.url, key) },
      timeoutMs: 60_000,
    });
    expect(sent.code, sent.stderr).toBe(0);
    const reports = sent.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, string>);
    const spans = reports.filter((r) => r.label === 'span') as unknown as SentSpan[];
    const error = reports.find((r) => r.label === 'error') as Record<string, string>;
    const traceId = error.traceId as string;
    const logs = reports.filter((r) => r.label === 'log');
    const parentOf = new Map(spans.map((s) => [s.spanId, s.parentSpanId]));
    const depthOf = (id: string): number => {
      const parent = parentOf.get(id);
      return parent && parentOf.has(parent) ? depthOf(parent) + 1 : 0;
    };
    // A project error of no trace two hours ago, and a log of that project a minute before it.
    const loneId = newEventId();
    const dsn = { projectId: project.id, publicKey: key.publicKey };
    const now = Date.now() - 2 * 3_600_000;
    await postEnvelope(
      t.url,
      dsn,
      serializeEnvelope({
        headers: { event_id: loneId },
        items: [
          {
            headers: { type: 'event' },
            payload: {
              event_id: loneId,
              timestamp: now / 1000,
              level: 'error',
              exception: { values: [{ type: 'RangeError', value: 'stock exhausted without a trace' }] },
            },
          },
        ],
      }),
    );
    await postEnvelope(
      t.url,
      dsn,
      serializeEnvelope({
        headers: {},
        items: [
          {
            headers: { type: 'log', item_count: 1, content_type: LOG_CONTENT_TYPE },
            payload: {
              items: [
                {
                  timestamp: (now - 60_000) / 1000,
                  trace_id: 'f'.repeat(32),
                  level: 'warn',
                  body: 'stock running low',
                },
              ],
            },
          },
        ],
      }),
    );
    await waitForDigest(t);

    const { context, page } = await browser.newPage();
    contexts.push(context);
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);
    // The SDK's envelopes were answered before digest: wait until the trace is whole.
    await poll('the whole trace', async () => {
      const meta = await context.request.get(
        `${t.url}/api/0/organizations/${org.slug}/trace-meta/${traceId}/`,
      );
      const body = (await meta.json()) as { spansCount: number; errorsCount: number };
      return body.spansCount === spans.length && body.errorsCount === 1 ? true : undefined;
    });

    await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
    await page.getByRole('link', { name: /price service down/ }).click();
    await page.getByRole('heading', { level: 1, name: /price service down/ }).waitFor();
    const issueUrl = page.url();
    await page.getByRole('link', { name: 'Open trace' }).click();
    await page.waitForURL(
      new RegExp(`/explore/traces/trace/${traceId}/\\?timestamp=\\d+&errorId=${error.eventId}`),
    );
    await page.getByRole('heading', { level: 1, name: /Trace/ }).waitFor();
    await rowsOf(page).first().waitFor();

    // One row per span the SDK sent, each at its depth, children after their parent.
    await expect.poll(() => rowsOf(page).count()).toBe(spans.length);
    const listed = await rowsOf(page).evaluateAll((rows) =>
      rows.map((r) => ({
        id: r.getAttribute('data-span-id') as string,
        depth: Number(r.getAttribute('data-depth')),
      })),
    );
    expect(new Set(listed.map((r) => r.id))).toEqual(new Set(spans.map((s) => s.spanId)));
    for (const [i, row] of listed.entries()) {
      expect(row.depth, row.id).toBe(depthOf(row.id));
      const parent = parentOf.get(row.id);
      if (parent) expect(listed.findIndex((r) => r.id === parent)).toBeLessThan(i);
    }
    expect(Math.max(...listed.map((r) => r.depth))).toBeGreaterThanOrEqual(4);

    // Bars: the root's spans the trace; every child's lies within its parent's.
    const bars = new Map<string, { x: number; right: number }>();
    for (const { id } of listed) {
      const box = await page.locator(`[data-span-id="${id}"] .span-bar`).boundingBox();
      expect(box, id).not.toBeNull();
      bars.set(id, { x: box?.x as number, right: (box?.x as number) + (box?.width as number) });
    }
    const root = spans.find((s) => s.parentSpanId === null) as SentSpan;
    const track = await page.locator(`[data-span-id="${root.spanId}"] .span-timeline`).boundingBox();
    const rootBar = bars.get(root.spanId) as { x: number; right: number };
    expect(rootBar.x).toBeCloseTo(track?.x as number, 0);
    expect(rootBar.right).toBeCloseTo((track?.x as number) + (track?.width as number), 0);
    for (const s of spans) {
      if (!s.parentSpanId) continue;
      const bar = bars.get(s.spanId) as { x: number; right: number };
      const parent = bars.get(s.parentSpanId) as { x: number; right: number };
      expect(bar.x, s.name).toBeGreaterThanOrEqual(parent.x - 1);
      expect(bar.right, s.name).toBeLessThanOrEqual(parent.right + 1);
    }

    // The error is on the span it was captured in, whose row is marked, and in the list below.
    const errorRow = page.locator(`[data-span-id="${error.spanId}"]`);
    await expect.poll(() => errorRow.getAttribute('class')).toMatch(/selected/);
    await expect.poll(() => errorRow.locator('.span-error').textContent()).toBe('1 error');
    const errorList = page.getByRole('region', { name: 'Errors in this trace' });
    await expect.poll(() => errorList.textContent()).toMatch(/price service down for cart 7/);
    await expect.poll(() => errorList.textContent()).toMatch(/in db\.query SELECT prices/);
    const summary = page.getByLabel('Trace summary');
    await expect
      .poll(() => summary.textContent())
      .toMatch(new RegExp(`Spans${spans.length}Errors1Logs${logs.length}`));
    await screenshot(page, `trace-waterfall-${engine}`);

    // Collapsing the root hides everything under it.
    await page.getByRole('button', { name: new RegExp(`^Collapse task ${root.name}`) }).click();
    await expect.poll(() => rowsOf(page).count()).toBe(1);
    await page.getByRole('button', { name: 'Expand all' }).click();
    await expect.poll(() => rowsOf(page).count()).toBe(spans.length);

    // At 390 px the page does not scroll sideways; the waterfall scrolls in its own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const scroller = page.locator('.waterfall-scroll');
    expect(await scroller.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
    await screenshot(page, `trace-waterfall-narrow-${engine}`);
    await page.setViewportSize({ width: 1280, height: 900 });

    // The error's link leads to its issue; from there, the logs around the event are the trace's.
    await errorRow.locator('.span-error').click();
    await page.waitForURL(new RegExp(`/issues/\\d+/events/${error.eventId}/`));
    await page.goto(issueUrl);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Logs around this event' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, `trace-issue-links-narrow-${engine}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Logs around this event' }).click();
    await page.waitForURL(new RegExp(`/explore/logs/\\?query=trace%3A${traceId}&start=`));
    await expect
      .poll(() => messages(page))
      .toEqual(['report queued', 'price lookup failed', 'pricing cart 7']);
    await screenshot(page, `trace-logs-${engine}`);

    await page.getByLabel('Level').selectOption('error');
    await expect.poll(() => messages(page)).toEqual(['price lookup failed']);
    await page.getByLabel('Level').selectOption('');
    await page.getByLabel('Search logs').fill(`trace:${traceId} pricing`);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => messages(page)).toEqual(['pricing cart 7']);
    await page.getByRole('link', { name: 'Trace view' }).click();
    await page.waitForURL(new RegExp(`/explore/traces/trace/${traceId}/`));
    await expect.poll(() => rowsOf(page).count()).toBe(spans.length);

    // An error of no trace: no "Open trace", and its project's logs of that moment.
    await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
    await page.getByRole('link', { name: /stock exhausted without a trace/ }).click();
    await page.getByRole('link', { name: 'Logs around this event' }).waitFor();
    expect(await page.getByRole('link', { name: 'Open trace' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Logs around this event' }).click();
    await page.waitForURL(new RegExp(`/explore/logs/\\?project=${project.id}&start=.*&end=`));
    await expect.poll(() => messages(page)).toEqual(['stock running low']);
    await page.getByRole('button', { name: 'Any time' }).click();
    await expect.poll(() => messages(page)).toContain('pricing cart 7');
  });
});
