import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Server, startServer } from '../../src/main.js';
import { type Database, type Engine, openDatabase } from '../../src/store/db.js';
import { TEST_ENGINES, TEST_POSTGRES_URL } from '../support/engines.js';
import { makeOrg, makeUser, testConfig } from '../support/harness.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// Regions in the web UI: the organization switcher names each organization's region, the settings
// show it, and creating an organization asks for one, when the deployment has several; a
// one-region install shows none of it. Real listening nodes, driven by headless Chromium.

const PASSWORD = 'correct horse battery';
const NEW_ORGANIZATION = 'New organization…';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

/** A region's node of a two-region deployment. */
interface Node {
  readonly url: string;
  readonly server: Server;
}

/**
 * A US and an EU node on 127.0.0.1, each over a region database of its own (SQLite files under its
 * own data directory, or a PostgreSQL schema), both over one shared control database, each knowing
 * the other by ERRATA_REGIONS.
 */
async function startTwoRegions(engine: Engine): Promise<{ us: Node; eu: Node; close(): Promise<void> }> {
  const ports = { us: await freePort(), eu: await freePort() };
  const urls = { us: `http://127.0.0.1:${ports.us}`, eu: `http://127.0.0.1:${ports.eu}` };
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'errata-ui-regions-'));
  const schemas: PgSchema[] = [];
  let control: string;
  let open: (region: 'us' | 'eu') => Promise<Database>;
  if (engine === 'sqlite') {
    const controlFile = path.join(dir, 'control.sqlite');
    control = `sqlite:${controlFile}`;
    open = async (region) => {
      mkdirSync(path.join(dir, region));
      return openDatabase(
        { engine: 'sqlite', file: path.join(dir, region, 'errata.sqlite') },
        { engine: 'sqlite', file: controlFile },
      );
    };
  } else {
    const schema = async (prefix: string) => {
      const made = await createPgSchema(prefix);
      schemas.push(made);
      return made;
    };
    const target = (s: PgSchema) =>
      ({ engine: 'postgres', url: TEST_POSTGRES_URL, schema: s.name, poolMax: 5 }) as const;
    const controlSchema = await schema('errata_ui_control');
    control = controlSchema.url();
    open = async (region) => openDatabase(target(await schema(`errata_ui_${region}`)), target(controlSchema));
  }
  const nodes: Server[] = [];
  const close = async () => {
    for (const server of nodes) await server.close();
    for (const s of schemas) await s.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  const start = async (region: 'us' | 'eu'): Promise<Node> => {
    const config = testConfig({
      ERRATA_PORT: String(ports[region]),
      ERRATA_URL: urls[region],
      ERRATA_REGION: region,
      ERRATA_REGIONS: `us=${urls.us},eu=${urls.eu}`,
      ERRATA_CONTROL_DATABASE_URL: control,
      ERRATA_DATA_DIR: path.join(dir, region),
    });
    const server = await startServer(config, await open(region));
    nodes.push(server);
    return { url: urls[region], server };
  };
  try {
    // One after the other: the first node migrates the control database.
    const us = await start('us');
    const eu = await start('eu');
    return { us, eu, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The organization switcher in the header (its name also holds the selected entry: a label's select counts). */
const switcherOf = (page: Page) => page.getByRole('combobox', { name: /^Organization\b/ });

/** The switcher's organizations, sorted, and then its last entry apart (always "New organization…"). */
async function switcherEntries(page: Page): Promise<{ orgs: string[]; last: string | undefined }> {
  await switcherOf(page).waitFor();
  const texts = await switcherOf(page).locator('option').allTextContents();
  return { orgs: texts.slice(0, -1).sort((a, b) => a.localeCompare(b)), last: texts.at(-1) };
}

/** Submits the create form with `name` and returns the body the page posted. */
async function createOrganization(page: Page, name: string): Promise<unknown> {
  await page.getByLabel('Organization name').fill(name);
  const sent = page.waitForRequest(
    (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/0/organizations/',
  );
  await page.getByRole('button', { name: 'Create organization' }).click();
  return (await sent).postDataJSON();
}

const optionsOf = (select: Locator) => select.locator('option').allTextContents();

describe.each(TEST_ENGINES)('the web UI of a one-region install on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    t = await startTestServer(engine);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(email: string): Promise<Page> {
    const opened = await browser.newPage();
    context = opened.context;
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);
    return opened.page;
  }

  it('names no region anywhere, and creates another organization from the switcher', async () => {
    const owner = await makeUser(t.server.ctx, { email: 'solo@errata.test' });
    await makeOrg(t.server.ctx, owner, 'solo');
    const page = await signedIn(owner.email);
    await page.goto(`${t.url}/organizations/solo/issues/`);
    expect(await switcherEntries(page)).toEqual({ orgs: ['solo'], last: NEW_ORGANIZATION });

    await page.goto(`${t.url}/settings/solo/`);
    await page.getByRole('heading', { name: 'Organization settings' }).waitFor();
    expect(await page.getByText('Region').count()).toBe(0);

    await switcherOf(page).selectOption({ label: NEW_ORGANIZATION });
    await page.waitForURL(`${t.url}/organizations/new/`);
    await page.getByRole('heading', { name: 'Create an organization' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('you will be its owner');
    expect(await page.getByLabel('Region').count()).toBe(0);
    // The header stays, and Cancel goes back to the organization.
    expect(await switcherOf(page).inputValue()).toBe('/organizations/new/');
    expect(await page.getByRole('link', { name: 'Cancel' }).getAttribute('href')).toBe(
      '/organizations/solo/issues/',
    );
    await screenshot(page, `new-organization-one-region-${engine}`);

    // No region to choose, none sent: the API puts it in the node's own.
    expect(await createOrganization(page, 'Second Org')).toEqual({ name: 'Second Org' });
    await page.waitForURL(`${t.url}/organizations/second-org/projects/new/`);
    await page.getByRole('option', { name: 'Second Org' }).waitFor({ state: 'attached' });
    expect(await switcherEntries(page)).toEqual({ orgs: ['Second Org', 'solo'], last: NEW_ORGANIZATION });
  });

  it('tells someone in no organization so, and offers to sign out instead of going back', async () => {
    const loner = await makeUser(t.server.ctx, { email: 'loner@errata.test' });
    const page = await signedIn(loner.email);
    await page.goto(`${t.url}/`);
    await page.waitForURL(`${t.url}/organizations/new/`);
    expect(await page.locator('main').textContent()).toContain(
      'You are signed in as loner@errata.test but belong to no organization yet',
    );
    expect(await switcherOf(page).count()).toBe(0);
    expect(await page.getByLabel('Region').count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.getByRole('link', { name: 'Cancel' }).count()).toBe(0);
  });
});

describe.each(TEST_ENGINES)('the web UI of a two-region deployment on %s', (engine) => {
  let deployment: Awaited<ReturnType<typeof startTwoRegions>>;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    deployment = await startTwoRegions(engine);
    browser = await launchBrowser();
  }, 60_000);
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await deployment?.close();
  });

  it("names each organization's region in the switcher and its settings, and creates one in the region chosen", async () => {
    const { us, eu } = deployment;
    const owner = await makeUser(us.server.ctx, { email: 'global@errata.test' });
    await makeOrg(us.server.ctx, owner, 'acme-us');
    await makeOrg(eu.server.ctx, owner, 'acme-eu');
    const opened = await browser.newPage();
    context = opened.context;
    const page = opened.page;
    // The session lives in the control database: one sign-in serves both nodes (cookies ignore ports).
    const login = await context.request.post(`${us.url}/api/0/auth/login/`, {
      data: { username: owner.email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);

    // Any node lists the organizations of both regions, each named with its region.
    await page.goto(`${us.url}/organizations/acme-us/issues/`);
    expect(await switcherEntries(page)).toEqual({
      orgs: ['acme-eu — EU', 'acme-us — US'],
      last: NEW_ORGANIZATION,
    });
    await screenshot(page, `org-switch-regions-${engine}`);
    await page.goto(`${us.url}/settings/acme-us/`);
    expect(await page.locator('.org-region').textContent()).toContain(`Region: us (${us.url})`);
    await page.goto(`${eu.url}/settings/acme-eu/`);
    expect(await page.locator('.org-region').textContent()).toContain(`Region: eu (${eu.url})`);
    await screenshot(page, `org-settings-region-${engine}`);

    // The form offers every region, the first by default, and posts the one chosen.
    await page.goto(`${us.url}/organizations/acme-us/issues/`);
    await switcherOf(page).selectOption({ label: NEW_ORGANIZATION });
    await page.waitForURL(`${us.url}/organizations/new/`);
    const region = page.getByLabel('Region');
    expect(await optionsOf(region)).toEqual([`us — ${us.url}`, `eu — ${eu.url}`]);
    expect(await region.inputValue()).toBe('us');
    await screenshot(page, `new-organization-regions-${engine}`);
    expect(await createOrganization(page, 'Globex US')).toEqual({ name: 'Globex US', region: 'us' });
    await page.waitForURL(`${us.url}/organizations/globex-us/projects/new/`);
    await page.getByRole('option', { name: 'Globex US — US' }).waitFor({ state: 'attached' });

    // On the US node, choosing "eu" over the default: the US node forwards it, the EU region keeps it.
    await page.goto(`${us.url}/organizations/new/`);
    await page.getByLabel('Region').selectOption('eu');
    expect(await createOrganization(page, 'Globex EU')).toEqual({ name: 'Globex EU', region: 'eu' });
    await page.waitForURL(`${us.url}/organizations/globex-eu/projects/new/`);
    const stored = (db: typeof eu.server.ctx.db) =>
      db.region.selectFrom('organizations').select('slug').where('slug', '=', 'globex-eu').execute();
    expect(await stored(eu.server.ctx.db)).toHaveLength(1);
    expect(await stored(us.server.ctx.db)).toHaveLength(0);
    await page.goto(`${us.url}/settings/globex-eu/`);
    expect(await page.locator('.org-region').textContent()).toContain(`Region: eu (${eu.url})`);
    await page.goto(`${us.url}/organizations/acme-us/issues/`);
    expect(await switcherEntries(page)).toEqual({
      orgs: ['acme-eu — EU', 'acme-us — US', 'Globex EU — EU', 'Globex US — US'],
      last: NEW_ORGANIZATION,
    });

    // The longer entries still fit a phone's width.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      ),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, `org-switch-regions-narrow-${engine}`);
  });
});
