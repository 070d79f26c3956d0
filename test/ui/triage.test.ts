import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPublicDsn } from '../../src/services/projects.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import { poll, SYSTEM_PYTHON } from '../support/sdk.js';
import { ROOT, run, startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, SCREENSHOTS } from './browser.js';

// Daily triage in the web UI, on events sent by @sentry/node (a planned spread over time,
// environments, releases, users and tags) and by Python's sentry_sdk (a 200-call-deep error with
// locals, and a message). Every number the test expects is counted from the plan it sent.

const SEND_TRIAGE = path.join(ROOT, 'test/ui/send-triage.mjs');
const SEND_PYTHON = path.join(ROOT, 'test/ui/send-python.py');
const PASSWORD = 'correct horse battery';

type SdkUser = Record<string, string>;
const ANN = { id: 'u-1', email: 'ann@example.com', username: 'ann' };
const BOB = { id: 'u-2', email: 'bob@example.com', username: 'bob', ip_address: '10.0.0.2' };
const CAT = { id: 'u-3', email: 'cat@example.com', username: 'cat' };
const ZED = { email: 'zed@example.com' };

interface Planned {
  readonly issue: 'charge' | 'stock';
  readonly minutesAgo: number;
  readonly environment: string;
  readonly release: string;
  readonly user: SdkUser;
  readonly tags: { tenant: string; page: string };
}

const plan = (
  issue: Planned['issue'],
  minutesAgo: number,
  environment: string,
  release: string,
  user: SdkUser,
  tenant: string,
): Planned => ({
  issue,
  minutesAgo,
  environment,
  release,
  user,
  // A long value whose start every event shares: the spread must show the part that differs.
  tags: { tenant, page: `https://shop.example.test/checkout/${tenant}/payment/confirm` },
});

const PLAN: Planned[] = [
  plan('charge', 5, 'staging', 'checkout@1.0', ANN, 'acme'),
  plan('charge', 10, 'staging', 'checkout@1.0', BOB, 'acme'),
  plan('charge', 20, 'staging', 'checkout@1.1', ANN, 'globex'),
  plan('charge', 15, 'production', 'checkout@1.1', CAT, 'globex'),
  plan('charge', 30, 'production', 'checkout@1.1', CAT, 'acme'),
  plan('charge', 180, 'production', 'checkout@1.0', ANN, 'acme'),
  plan('charge', 200, 'production', 'checkout@1.0', BOB, 'globex'),
  plan('charge', 2 * 24 * 60, 'staging', 'checkout@1.0', CAT, 'acme'),
  plan('stock', 25, 'production', 'checkout@1.1', ZED, 'acme'),
];
const CHARGE = /TypeError: card declined/;
const STOCK = /RangeError: stock exhausted/;
const charges = (keep: (p: Planned) => boolean = () => true) =>
  PLAN.filter((p) => p.issue === 'charge' && keep(p));
const usersOf = (events: Planned[]) => new Set(events.map((p) => JSON.stringify(p.user))).size;

/** Screenshots for reviewers, beside the other UI tests' in test-results/screenshots/. */
async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? true });
}

/** The four looks of a page: 1280 and 390 px wide, light and dark. */
async function shots(page: Page, name: string, scrollTo?: string) {
  for (const [width, height, size] of [
    [1280, 900, 'wide'],
    [390, 844, 'narrow'],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await shot(page, `${name}-${size}-${scheme}`);
      if (scrollTo) {
        await page.locator(scrollTo).first().scrollIntoViewIfNeeded();
        await shot(page, `${name}-scrolled-${size}-${scheme}`, { fullPage: false });
        await page.evaluate('window.scrollTo(0, 0)');
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  // One browser for the file; each engine gets a context of its own.
  [browser] = await Promise.all([launchBrowser(), buildUi()]);
}, 120_000);
afterAll(() => browser?.close());

describe.each(TEST_ENGINES)('triage in the web UI on %s', (engine) => {
  let t: TestServer;
  let context: BrowserContext;
  let page: Page;
  let org = '';
  let ids: { charge: string; stock: string; deep: string; message: string; chain: string; steps: string };
  const stream = (params = '') => `${t.url}/organizations/${org}/issues/${params}`;
  const issuePage = (id: string, rest = '') => `${t.url}/organizations/${org}/issues/${id}/${rest}`;
  const apiPut = async <T>(apiPath: string, data: Record<string, unknown>): Promise<T> => {
    // A signed-in browser's writes carry the CSRF token the server set at sign-in.
    const csrf = (await context.cookies()).find((c) => c.name === 'errata_csrf')?.value ?? '';
    const res = await context.request.put(`${t.url}/api/0${apiPath}`, {
      data,
      headers: { 'X-CSRFToken': csrf },
    });
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()) as T;
  };
  const apiGet = async <T>(apiPath: string): Promise<T> => {
    const res = await context.request.get(`${t.url}/api/0${apiPath}`);
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()) as T;
  };
  const shotName = (name: string) => (engine === 'sqlite' ? `triage-${name}` : `triage-${name}-${engine}`);

  beforeAll(async () => {
    t = await startTestServer(engine);
    const ctx = t.server.ctx;
    const email = 'triager@errata.test';
    const owner = await makeUser(ctx, { email });
    const made = await makeOrg(ctx, owner, 'triage');
    org = made.org.slug;
    const checkout = await makeProject(ctx, made.org, made.team, 'checkout');
    const worker = await makeProject(ctx, made.org, made.team, 'worker');
    const [node, py] = await Promise.all([
      run(process.execPath, [SEND_TRIAGE], {
        env: { SENTRY_DSN: formatPublicDsn(t.url, checkout.key), TRIAGE_PLAN: JSON.stringify(PLAN) },
        timeoutMs: 30_000,
      }),
      run(SYSTEM_PYTHON, [SEND_PYTHON], {
        env: { SENTRY_DSN: formatPublicDsn(t.url, worker.key) },
        timeoutMs: 30_000,
      }),
    ]);
    expect(node.code, node.stderr).toBe(0);
    expect(py.code, py.stderr).toBe(0);
    ({ context, page } = await browser.newPage());
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status()).toBe(200);
    ids = await poll('every planned event digested', async () => {
      const issues = await apiGet<{ id: string; title: string; lifetime: { count: string } }[]>(
        `/organizations/${org}/issues/?query=&statsPeriod=30d`,
      );
      const find = (title: RegExp) => issues.find((i) => title.test(i.title));
      const charge = find(CHARGE);
      const stock = find(STOCK);
      const deep = find(/RecursionError/);
      const message = find(/nightly import skipped/);
      const chain = find(/checkout failed for order/);
      const steps = find(/no route to warehouse/);
      if (charge?.lifetime.count !== String(charges().length) || !stock || !deep || !message)
        return undefined;
      if (!chain || !steps) return undefined;
      return {
        charge: charge.id,
        stock: stock.id,
        deep: deep.id,
        message: message.id,
        chain: chain.id,
        steps: steps.id,
      };
    });
  }, 90_000);
  afterAll(async () => {
    await context?.close();
    await t?.close();
  });

  const chargeRow = () => page.locator('li.issue', { has: page.getByRole('link', { name: CHARGE }) });

  it('counts, users and bars of the stream follow the time range and the environment', async () => {
    await page.goto(stream('?query=is:unresolved'));
    await chargeRow().waitFor();
    await page.getByLabel('Time range').selectOption('1h');
    await page.waitForURL(/statsPeriod=1h/);
    await page.locator('.row.head', { hasText: 'Last hour' }).waitFor();
    const inHour = charges((p) => p.minutesAgo <= 60);
    const expectRow = async (events: Planned[]) => {
      const row = chargeRow();
      await row.locator('.num.events', { hasText: new RegExp(`^Events ${events.length}$`) }).waitFor();
      expect(await row.locator('.num.users').textContent()).toBe(`Users ${usersOf(events)}`);
      expect(await row.locator('svg.sparkline').getAttribute('aria-label')).toMatch(
        new RegExp(`: ${events.length} events$`),
      );
    };
    await expectRow(inHour);
    expect(await chargeRow().getByRole('link', { name: CHARGE }).getAttribute('href')).toBe(
      `/organizations/${org}/issues/${ids.charge}/`,
    );

    // An environment term in the search counts the events it matches, as Sentry's `filtered` does.
    const box = page.getByLabel('Search issues');
    await box.fill('is:unresolved environment:staging');
    await box.press('Enter');
    await page.waitForURL(/environment%3Astaging/);
    await expectRow(inHour.filter((p) => p.environment === 'staging'));

    // The environment picker offers the environments that exist, and narrows the counts too.
    await page.goto(stream('?query=is:unresolved&statsPeriod=14d'));
    const environments = page.getByLabel('Environment');
    await environments.locator('option', { hasText: 'staging' }).waitFor({ state: 'attached' });
    expect(await environments.locator('option').allTextContents()).toEqual([
      'All environments',
      'production',
      'staging',
    ]);
    await environments.selectOption('staging');
    await page.waitForURL(/environment=staging/);
    await page.locator('.row.head', { hasText: 'Last 14 days' }).waitFor();
    await expectRow(charges((p) => p.environment === 'staging'));
    // The other issue has no staging events: it is not listed.
    expect(await page.getByRole('link', { name: STOCK }).count()).toBe(0);

    await page.goto(stream('?query=is:unresolved&statsPeriod=24h'));
    await page.locator('.row.head', { hasText: 'Last 24 hours' }).waitFor();
    await expectRow(charges((p) => p.minutesAgo <= 24 * 60));
    await shots(page, shotName('stream'));
  });

  it('the issue page charts its events over 24 hours and 30 days, by environment and release, and names who it affects', async () => {
    await page.goto(issuePage(ids.charge));
    await page.getByRole('heading', { level: 1, name: CHARGE }).waitFor();
    const total = page.locator('output.chart-total');
    const expectTotal = async (n: number) => {
      await page.locator(`output.chart-total[data-total="${n}"]`).waitFor();
    };
    await expectTotal(charges((p) => p.minutesAgo < 24 * 60).length);
    await page.getByRole('button', { name: '30 days' }).click();
    await expectTotal(charges().length);
    // The chart adds up to the issue's own count.
    const issueCount = await page
      .locator('.issue-stats div', { hasText: 'Events' })
      .locator('dd')
      .textContent();
    expect(await total.getAttribute('data-total')).toBe(issueCount);
    const legend = page.locator('.chart-legend li');
    const legendOf = async () =>
      Object.fromEntries(
        (await legend.allTextContents()).map((text) => {
          const [name, n] = text.split(/\s+(?=\d+$)/);
          return [name, Number(n)];
        }),
      );
    const tally = (key: (p: Planned) => string) => {
      const out: Record<string, number> = {};
      for (const p of charges()) out[key(p)] = (out[key(p)] ?? 0) + 1;
      return out;
    };
    await page.getByLabel('By').selectOption('environment');
    await legend.first().waitFor();
    expect(await legendOf()).toEqual(tally((p) => p.environment));
    await page.getByLabel('By').selectOption('release');
    await legend.filter({ hasText: 'checkout@1.0' }).waitFor();
    expect(await legendOf()).toEqual(tally((p) => p.release));
    await expectTotal(charges().length);

    // The tag spread names users by email, not by `id:u-1`.
    const spread = page.getByRole('region', { name: 'Tags across this issue' });
    await spread.getByText(ANN.email).first().waitFor();
    expect(await spread.textContent()).not.toContain(`id:${ANN.id}`);

    await shots(page, shotName('issue'), '#sec-tags');

    await page.locator('.issue-stats div', { hasText: 'Users' }).getByRole('link').click();
    await page.waitForURL(issuePage(ids.charge, 'tags/user/'));
    const rows = page.locator('table.tag-values tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(usersOf(charges()));
    for (const user of [ANN, BOB, CAT]) {
      const mine = charges((p) => p.user === user);
      const row = page.getByRole('row', { name: new RegExp(user.email) });
      const cells = await row.locator('th, td').allTextContents();
      expect(cells.slice(0, 6)).toEqual([
        user.email,
        user.id,
        user.email,
        user.username,
        'ip_address' in user ? user.ip_address : '—',
        String(mine.length),
      ]);
    }
  });

  it('the issue page puts the essentials and participants in a sidebar, jumps to the long sections and names what grouped it', async () => {
    await page.goto(issuePage(ids.charge));
    const side = page.getByRole('complementary', { name: 'Issue summary' });
    const hashes = await apiGet<{ id: string; mechanism: string }[]>(
      `/organizations/${org}/issues/${ids.charge}/hashes/`,
    );
    expect(hashes.length).toBeGreaterThan(0);
    for (const h of hashes) {
      await side.locator('.side-hashes li', { hasText: h.id }).filter({ hasText: h.mechanism }).waitFor();
    }
    const seen = side.getByRole('region', { name: 'Seen' });
    expect(await seen.locator('dt:text-is("First seen") + dd').textContent()).toMatch(/^2 days ago in /);
    expect(await seen.locator('dt:text-is("Last seen") + dd').textContent()).toMatch(/^\d+ minutes? ago in /);
    const releases = side.getByRole('region', { name: 'Releases' }).getByRole('link');
    const issue = await apiGet<{ firstRelease: { version: string }; lastRelease: { version: string } }>(
      `/organizations/${org}/issues/${ids.charge}/`,
    );
    expect(await releases.evaluateAll((links) => links.map((a) => a.getAttribute('title')))).toEqual([
      issue.firstRelease.version,
      issue.lastRelease.version,
    ]);
    const participants = side.getByRole('region', { name: 'Participants' });
    await participants.getByText('No one has taken part yet.').waitFor();
    // Whoever the issue is assigned to takes part in it.
    const assigned = await apiPut<{ assignedTo: { name: string } }>(
      `/organizations/${org}/issues/${ids.charge}/`,
      {
        assignedTo: 'triager@errata.test',
      },
    );
    await page.reload();
    await participants.getByRole('listitem').filter({ hasText: assigned.assignedTo.name }).waitFor();
    await apiPut(`/organizations/${org}/issues/${ids.charge}/`, { assignedTo: '' });
    // Unassigned, the triager still takes part through a bookmark: the API's participants.
    await apiPut(`/organizations/${org}/issues/${ids.charge}/`, { isBookmarked: true });
    await page.reload();
    await participants.getByRole('listitem').filter({ hasText: assigned.assignedTo.name }).waitFor();
    await apiPut(`/organizations/${org}/issues/${ids.charge}/`, { isBookmarked: false });
    await page.reload();
    await participants.getByText('No one has taken part yet.').waitFor();
    await side.getByRole('region', { name: 'Tags across this issue' }).getByText('tenant').waitFor();

    const jumps = page.getByRole('navigation', { name: 'Jump to' }).getByRole('link');
    expect(await jumps.allTextContents()).toEqual([
      'Stack trace',
      'Breadcrumbs',
      'Contexts',
      'Tags',
      'Raw event',
    ]);
    for (const [name, id] of [
      ['Breadcrumbs', 'sec-breadcrumbs'],
      ['Contexts', 'sec-contexts'],
    ] as const) {
      await jumps.filter({ hasText: name }).click();
      await expect
        .poll(() => page.locator(`#${id}`).evaluate((h) => Math.round(h.getBoundingClientRect().top)))
        .toBeLessThan(10);
    }
  });

  it('tag values show the part that tells them apart, and context values read as sizes and dates', async () => {
    await page.goto(issuePage(ids.charge));
    const spread = page.getByRole('region', { name: 'Tags across this issue' });
    const pages = spread.locator('.distribution', { has: page.getByRole('heading', { name: /^page/ }) });
    const shared = 'https://shop.example.test/checkout/';
    await pages.locator('.dist-prefix', { hasText: `All start with ${shared}` }).waitFor();
    const values = pages.locator('.dist-value');
    expect((await values.allTextContents()).sort()).toEqual(
      [...new Set(charges().map((p) => `…${p.tags.page.slice(shared.length)}`))].sort(),
    );
    // Nothing clipped: each value fits its cell.
    expect(await values.evaluateAll((els) => els.every((e) => e.scrollWidth <= e.clientWidth))).toBe(true);

    const event = await apiGet<{ contexts: Record<string, Record<string, unknown>> }>(
      `/organizations/${org}/issues/${ids.charge}/events/latest/`,
    );
    const contexts = page.getByRole('region', { name: 'Contexts' });
    const cell = (context: string, key: string) =>
      contexts
        .locator('table.kv', { has: page.locator(`caption:text-is("${context}")`) })
        .locator(`th:text-is("${key}") + td`);
    const memory = event.contexts.device?.memory_size as number;
    expect(memory).toBeGreaterThan(2 ** 30);
    const memoryCell = cell('device', 'memory_size');
    const [shown, unit] = ((await memoryCell.textContent()) ?? '').split(' ');
    expect(unit).toBe('GiB');
    expect(Math.abs(Number(shown) * 2 ** 30 - memory)).toBeLessThan(0.05 * 2 ** 30);
    expect(await memoryCell.locator('[title]').getAttribute('title')).toBe(String(memory));
    const started = event.contexts.app?.app_start_time as string;
    const startCell = cell('app', 'app_start_time');
    expect(await startCell.textContent()).not.toBe(started);
    expect(new Date((await startCell.textContent()) ?? '').getFullYear()).toBe(
      new Date(started).getFullYear(),
    );
    expect(await startCell.locator('[title]').getAttribute('title')).toBe(started);
  });

  it('lists the events of an issue with search and "event N of M"; a tag value filters it to exactly its events', async () => {
    // Each planned event's message names its place in the plan: "order 1000 + index".
    const orderOf = (p: Planned) => `card declined for order ${1000 + PLAN.indexOf(p)}`;
    const listed = async () =>
      (await page.locator('table.event-list td.event-message').allTextContents()).sort();
    const expectListed = async (events: Planned[]) => {
      await page
        .locator('.events-range', { hasText: new RegExp(` of ${events.length}( matching|$)`) })
        .waitFor();
      expect(await listed()).toEqual(events.map(orderOf).sort());
    };
    await page.goto(issuePage(ids.charge, 'events/'));
    await expectListed(charges());
    await shots(page, shotName('events'));

    const globex = page.locator('table.event-list tr', { hasText: 'globex' }).first();
    await globex.getByRole('link', { name: /tenant\s*globex/ }).click();
    await page.waitForURL(/query=tenant%3Aglobex/);
    await expectListed(charges((p) => p.tags.tenant === 'globex'));
    // A second value narrows further: both terms hold.
    const row = page.locator('table.event-list tbody tr').first();
    const environment = await row.locator('td').nth(1).textContent();
    await row.locator('td').nth(1).getByRole('link').click();
    await page.waitForURL(/environment%3A/);
    await expectListed(charges((p) => p.tags.tenant === 'globex' && p.environment === environment));

    const box = page.getByLabel('Search events');
    await box.fill('user.email:ann@example.com');
    await box.press('Enter');
    await expectListed(charges((p) => p.user === ANN));

    // Opening one tells where it stands among the issue's events, oldest first.
    await box.fill('');
    await box.press('Enter');
    await expectListed(charges());
    const newestFirst = [...charges()].sort((a, b) => a.minutesAgo - b.minutesAgo);
    const third = newestFirst[2] as Planned;
    await page
      .locator('table.event-list tr', { hasText: orderOf(third) })
      .getByRole('link')
      .first()
      .click();
    await page
      .locator('.event-position', { hasText: `Event ${charges().length - 2} of ${charges().length}` })
      .waitFor();
    expect(await page.getByRole('article', { name: 'TypeError', exact: true }).textContent()).toContain(
      orderOf(third),
    );
  });

  it('search suggests keys (tags sent too) and values from the API, user.email: finds the user’s issues, and a bad query shows the error', async () => {
    await page.goto(stream('?query=&statsPeriod=14d'));
    await chargeRow().waitFor();
    const box = page.getByLabel('Search issues');
    const options = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option');
    await box.click();
    await box.pressSequentially('envi');
    await options.filter({ hasText: /^environment:$/ }).click();
    expect(await box.inputValue()).toBe('environment:');
    await options.filter({ hasText: /^staging$/ }).waitFor();
    expect((await options.allTextContents()).sort()).toEqual(['production', 'staging']);

    // A tag the SDK set is a key too, with the values it was sent with.
    await box.fill('');
    await box.pressSequentially('tena');
    await options.filter({ hasText: /^tenant:$/ }).click();
    await options.filter({ hasText: /^globex$/ }).waitFor();
    expect((await options.allTextContents()).sort()).toEqual(
      [...new Set(PLAN.map((p) => p.tags.tenant))].sort(),
    );

    await box.fill('');
    await box.pressSequentially('user.em');
    await options.filter({ hasText: /^user\.email:$/ }).click();
    await options.filter({ hasText: ANN.email }).click();
    expect(await box.inputValue()).toBe(`user.email:${ANN.email} `);
    await box.press('Enter');
    await page.waitForURL(/query=user\.email%3Aann%40example\.com/);
    const titles = () => page.locator('li.issue .issue-title').allTextContents();
    await expect.poll(titles).toEqual([expect.stringMatching(CHARGE)]);

    await box.fill(`user.email:${ZED.email}`);
    await box.press('Enter');
    await expect.poll(titles).toEqual([expect.stringMatching(STOCK)]);

    const bad = 'is:sideways';
    const res = await context.request.get(`${t.url}/api/0/organizations/${org}/issues/?query=${bad}`);
    expect(res.status()).toBe(400);
    const { detail } = (await res.json()) as { detail: string };
    await box.fill(bad);
    await box.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(`This search cannot run: ${detail}`);
    expect(await page.getByRole('heading', { name: 'No issues match' }).count()).toBe(0);
  });

  it('a 200-frame Python trace renders folded and short, with locals as Python values; a message is labelled one', async () => {
    const event = await apiGet<{
      entries: { type: string; data: { values: { stacktrace: { frames: unknown[] } }[] } }[];
    }>(`/organizations/${org}/issues/${ids.deep}/events/latest/`);
    const frames = event.entries.find((e) => e.type === 'exception')?.data.values[0]?.stacktrace.frames ?? [];
    expect(frames).toHaveLength(200);
    await page.goto(issuePage(ids.deep));
    const exception = page.getByRole('article', { name: 'RecursionError', exact: true });
    // The raising call, the recursing call once, the rest folded, and the module.
    await exception
      .getByRole('button', { name: `The same call repeated ${frames.length - 3} more times` })
      .waitFor();
    expect(await exception.locator('.frame:not(.folded)').count()).toBe(3);
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    expect(height).toBeLessThan(4000);
    const locals = exception.locator('table.vars');
    expect(
      await locals
        .getByRole('row', { name: /^options/ })
        .locator('td')
        .textContent(),
    ).toBe("{'retry': True, 'limit': None, 'ratio': 0.5}");
    expect(
      await locals
        .getByRole('row', { name: /^depth/ })
        .locator('td')
        .textContent(),
    ).toBe('0');
    await shots(page, shotName('python-deep'));

    await page.goto(issuePage(ids.message));
    await page.getByRole('heading', { level: 1, name: /nightly import skipped/ }).waitFor();
    await page.locator('.issue-header .badge', { hasText: 'Message' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Exception' }).count()).toBe(0);
  });

  it('a cause chain folds the calls each cause shares with the exception above; a deep trace without recursion ends in "Show N more frames"', async () => {
    type Frame = Record<'filename' | 'absPath' | 'module' | 'function' | 'lineNo' | 'colNo', unknown>;
    const framesOf = async (issueId: string) => {
      const event = await apiGet<{
        entries: { type: string; data: { values: { stacktrace: { frames: Frame[] } }[] } }[];
      }>(`/organizations/${org}/issues/${issueId}/events/latest/`);
      return (event.entries.find((e) => e.type === 'exception')?.data.values ?? []).map(
        (v) => v.stacktrace.frames,
      );
    };
    // Shown newest first: the error caught, then each cause.
    const chain = (await framesOf(ids.chain)).reverse();
    expect(chain).toHaveLength(3);
    const key = (f: Frame | undefined) =>
      JSON.stringify([f?.filename, f?.absPath, f?.module, f?.function, f?.lineNo, f?.colNo]);
    await page.goto(issuePage(ids.chain));
    const exceptions = page.locator('article.exception');
    await exceptions.nth(2).waitFor();
    expect(await exceptions.nth(0).locator('.frame.shared').count()).toBe(0);
    for (let i = 1; i < chain.length; i++) {
      const [mine, above] = [chain[i] ?? [], chain[i - 1] ?? []];
      let same = 0;
      while (same < mine.length - 1 && key(mine[same]) === key(above[same])) same++;
      expect(same).toBeGreaterThan(0);
      const fold = exceptions
        .nth(i)
        .getByRole('button', { name: `${same} older calls as in the exception above` });
      await fold.waitFor();
      if (i === chain.length - 1) {
        await fold.click();
        await fold.waitFor({ state: 'detached' });
      }
    }
    await shots(page, shotName('cause-chain'));

    const [steps = []] = await framesOf(ids.steps);
    expect(steps.length).toBeGreaterThan(30);
    await page.goto(issuePage(ids.steps));
    const exception = page.getByRole('article', { name: 'LookupError', exact: true });
    const more = exception.getByRole('button', { name: `Show ${steps.length - 12} more frames` });
    await more.waitFor();
    const frames = exception.locator('.frame:not(.folded)');
    expect(await frames.count()).toBe(12);
    await more.click();
    await expect.poll(() => frames.count()).toBe(steps.length);
  });

  it('badges only where they tell rows apart; a remembered light/dark choice beside the system one; the settings menu on every settings page', async () => {
    const listed = await apiGet<{ substatus: string | null }[]>(
      `/organizations/${org}/issues/?query=is:unresolved&statsPeriod=14d`,
    );
    await page.goto(stream('?query=is:unresolved&statsPeriod=14d'));
    await chargeRow().waitFor();
    // The list holds only unresolved issues: no row says so.
    expect(await page.locator('li.issue .badge.status').count()).toBe(0);
    const substatuses = new Set(listed.map((i) => i.substatus));
    const shownSubstatuses = await page.locator('li.issue .badge.substatus').count();
    if (substatuses.size === 1) expect(shownSubstatuses).toBe(0);
    else expect(shownSubstatuses).toBeGreaterThan(0);
    // Once the statuses differ, each row says its own.
    const setStatus = (status: string) => apiPut(`/organizations/${org}/issues/${ids.steps}/`, { status });
    await setStatus('resolved');
    await page.goto(stream('?query=&statsPeriod=14d'));
    await page.locator('li.issue .badge.status-resolved').waitFor();
    expect(await page.locator('li.issue .badge.status').count()).toBe(await page.locator('li.issue').count());
    await setStatus('unresolved');

    const theme = page.getByLabel('Theme');
    const background = () =>
      page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await theme.selectOption('dark');
    const dark = await background();
    expect(dark).not.toBe(light);
    expect(await page.evaluate<string | null>('localStorage.getItem("errata.theme")')).toBe('dark');
    await page.reload();
    await chargeRow().waitFor();
    expect(await theme.inputValue()).toBe('dark');
    expect(await background()).toBe(dark);
    await theme.selectOption('system');
    expect(await background()).toBe(light);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe(dark);
    await theme.selectOption('light');
    expect(await background()).toBe(light);
    await theme.selectOption('system');
    await page.emulateMedia({ colorScheme: 'light' });

    for (const settingsPath of [
      `/settings/${org}/`,
      `/settings/${org}/members/`,
      `/settings/${org}/projects/`,
      `/settings/${org}/projects/checkout/`,
      `/settings/${org}/projects/checkout/keys/`,
      `/settings/${org}/projects/checkout/source-maps/`,
      '/settings/account/notifications/',
    ]) {
      await page.goto(`${t.url}${settingsPath}`);
      await page
        .getByRole('navigation', { name: 'Settings' })
        .getByRole('link', { name: 'Members' })
        .waitFor();
      expect(await page.locator('.settings-nav').count()).toBe(1);
    }
  });

  it('at 390 px the search box is one row, the first issue and an issue’s essentials are above the fold, and breadcrumbs and the raw JSON fit the screen', async () => {
    const [width, height] = [390, 844];
    await page.setViewportSize({ width, height });
    const pageWidth = () => page.evaluate<number>('document.documentElement.scrollWidth');
    const fits = (selector: string) =>
      page.locator(selector).evaluateAll((els) => els.every((e) => e.scrollWidth <= e.clientWidth));
    try {
      await page.goto(stream('?query=is:unresolved&statsPeriod=14d'));
      const first = page.locator('li.issue').first();
      await first.waitFor();
      const box = await first.boundingBox();
      expect((box?.y ?? height) + (box?.height ?? 0)).toBeLessThanOrEqual(height);
      expect(await pageWidth()).toBeLessThanOrEqual(width);
      // The search box is one row: its button beside the field, not a second row under it.
      const field = await page.getByRole('combobox', { name: 'Search issues' }).boundingBox();
      const button = await page.getByRole('button', { name: 'Search', exact: true }).boundingBox();
      const searchBox = await page.locator('search').boundingBox();
      expect(button?.y).toBeLessThan((field?.y ?? 0) + (field?.height ?? 0));
      expect(searchBox?.height).toBeLessThan(2 * (field?.height ?? 0));

      await page.goto(issuePage(ids.charge));
      // The essentials come before the event's long body: counts and when and in which releases
      // it was seen, on the first screen.
      const side = page.getByRole('complementary', { name: 'Issue summary' });
      const essentials = [
        page.locator('.issue-stats'),
        side.getByRole('region', { name: 'Seen' }),
        side.getByRole('region', { name: 'Releases' }),
      ];
      await side.getByRole('region', { name: 'Releases' }).getByRole('link').first().waitFor();
      await page.getByRole('region', { name: 'Exception' }).waitFor();
      const eventTop = (await page.getByRole('region', { name: 'Event', exact: true }).boundingBox())?.y;
      for (const part of essentials) {
        const at = await part.boundingBox();
        expect((at?.y ?? height) + (at?.height ?? 0)).toBeLessThanOrEqual(height);
        expect(at?.y).toBeLessThan(eventTop ?? 0);
      }
      await shot(page, shotName('issue-top-narrow'), { fullPage: false });
      const crumbs = page.locator('.breadcrumbs');
      await crumbs.getByText(/opened the cart of order/).waitFor();
      await page.getByText("Show the event's JSON").click();
      await page.locator('.raw pre').waitFor();
      expect(await pageWidth()).toBeLessThanOrEqual(width);
      // Read without scrolling sideways inside them either.
      expect(await fits('.breadcrumbs, .breadcrumbs .table-scroll, .raw pre')).toBe(true);
      await crumbs.scrollIntoViewIfNeeded();
      await shot(page, shotName('breadcrumbs-narrow'), { fullPage: false });
      await page.locator('.raw pre').scrollIntoViewIfNeeded();
      await shot(page, shotName('raw-narrow'), { fullPage: false });
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('moves through the stream with j and k, resolves with r, ignores with i, opens with Enter, and lists the keys on ?', async () => {
    await page.goto(stream('?query=is:unresolved&statsPeriod=14d'));
    await chargeRow().waitFor();
    const body = page.locator('body');
    await body.press('?');
    await page.getByRole('region', { name: 'Keyboard shortcuts' }).waitFor();
    const focused = () => page.evaluate<string>('document.activeElement?.textContent ?? ""');
    const titles = await page.locator('li.issue .issue-title').allTextContents();
    await body.press('j');
    expect(await focused()).toBe(titles[0]);
    await page.keyboard.press('j');
    expect(await focused()).toBe(titles[1]);
    await page.keyboard.press('k');
    expect(await focused()).toBe(titles[0]);
    for (let i = 0; i < titles.length && !/nightly import/.test(await focused()); i++)
      await page.keyboard.press('j');
    expect(await focused()).toMatch(/nightly import/);
    await page.keyboard.press('r');
    await page
      .getByRole('status')
      .filter({ hasText: /^Resolved WORKER-\d+\.$/ })
      .waitFor();
    expect((await apiGet<{ status: string }>(`/organizations/${org}/issues/${ids.message}/`)).status).toBe(
      'resolved',
    );
    await page.getByRole('link', { name: /nightly import/ }).waitFor({ state: 'detached' });

    await body.press('j');
    for (let i = 0; i < titles.length && !/no route to warehouse/.test(await focused()); i++)
      await page.keyboard.press('j');
    expect(await focused()).toMatch(/no route to warehouse/);
    await page.keyboard.press('i');
    await page
      .getByRole('status')
      .filter({ hasText: /^Ignored WORKER-\d+\.$/ })
      .waitFor();
    expect((await apiGet<{ status: string }>(`/organizations/${org}/issues/${ids.steps}/`)).status).toBe(
      'ignored',
    );
    await page.getByRole('link', { name: /no route to warehouse/ }).waitFor({ state: 'detached' });
    await apiPut(`/organizations/${org}/issues/${ids.steps}/`, { status: 'unresolved' });

    await body.press('j');
    const first = await focused();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: first }).waitFor();
  });
});
