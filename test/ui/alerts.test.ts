import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMember } from '../../src/store/region/members.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeUser } from '../support/harness.js';
import {
  type HttpReceiver,
  type MailReceiver,
  startHttpReceiver,
  startMailReceiver,
} from '../support/receivers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// The Alerts pages of the web UI in Debian's headless Chromium against a real listening Errata
// that mails through a real SMTP server and posts to a real HTTP receiver: a project's rules, the
// rule editor (conditions, filters, actions in words, server errors at the field), a test
// notification, a rule's delivery history, deleting; and what a member who may not change rules sees.

const PASSWORD = 'correct horse battery';
const SMTP_USER = 'errata';
const SMTP_PASSWORD = 'alerts-ui';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

describe.each(TEST_ENGINES)('alert rules in the web UI on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  let mail: MailReceiver;
  let http: HttpReceiver;
  const contexts: BrowserContext[] = [];
  const shot = (page: Page, name: string) =>
    screenshot(page, engine === 'sqlite' ? name : `${name}-${engine}`);

  async function signedIn(email: string) {
    const { context, page } = await browser.newPage();
    contexts.push(context);
    const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(login.status(), await login.text()).toBe(200);
    return page;
  }

  beforeAll(async () => {
    mail = await startMailReceiver(SMTP_USER, SMTP_PASSWORD);
    http = await startHttpReceiver();
    t = await startTestServer(engine, {
      ERRATA_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${mail.port}`,
      ERRATA_EMAIL_FROM: 'Errata <errata@example.com>',
      ERRATA_OUTBOUND_ALLOW_PRIVATE: '1',
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await browser?.close();
    await t?.close();
    await mail?.stop();
    await http?.close();
  });

  it('lists, creates, edits, tests, shows the history of and deletes a rule', async () => {
    const email = `alerts-owner@${engine}.test`;
    const owner = await makeUser(t.server.ctx, { email });
    const { org, team } = await makeOrg(t.server.ctx, owner, `alerts-${engine}`);
    await makeProject(t.server.ctx, org, team, 'checkout');
    const page = await signedIn(email);

    await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.waitForURL(`${t.url}/organizations/${org.slug}/alerts/rules/`);
    await page.getByRole('heading', { name: 'Alert rules', level: 1 }).waitFor();
    // The project's default rule, in words.
    const defaultRule = page.getByRole('listitem').filter({ hasText: 'Send a notification for new issues' });
    await defaultRule.getByText('A new issue is created').waitFor();
    await defaultRule.getByText('Never fired').waitFor();

    await page.getByRole('link', { name: 'Create alert rule' }).click();
    await page.waitForURL(/\/alerts\/new\/issue\/\?project=checkout$/);
    await page.getByLabel('Rule name').fill('Checkout is on fire');
    await page.getByLabel('When: how many must match').selectOption('any');
    await page
      .getByLabel('Add a condition')
      .selectOption({ label: 'The issue is seen more than N times in an interval' });
    await page.getByLabel('Number of events').fill('50');
    await page.getByLabel('Interval').selectOption('15m');
    await page.getByLabel('Add a filter').selectOption({ label: "The event's level is…" });
    await page.getByLabel('Level', { exact: true }).selectOption('50');
    await page.getByLabel('Add a filter').selectOption({ label: "The event's tag…" });
    await page.getByLabel('Tag', { exact: true }).fill('browser');
    await page.getByLabel('Tag comparison').selectOption('co');
    await page.getByLabel('Tag value').fill('Chrome');
    await page.getByLabel('Email recipients').selectOption('Member');
    await page.getByLabel('Member', { exact: true }).selectOption({ label: email });
    await page.getByLabel('Add an action').selectOption({ label: 'Post to a Slack incoming webhook' });
    // A URL the server refuses: its error shows at the actions.
    await page.getByLabel('Slack incoming webhook URL').fill('ftp://hooks.example/x');
    await page.getByLabel('Perform actions at most once every').selectOption({ label: 'hour' });
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page
      .getByRole('group', { name: 'Then' })
      .getByRole('alert')
      .filter({ hasText: 'actions[1].webhookUrl: Enter an http or https URL.' })
      .waitFor();
    await shot(page, 'alert-rule-field-error');
    await page.getByLabel('Slack incoming webhook URL').fill(`${http.url}/services/T1/B1/secret-part`);
    await page.getByRole('button', { name: 'Create rule' }).click();

    await page.waitForURL(/\/alerts\/rules\/checkout\/\d+\/details\/$/);
    await page.getByRole('heading', { name: 'Checkout is on fire', level: 1 }).waitFor();
    await page.getByText('When any of these happen').waitFor();
    await page.getByText('The issue is seen more than 50 times in 15m').waitFor();
    await page.getByText("The event's level is greater than or equal to fatal").waitFor();
    await page.getByText("The event's tags match browser contains Chrome").waitFor();
    await page.getByText('once every hour per issue').waitFor();
    await page.getByRole('heading', { name: 'Nothing sent yet' }).waitFor();

    await page.getByRole('link', { name: 'Edit rule' }).click();
    await page.getByLabel('Rule name').fill('Checkout is burning');
    const mailed = mail.messages.length;
    const posted = http.requests.length;
    await page.getByRole('button', { name: 'Send test notification' }).click();
    await page.getByRole('status').filter({ hasText: 'Test notification sent' }).waitFor();
    expect(mail.messages.length).toBe(mailed + 1);
    expect(mail.recipients.at(-1)).toEqual([email]);
    expect(mail.messages.at(-1)?.subject).toMatch(/^\[Errata\] TEST CHECKOUT-/);
    expect(http.requests.length).toBe(posted + 1);
    expect(http.requests.at(-1)?.path).toBe('/services/T1/B1/secret-part');
    await shot(page, 'alert-rule-edit');
    await page.getByRole('button', { name: 'Save rule' }).click();

    await page.getByRole('heading', { name: 'Checkout is burning', level: 1 }).waitFor();
    const history = page.getByRole('table');
    await history.getByRole('row').filter({ hasText: email }).getByText('sent').waitFor();
    const slackRow = history.getByRole('row').filter({ hasText: 'Slack' });
    await slackRow.getByText(`${http.url}/…`).waitFor();
    expect(await history.textContent()).not.toContain('secret-part');
    await shot(page, 'alert-rule-history');

    await page.getByRole('link', { name: 'Alert rules' }).click();
    const card = page.getByRole('listitem').filter({ hasText: 'Checkout is burning' });
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Rule “Checkout is burning” deleted.' }).waitFor();
    await card.waitFor({ state: 'detached' });
    await page.getByRole('listitem').filter({ hasText: 'Send a notification for new issues' }).waitFor();
  });

  it('shows the test failure per action, and a project a member may not reach as refused', async () => {
    const email = `alerts-owner-2@${engine}.test`;
    const owner = await makeUser(t.server.ctx, { email });
    const { org, team } = await makeOrg(t.server.ctx, owner, `alerts-two-${engine}`);
    await makeProject(t.server.ctx, org, team, 'billing');
    const page = await signedIn(email);
    http.answer = (_, response) => response.writeHead(500).end('receiver is down');
    try {
      await page.goto(`${t.url}/organizations/${org.slug}/alerts/new/issue/?project=billing`);
      await page.getByLabel('Email recipients').selectOption('Team');
      await page.getByLabel('Team', { exact: true }).selectOption({ label: `#${team.slug}` });
      await page.getByLabel('Add an action').selectOption({ label: 'Post to a Discord webhook' });
      await page.getByLabel('Discord webhook URL').fill(`${http.url}/api/webhooks/1/x`);
      await page.getByRole('button', { name: 'Send test notification' }).click();
      const failure = page.getByRole('alert').filter({ hasText: 'The test notification failed' });
      await failure
        .getByText(/Send a notification to a Discord webhook .*HTTP 500: receiver is down/)
        .waitFor();
      await shot(page, 'alert-rule-test-failed');
    } finally {
      http.answer = (_, response) => response.writeHead(200).end('ok');
    }

    // A member outside the project's team, membership closed: the API refuses, the page says so.
    const memberEmail = `alerts-member@${engine}.test`;
    const member = await makeUser(t.server.ctx, { email: memberEmail });
    await insertMember(t.server.ctx.db.region, {
      organizationId: org.id,
      userId: member.id,
      email: memberEmail,
      role: 'member',
      inviteTokenHash: null,
      inviterId: null,
      now: Date.now(),
    });
    await t.server.ctx.db.region
      .updateTable('organizations')
      .set({ open_membership: 0 })
      .where('id', '=', org.id)
      .execute();
    const other = await signedIn(memberEmail);
    await other.goto(`${t.url}/organizations/${org.slug}/alerts/rules/?project=billing`);
    await other.getByRole('heading', { name: 'Alert rules', level: 1 }).waitFor();
    await other.getByRole('alert').filter({ hasText: 'You do not have permission' }).waitFor();
    await other.getByText("Read only: you may not change this project's alert rules.").waitFor();
    await shot(other, 'alert-rules-refused');
    expect(await other.getByRole('link', { name: 'Create alert rule' }).count()).toBe(0);
  });
});
