import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrgToken, DEFAULT_ORG_TOKEN_SCOPES } from '../../src/services/org-tokens.js';
import { formatPublicDsn } from '../../src/services/projects.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import { poll } from '../support/sdk.js';
import { ROOT, run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The web UI end to end: Debian's headless Chromium driven by playwright-core against a real
// listening Errata, and a real @sentry/node sending the errors it shows. Each test starts from what
// it needs, made through the services and the API (a person and their organization, signed in or
// not; a project; an issue sent by the SDK), in a browser context of its own: any one runs alone.

const SEND_ERROR = path.join(ROOT, 'test/ui/send-error.mjs');
const PASSWORD = 'correct horse battery';
const ISSUE_TITLE = 'TypeError: card declined for amount 250';

async function sendError(dsn: string, release?: string): Promise<void> {
  const env: Record<string, string> = { SENTRY_DSN: dsn, ...(release ? { SENTRY_RELEASE: release } : {}) };
  const result = await run(process.execPath, [SEND_ERROR], { env, timeoutMs: 30_000 });
  expect(result.code, result.stderr).toBe(0);
}

/** Reloads until `target` shows up: events are digested a moment after ingest answers. */
async function reloadUntil(page: Page, target: Locator, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    // Each load fetches from the API after the page itself has loaded: give it a moment to render.
    const shown = await target.waitFor({ timeout: 1500 }).then(
      () => true,
      () => false,
    );
    if (shown) return;
    if (Date.now() > until) {
      await screenshot(page, 'failed-wait');
      throw new Error(`still not there after ${timeoutMs} ms: ${page.url()} (see failed-wait.png)`);
    }
    await page.reload();
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

interface Start {
  /** Sign in (through the API, into the page's context); default true. */
  readonly signedIn?: boolean;
  /** A project "checkout" (platform node) with its DSN key. */
  readonly project?: boolean;
  /** And one issue in it: an error sent by @sentry/node, digested. */
  readonly issue?: boolean;
}

describe.each(TEST_ENGINES)('the web UI on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let people = 0;
  const shot = (page: Page, name: string) =>
    screenshot(page, engine === 'sqlite' ? name : `${name}-${engine}`);

  /** A new person who owns a new organization, in a fresh browser page, with what `start` asks for. */
  async function begin(start: Start = {}) {
    const n = ++people;
    const email = `owner-${n}@errata.test`;
    const ctx = t.server.ctx;
    const owner = await makeUser(ctx, { email });
    const { org, team } = await makeOrg(ctx, owner, `acme-${n}`);
    let dsn = '';
    if (start.project || start.issue) {
      const { key } = await makeProject(ctx, org, team, 'checkout');
      dsn = formatPublicDsn(t.url, key);
    }
    const opened = await browser.newPage();
    context = opened.context;
    if (start.signedIn ?? true) {
      const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
        data: { username: email, password: PASSWORD },
      });
      expect(login.status(), await login.text()).toBe(200);
    }
    let issueId = '';
    if (start.issue) {
      await sendError(dsn);
      issueId = await poll('the issue of the SDK error', async () => {
        const listed = await context?.request.get(`${t.url}/api/0/organizations/${org.slug}/issues/?query=`);
        const issues = (await listed?.json()) as { id: string; title: string }[];
        return issues.find((i) => i.title === ISSUE_TITLE)?.id;
      });
    }
    return {
      email,
      org: org.slug,
      team: team.slug,
      dsn,
      issueId,
      page: opened.page,
      context,
      ids: { org: org.id, owner: owner.id },
    };
  }

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

  it('serves the app at / and keeps the REST 404 for unknown /api/ paths', async () => {
    const home = await fetch(`${t.url}/organizations/acme/issues/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(home.headers.get('content-security-policy')).toContain("default-src 'self'");
    const api = await fetch(`${t.url}/api/0/no-such-thing/`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ detail: 'The requested resource does not exist' });
  });

  it('signs in with a session cookie, after saying in words that a password was wrong', async () => {
    const { page, context, email, org } = await begin({ signedIn: false });
    await page.goto(`${t.url}/`);
    await page.waitForURL(/\/auth\/login\//);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Please enter a correct email and password' }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.url}/organizations/${org}/issues/`);
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();

    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'errata_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });
    expect(cookies.find((c) => c.name === 'errata_csrf')).toMatchObject({ httpOnly: false, sameSite: 'Lax' });
    // The session alone cannot change anything: unsafe requests need the CSRF header too.
    const withoutCsrf = await page.evaluate(
      (slug) =>
        fetch(`/api/0/organizations/${slug}/`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: '{"name":"Hijacked"}',
        }).then((r) => r.status),
      org,
    );
    expect(withoutCsrf).toBe(403);
  });

  it('creates a project and shows how to send its first event with the real DSN', async () => {
    const { page, org } = await begin();
    await page.goto(`${t.url}/organizations/${org}/issues/`);
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
    await page.getByRole('link', { name: 'Create a project' }).click();
    await page.getByLabel('Node.js').check();
    await page.getByLabel('Project name').fill('checkout');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/checkout\/getting-started\//);
    const dsn = await page.getByLabel('DSN', { exact: true }).inputValue();
    expect(dsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/);
    expect(await page.getByLabel('Install command').textContent()).toBe('npm install @sentry/node');
    expect(await page.getByLabel('Setup code').textContent()).toContain(`dsn: '${dsn}'`);
    await page.getByRole('tab', { name: 'Python' }).click();
    expect(await page.getByLabel('Setup code').textContent()).toContain(`dsn="${dsn}"`);
    await page.getByRole('status').filter({ hasText: 'Waiting for the first event' }).waitFor();
  });

  it('shows an error sent by @sentry/node in the stream, and its stack trace', async () => {
    const { page, org, dsn } = await begin({ project: true });
    await sendError(dsn);
    await page.goto(`${t.url}/organizations/${org}/projects/checkout/getting-started/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Issues' }).click();
    const row = page.getByRole('link', { name: ISSUE_TITLE });
    await reloadUntil(page, row);
    const item = page.locator('li.issue', { has: row });
    expect(await item.textContent()).toContain('CHECKOUT-1');
    await shot(page, 'issue-stream');

    await row.click();
    await page.getByRole('heading', { level: 1, name: ISSUE_TITLE }).waitFor();
    const exception = page.getByRole('article', { name: 'TypeError', exact: true });
    expect(await exception.getByRole('heading', { level: 3 }).textContent()).toBe(
      'TypeErrorcard declined for amount 250',
    );
    // Most recent call first, and the crashing in-app frame open on its source line.
    const first = exception.locator('.frame').first();
    expect(await first.locator('.frame-function').textContent()).toBe('chargeCard');
    expect(await first.getByRole('button').getAttribute('aria-expanded')).toBe('true');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the line of JavaScript source, template and all.
    const failing = 'throw new TypeError(`card declined for amount ${amount}`);';
    expect(await first.locator('.context li.active').textContent()).toContain(failing);
    expect(await exception.locator('.frame-function').allTextContents()).toContain('checkout');
    // Library frames fold away until asked for.
    await exception
      .getByRole('button', { name: /^Show \d+ library frames?$/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Breadcrumbs' }).waitFor();
    expect(await page.getByRole('region', { name: 'Breadcrumbs', exact: true }).textContent()).toContain(
      'added item',
    );
    expect(await page.getByRole('region', { name: 'User', exact: true }).textContent()).toContain(
      'ada@example.com',
    );
    expect(await page.getByRole('region', { name: 'Tags', exact: true }).textContent()).toContain('feature');
    expect(await page.getByRole('region', { name: 'Contexts', exact: true }).textContent()).toContain(
      'order',
    );
    expect(await page.getByRole('region', { name: 'SDK', exact: true }).textContent()).toContain(
      'sentry.javascript.node',
    );
    await shot(page, 'issue-detail');
  });

  it('resolves the issue, and the next event of it regresses it', async () => {
    const { page, org, dsn, issueId } = await begin({ issue: true });
    await page.goto(`${t.url}/organizations/${org}/issues/${issueId}/`);
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.locator('.issue-header .status-resolved').waitFor();
    await page.getByRole('button', { name: 'Unresolve' }).waitFor();

    await sendError(dsn);
    await reloadUntil(page, page.locator('.issue-header .substatus-regressed'));
    expect(await page.locator('.issue-header .status').textContent()).toBe('Unresolved');
    expect(await page.locator('.issue-stats').textContent()).toContain('Events2');
    // The newest event is shown; the older one is a click away.
    await page.getByRole('link', { name: 'Older' }).click();
    await page.getByRole('link', { name: 'Newer' }).waitFor();
    await shot(page, 'issue-detail-regressed');
  });

  it('shows a release made by sentry-cli: listed, its deploy and new issue, linked from the issue, which resolves in the next release', async () => {
    const { page, context, org, dsn, ids } = await begin({ project: true });
    // Sentry allows @, +, spaces and parentheses in versions: every link must carry them intact.
    const version = 'checkout@2.0.0+build 7 (rc)';
    const releasePage = `${t.url}/organizations/${org}/releases/${encodeURIComponent(version)}/`;
    await page.goto(`${t.url}/organizations/${org}/releases/`);
    await page.getByRole('heading', { name: 'No releases yet' }).waitFor();
    await shot(page, 'releases-empty');

    const { token } = await createOrgToken(t.server.ctx, {
      organizationId: ids.org,
      orgSlug: org,
      name: 'ci',
      scopes: [...DEFAULT_ORG_TOKEN_SCOPES],
      createdById: ids.owner,
    });
    const cli = async (...args: string[]) => {
      const result = await run(SENTRY_CLI, args, {
        env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: token, SENTRY_LOG_LEVEL: 'warn', HOME: '/tmp' },
      });
      expect(result.code, result.stderr).toBe(0);
    };
    // Older releases than a page holds, so that the list has a second page.
    for (let i = 0; i < 25; i++) {
      const made = await fetch(`${t.url}/api/0/organizations/${org}/releases/`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ version: `0.0.${i}`, projects: ['checkout'] }),
      });
      expect(made.status).toBe(201);
    }
    await cli('releases', 'new', '-o', org, '-p', 'checkout', version);
    await cli(
      'deploys',
      'new',
      '-o',
      org,
      '-r',
      version,
      '-e',
      'production',
      '-n',
      'deploy 7',
      '-u',
      'https://checkout.example/',
    );
    await sendError(dsn, version);
    const issueId = await poll('the issue first seen in the release', async () => {
      const listed = await context.request.get(
        `${t.url}/api/0/organizations/${org}/issues/?query=${encodeURIComponent(`firstRelease:"${version}"`)}`,
      );
      return ((await listed.json()) as { id: string }[])[0]?.id;
    });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
    const row = page.getByRole('row', { name: /2\.0\.0\+build 7 \(rc\)/ });
    await reloadUntil(page, row);
    expect(await row.textContent()).toContain('production');
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('1');
    await page.getByLabel('Project').selectOption('checkout');
    await page.waitForURL(/[?&]project=\d+/);
    await row.waitFor();
    await shot(page, 'releases');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/[?&]cursor=/);
    await page.getByRole('link', { name: '0.0.0', exact: true }).waitFor();
    expect(await row.count()).toBe(0);
    await page.getByRole('button', { name: 'Previous' }).click();
    await row.waitFor();
    // The deploy named "production"; the older releases named no environment.
    await page.getByLabel('Environment').selectOption('production');
    await page.waitForURL(/[?&]environment=production/);
    await page.getByRole('button', { name: 'Next' }).waitFor({ state: 'detached' });
    await row.waitFor();
    expect(await page.getByRole('row').count()).toBe(2);
    await page.getByLabel('Environment').selectOption('');
    await page.getByRole('button', { name: 'Next' }).waitFor();

    await row.getByRole('link', { name: '2.0.0+build 7 (rc)' }).click();
    await page.waitForURL(releasePage);
    await page.getByRole('heading', { level: 1, name: version }).waitFor();
    const deploys = page.getByRole('region', { name: 'Deploys' });
    const deploy = deploys.getByRole('row', { name: /production/ });
    await deploy.waitFor();
    expect(await deploy.textContent()).toContain('deploy 7');
    expect(await deploy.getByRole('link').getAttribute('href')).toBe('https://checkout.example/');
    await page.getByRole('region', { name: 'Commits' }).getByText('No commits.').waitFor();
    const newIssue = page
      .getByRole('region', { name: 'New issues' })
      .getByRole('link', { name: ISSUE_TITLE });
    await newIssue.waitFor();
    await shot(page, 'release-detail');
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'release-detail-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });

    await newIssue.click();
    await page.waitForURL(`${t.url}/organizations/${org}/issues/${issueId}/`);
    const firstRelease = page
      .getByRole('complementary', { name: 'Issue summary' })
      .locator('dt:text-is("First release") + dd')
      .getByRole('link');
    expect(await firstRelease.getAttribute('href')).toBe(new URL(releasePage).pathname);
    await firstRelease.click();
    await page.getByRole('heading', { level: 1, name: version }).waitFor();
    await page.goBack();

    await page.getByLabel('More ways to resolve').click();
    await page.getByRole('button', { name: `Resolve in this release (${version})` }).waitFor();
    await shot(page, 'issue-resolve-menu');
    const sent = page.waitForRequest((r) => r.method() === 'PUT' && r.url().includes(`/issues/${issueId}/`));
    await page.getByRole('button', { name: 'Resolve in next release' }).click();
    expect((await sent).postDataJSON()).toEqual({
      status: 'resolved',
      statusDetails: { inNextRelease: true },
    });
    await page.getByRole('button', { name: 'Unresolve' }).waitFor();
    const issue = (await (
      await context.request.get(`${t.url}/api/0/organizations/${org}/issues/${issueId}/`)
    ).json()) as {
      status: string;
      statusDetails: { inNextRelease?: boolean };
    };
    expect(issue.status).toBe('resolved');
    // The page says how it was resolved exactly when the API does.
    const said = page.locator('.issue-header .resolution');
    expect(await said.count()).toBe(issue.statusDetails.inNextRelease ? 1 : 0);
    if (issue.statusDetails.inNextRelease) expect(await said.textContent()).toBe('Resolved in next release');
    await shot(page, 'issue-resolved-in-next-release');
  });

  it('assigns and ignores selected issues from the stream, and finds them under Ignored', async () => {
    const { page, org, email } = await begin({ issue: true });
    await page.goto(`${t.url}/organizations/${org}/issues/`);
    const select = page.getByRole('checkbox', { name: 'Select CHECKOUT-1' });
    await select.check();
    await page.getByLabel('Assign selected issues').selectOption({ label: email });
    await page.getByRole('status').filter({ hasText: 'Assigned 1 issue.' }).waitFor();
    await page.locator('li.issue .assignee', { hasText: email }).waitFor();

    await select.check();
    await page
      .getByRole('toolbar', { name: 'Actions on selected issues' })
      .getByText('Ignore', { exact: true })
      .click();
    await page.getByRole('button', { name: 'Ignore for 30 minutes' }).click();
    await page.getByRole('status').filter({ hasText: 'Ignored 1 issue.' }).waitFor();
    await page.getByRole('heading', { name: 'No issues match' }).waitFor();

    await page
      .getByRole('navigation', { name: 'Issue status' })
      .getByRole('link', { name: 'Ignored' })
      .click();
    await page.waitForURL(/query=is%3Aignored/);
    await page.locator('li.issue').waitFor();
    // The tab says the issue is ignored; its row need not say it again.
    expect(await page.locator('li.issue .badge.status').count()).toBe(0);
    await select.check();
    await page.getByRole('button', { name: 'Unresolve' }).click();
    await page.getByRole('status').filter({ hasText: 'Marked 1 issue unresolved.' }).waitFor();
    await page.getByRole('heading', { name: 'No issues match' }).waitFor();
  });

  it('creates a project:read token that lists projects but may not delete one', async () => {
    const { page, org, team } = await begin({ project: true });
    await page.goto(`${t.url}/organizations/${org}/projects/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Personal tokens', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No personal tokens' }).waitFor();
    await page.getByLabel('Name').fill('read-only');
    for (const scope of ['org:read', 'event:read']) await page.getByLabel(scope, { exact: true }).uncheck();
    await page.getByLabel('project:read', { exact: true }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByLabel('New token').inputValue();
    expect(token).toMatch(/^sntryu_[0-9a-f]{64}$/);

    const auth = { Authorization: `Bearer ${token}` };
    const list = await fetch(`${t.url}/api/0/teams/${org}/${team}/projects/`, { headers: auth });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { slug: string }[]).map((p) => p.slug)).toEqual(['checkout']);
    const removal = await fetch(`${t.url}/api/0/projects/${org}/checkout/`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(removal.status).toBe(403);
    expect(await removal.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect((await fetch(`${t.url}/api/0/projects/${org}/checkout/`, { headers: auth })).status).toBe(200);

    // Shown once: after "I have copied it" only the last characters remain, with the last use.
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.reload();
    const tokenRow = page.getByRole('row', { name: /read-only/ });
    expect(await tokenRow.textContent()).toContain(`…${token.slice(-4)}`);
    expect(await tokenRow.textContent()).toContain('project:read');
    expect(await tokenRow.textContent()).not.toContain('never');
    expect(await page.locator('body').textContent()).not.toContain(token);
  });

  it("manages the project: its DSN key's rate limit and state, and its name", async () => {
    const { page, org, dsn } = await begin({ project: true });
    await page.goto(`${t.url}/settings/${org}/projects/checkout/keys/`);
    expect(await page.getByLabel('DSN of Default').inputValue()).toBe(dsn);
    await page.getByLabel('At most').fill('100');
    await page.getByLabel('events per').selectOption('3600');
    await page.getByRole('button', { name: 'Save limit' }).click();
    await page.getByRole('status').filter({ hasText: 'Rate limit saved.' }).waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: 'Key disabled' }).waitFor();
    const keys = await page.evaluate(
      (slug) =>
        fetch(`/api/0/projects/${slug}/checkout/keys/`).then(
          (r) => r.json() as Promise<{ isActive: boolean; rateLimit: unknown }[]>,
        ),
      org,
    );
    expect(keys.map((k) => [k.isActive, k.rateLimit])).toEqual([[false, { count: 100, window: 3600 }]]);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('status').filter({ hasText: 'Key enabled.' }).waitFor();

    await page
      .getByRole('navigation', { name: 'Project settings' })
      .getByRole('link', { name: 'General' })
      .click();
    await page.getByLabel('Name').fill('Checkout service');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('heading', { name: 'Checkout service' }).waitFor();
  });

  it('invites a member and creates an organization token', async () => {
    const { page, org } = await begin();
    await page.goto(`${t.url}/settings/${org}/members/`);
    const invite = page.getByRole('form', { name: 'Invite a member' });
    await invite.getByLabel('Email').fill('bob@example.com');
    await invite.getByRole('combobox').selectOption('manager');
    await invite.getByRole('button', { name: 'Invite' }).click();
    expect(await page.getByLabel('Invite link').inputValue()).toMatch(
      new RegExp(`/accept/${org}/\\d+/[\\w-]+/$`),
    );
    const row = page.getByRole('row', { name: /bob@example\.com/ });
    expect(await row.textContent()).toContain('Invited');
    expect(await row.getByRole('combobox').inputValue()).toBe('manager');

    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Auth tokens' })
      .click();
    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByLabel('New token').inputValue();
    expect(token).toMatch(/^sntrys_/);
    const root = await fetch(`${t.url}/api/0/`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await root.json()) as { auth: { scopes: string[] } }).auth.scopes).toEqual(['org:ci']);
  });

  it('works on a narrow screen and from the keyboard', async () => {
    const { page, org } = await begin({ issue: true });
    const overflow = () =>
      page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    const focused = () =>
      page.evaluate<string>('document.activeElement?.id || document.activeElement?.textContent || ""');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/organizations/${org}/issues/?query=`);
    await page.getByRole('link', { name: /card declined/ }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, 'issue-stream-narrow');

    // "/" jumps to the search box; Tab goes on through the page to the issue; Enter opens it.
    await page.locator('body').press('/');
    expect(await focused()).toBe('issue-search');
    for (let i = 0; i < 30 && !(await focused()).includes('card declined'); i++)
      await page.keyboard.press('Tab');
    expect(await focused()).toContain('card declined');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /card declined/ }).waitFor();
    await shot(page, 'issue-detail-narrow');
    expect(await overflow()).toBeLessThanOrEqual(0);

    await page.goBack();
    await page.locator('body').press('/');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('is:resolved');
    await page.keyboard.press('Enter');
    await page.waitForURL(/query=is%3Aresolved/);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs out', async () => {
    const { page, org, context } = await begin();
    await page.goto(`${t.url}/organizations/${org}/issues/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/auth\/login\//);
    const root = await page.evaluate(() =>
      fetch('/api/0/').then((r) => r.json() as Promise<{ user: unknown }>),
    );
    expect(root.user).toBeNull();
    expect((await context.cookies()).map((c) => c.name)).not.toContain('errata_session');
  });
});
