import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPublicDsn } from '../../src/services/projects.js';
import { TEST_ENGINES } from '../support/engines.js';
import { eventEnvelope, newEventId } from '../support/envelopes.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import { buildJsApp, type JsBuild, storeJsBundle, throwIn } from '../support/js-builds.js';
import { poll } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The web UI of source maps in Chromium: an event of minified code, mapped through an uploaded
// bundle, shows the original frames with their source lines and a switch to the frames as sent;
// an event whose maps are missing says so in words; the project's settings list the bundles and
// delete one.

const PASSWORD = 'correct horse battery';
const PAGE_URL = 'https://shop.example/static/app.min.js';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await buildUi();
}, 120_000);

describe.each(TEST_ENGINES)('source maps in the web UI on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  let js: JsBuild;

  beforeAll(async () => {
    t = await startTestServer(engine);
    browser = await launchBrowser();
    js = await buildJsApp(0);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the original frames with context, a switch to the minified ones, processing errors, and the bundles', async () => {
    const ctx = t.server.ctx;
    const email = `maps-${engine}@errata.test`;
    const owner = await makeUser(ctx, { email });
    const { org, team } = await makeOrg(ctx, owner, `maps-${engine}`);
    const { project, key } = await makeProject(ctx, org, team, 'storefront');
    const debugId = randomUUID();
    await storeJsBundle(ctx.db.region, {
      organizationId: org.id,
      projectId: project.id,
      js,
      debugId,
      release: { release: 'storefront@1.0', dist: null },
    });
    const frames = throwIn(js, PAGE_URL);
    const send = async (id: string, fields: Record<string, unknown>) => {
      const event = {
        event_id: newEventId(),
        timestamp: Date.now() / 1000,
        platform: 'javascript',
        exception: {
          values: [{ type: 'Error', value: `division by zero (${id})`, stacktrace: { frames } }],
        },
        debug_meta: { images: [{ type: 'sourcemap', code_file: PAGE_URL, debug_id: id }] },
        ...fields,
      };
      const dsn = new URL(formatPublicDsn(t.url, key));
      const res = await fetch(`${t.url}/api/${project.id}/envelope/?sentry_key=${dsn.username}`, {
        method: 'POST',
        body: eventEnvelope(event),
      });
      expect(res.status).toBe(200);
    };
    const unknownId = randomUUID();
    await send(debugId, {});
    await send(unknownId, {});

    const { context, page } = await browser.newPage();
    try {
      const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
        data: { username: email, password: PASSWORD },
      });
      expect(login.status()).toBe(200);
      const issues = await poll('both issues', async () => {
        const listed = await context.request.get(`${t.url}/api/0/organizations/${org.slug}/issues/?query=`);
        const list = (await listed.json()) as { id: string; title: string }[];
        return list.length === 2 ? list : undefined;
      });
      const issueOf = (id: string) => issues.find((i) => i.title.includes(id))?.id as string;

      // The mapped event: original code, newest call first, the throwing frame open on its line.
      await page.goto(`${t.url}/organizations/${org.slug}/issues/${issueOf(debugId)}/`);
      const exception = page.getByRole('article', { name: 'Error', exact: true });
      await exception.waitFor();
      const first = exception.locator('.frame').first();
      expect(await first.locator('.frame-file').textContent()).toBe('src/math.js');
      expect(await first.locator('.frame-function').textContent()).toBe('divide');
      expect(await first.locator('.context li.active').textContent()).toBe(
        "  if (b === 0) throw new Error('division by zero');",
      );
      expect(await first.locator('.context li').count()).toBe(5);
      expect(await exception.locator('.frame-function').allTextContents()).toEqual([
        'divide',
        'Calculator.compute',
        'Object.crash',
      ]);
      await screenshot(page, `source-maps-original-${engine}`);

      // The frames as the SDK sent them, one click away, and back.
      await exception.getByRole('button', { name: 'Minified' }).click();
      expect(await exception.getByRole('button', { name: 'Minified' }).getAttribute('aria-pressed')).toBe(
        'true',
      );
      expect(await exception.locator('.frame-file').allTextContents()).toEqual([
        PAGE_URL,
        PAGE_URL,
        PAGE_URL,
      ]);
      expect(await exception.locator('.frame-function').allTextContents()).toEqual(
        [...frames].reverse().map((f) => f.function),
      );
      await screenshot(page, `source-maps-minified-${engine}`);
      await exception.getByRole('button', { name: 'Original source' }).click();
      expect(await exception.locator('.frame-file').first().textContent()).toBe('src/math.js');

      // The event whose maps were never uploaded says so, in words.
      await page.goto(`${t.url}/organizations/${org.slug}/issues/${issueOf(unknownId)}/`);
      const errors = page.getByRole('region', { name: 'Processing errors' });
      await errors.waitFor();
      expect(await errors.textContent()).toContain(
        `Source code was not found No source map was found for ${PAGE_URL}: its frames are shown minified.`,
      );
      await expect(page.getByRole('button', { name: 'Minified' }).count()).resolves.toBe(0);

      // The project's bundles, listed and deleted.
      await page.goto(`${t.url}/settings/${org.slug}/projects/storefront/`);
      await page
        .getByRole('navigation', { name: 'Project settings' })
        .getByRole('link', { name: 'Source maps' })
        .click();
      const table = page.getByRole('table', { name: 'Artifact bundles' });
      await table.waitFor();
      const row = table.locator('tbody tr');
      expect(await row.count()).toBe(1);
      expect(await row.textContent()).toContain('storefront@1.0');
      expect(await row.textContent()).toContain('2 files');
      await row.getByText('1 debug id').click();
      expect(await row.textContent()).toContain(debugId);
      await screenshot(page, `source-maps-settings-${engine}`);
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('status').filter({ hasText: 'deleted' }).waitFor();
      await page.getByRole('heading', { name: 'No source maps uploaded' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
