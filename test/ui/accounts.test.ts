import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAlertEmailOptOuts } from '../../src/store/region/notification-settings.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { linkIn } from '../support/mail.js';
import { api } from '../support/node-client.js';
import { type MailReceiver, startMailReceiver } from '../support/receivers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type Browser, buildUi, CHROMIUM, launchBrowser, screenshot } from './browser.js';

// A person's account in the web UI, in Debian's headless Chromium against a real listening
// Errata: recovering it with a reset link, joining an organization from an invitation, and
// choosing what Errata emails them. The links are read from the mail as a real SMTP server took
// it from the server's outbox and delivery worker.

const PASSWORD = 'correct horse battery';
const SMTP_USER = 'errata';
const SMTP_PASSWORD = 'account-mail-password';
const NEW_PASSWORD = 'battery staple horse correct';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (see .ci/run)`);
  }
  await buildUi();
}, 120_000);

describe.each(TEST_ENGINES)('account pages of the web UI on %s', (engine) => {
  let t: TestServer;
  let mail: MailReceiver;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let people = 0;
  const shot = (page: Page, name: string) =>
    screenshot(page, engine === 'sqlite' ? name : `${name}-${engine}`);

  /** A person owning an organization with a project, and a fresh page (signed in if asked). */
  async function begin(signedIn: boolean) {
    const n = ++people;
    const email = `account-${n}@errata.test`;
    const user = await makeUser(t.server.ctx, { email });
    const { org, team } = await makeOrg(t.server.ctx, user, `home-${n}`);
    const { project } = await makeProject(t.server.ctx, org, team, 'checkout');
    const { context, page } = await browser.newPage();
    contexts.push(context);
    if (signedIn) {
      const login = await context.request.post(`${t.url}/api/0/auth/login/`, {
        data: { username: email, password: PASSWORD },
      });
      expect(login.status(), await login.text()).toBe(200);
    }
    return { email, user, org, project, page, context };
  }

  beforeAll(async () => {
    mail = await startMailReceiver(SMTP_USER, SMTP_PASSWORD);
    t = await startTestServer(
      engine,
      {
        ERRATA_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${mail.port}`,
        ERRATA_EMAIL_FROM: 'Errata <errata@example.com>',
      },
      { outboxMail: true },
    );
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await mail?.stop();
  });

  it('resets a forgotten password from the sign-in page, ending the old sessions, then signs in', async () => {
    const { email, org, page } = await begin(false);
    // A session from before, in another browser.
    const elsewhere = await begin(false);
    const before = await elsewhere.context.request.post(`${t.url}/api/0/auth/login/`, {
      data: { username: email, password: PASSWORD },
    });
    expect(before.status()).toBe(200);

    await page.goto(`${t.url}/`);
    await page.waitForURL(/\/auth\/login\//);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(`${t.url}/auth/password-reset/`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `If an account uses ${email}` })
      .waitFor();
    await shot(page, 'password-reset-asked');

    const message = await mail.waitForMessage(email);
    expect(message.from?.value).toEqual([{ address: 'errata@example.com', name: 'Errata' }]);
    const link = linkIn({ text: message.text ?? '' }, `${t.url}/auth/reset/`);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel(/^New password/).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(`${NEW_PASSWORD}!`);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: 'The two passwords differ' }).waitFor();
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await shot(page, 'password-reset-choose');
    await page.getByRole('button', { name: 'Set password' }).click();

    await page.waitForURL(`${t.url}/auth/login/?reset=done`);
    await page.getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor();
    const old = await elsewhere.context.request.get(`${t.url}/api/0/api-tokens/`);
    expect(old.status()).toBe(401);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.url}/organizations/${org.slug}/issues/`);

    // The link worked once.
    const again = await begin(false);
    await again.page.goto(link);
    await again.page.getByLabel(/^New password/).fill('one more passphrase');
    await again.page.getByLabel('Confirm new password').fill('one more passphrase');
    await again.page.getByRole('button', { name: 'Set password' }).click();
    await again.page.getByRole('alert').filter({ hasText: 'invalid or has already been used' }).waitFor();
    await again.page.getByRole('link', { name: 'Ask for a new one' }).click();
    await again.page.waitForURL(`${t.url}/auth/password-reset/`);
  });

  it('joins an organization from the link of an invitation email', async () => {
    const { user, org } = await begin(false);
    const invitee = await makeUser(t.server.ctx, { email: `invitee-${people}@errata.test` });
    const token = await makeToken(t.server.ctx, user, ['member:write']);
    const invited = await api<{ id: string; pending: boolean }>(
      t.url,
      token,
      'POST',
      `organizations/${org.slug}/members/`,
      { email: invitee.email, orgRole: 'member' },
    );
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body.pending).toBe(true);

    const message = await mail.waitForMessage(invitee.email);
    const link = linkIn({ text: message.text ?? '' }, `${t.url}/accept/${org.slug}/`);
    const { context, page } = await browser.newPage();
    contexts.push(context);
    await page.goto(link);
    // Signed out: the sign-in page first, then back to the invitation.
    await page.waitForURL(/\/auth\/login\//);
    await page.getByLabel('Email').fill(invitee.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(link);
    await page.getByText(`${invitee.email} is invited to`).waitFor();
    await page.getByRole('button', { name: `Join ${org.name}` }).click();
    await page.waitForURL(`${t.url}/organizations/${org.slug}/issues/`);

    const member = await api<{ pending: boolean; email: string }>(
      t.url,
      token,
      'GET',
      `organizations/${org.slug}/members/${invited.body.id}/`,
    );
    expect(member.body).toMatchObject({ email: invitee.email, pending: false });
  });

  it("turns workflow email and one project's alert email off on the Notifications page", async () => {
    const { user, org, project, page } = await begin(true);
    await page.goto(`${t.url}/organizations/${org.slug}/issues/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Notifications' })
      .click();
    await page.waitForURL(`${t.url}/settings/account/notifications/`);
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();

    const workflow = page.getByLabel('Email me when someone else assigns an issue to me');
    expect(await workflow.isChecked()).toBe(true);
    await workflow.uncheck();
    const alerts = page.getByRole('group', { name: org.name }).getByLabel(project.name);
    expect(await alerts.isChecked()).toBe(true);
    await alerts.uncheck();
    await shot(page, 'notification-settings');

    const read = async (path: string) =>
      (await page.context().request.get(`${t.url}/api/0/users/me/notification-settings/${path}`)).json();
    await expect.poll(() => read('')).toEqual({ workflowEmail: false });
    await expect
      .poll(() => listAlertEmailOptOuts(t.server.ctx.db.region, project.id))
      .toEqual(new Set([user.id]));
    // As stored: after a reload the boxes show the same.
    await page.reload();
    await page.getByRole('group', { name: org.name }).getByLabel(project.name).waitFor();
    expect(await page.getByLabel('Email me when someone else assigns an issue to me').isChecked()).toBe(
      false,
    );
    expect(await page.getByRole('group', { name: org.name }).getByLabel(project.name).isChecked()).toBe(
      false,
    );
  });
});
