import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_ACTION, FIRST_SEEN, SLACK_WEBHOOK_ACTION } from '../../src/alerts/rule-model.js';
import { EMAIL_OFF_NOTE } from '../../src/api/serializers/alert-rule.js';
import { claimRuleFires } from '../../src/store/region/alert-rule-fires.js';
import { insertMember } from '../../src/store/region/members.js';
import type { Organization, Project, Team, User } from '../../src/store/types.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeIssue,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';
import {
  type HttpReceiver,
  type MailReceiver,
  REFUSED_MAILBOX,
  startHttpReceiver,
  startMailReceiver,
} from '../support/receivers.js';

// A rule's delivery history (GET …/rules/{rule}/deliveries/), Sentry's test of a rule's actions
// (POST …/rule-actions/) against a real SMTP server and HTTP receiver, and the note a rule that
// emails carries while email is off.

const SMTP_USER = 'errata';
const SMTP_PASSWORD = 'rule-actions';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Site {
  h: Harness;
  owner: User;
  org: Organization;
  project: Project;
  team: Team;
  token: string;
  base: string;
}

describe.each(TEST_ENGINES)('rule deliveries and test notifications on %s', (engine) => {
  let mail: MailReceiver;
  let http: HttpReceiver;
  /** Email on, webhooks may reach loopback (the receivers). */
  let on: Site;
  /** Email off, loopback refused: the server's defaults. */
  let off: Site;

  async function site(overrides: Record<string, string>, label: string): Promise<Site> {
    const h = await createHarness(engine, overrides);
    const owner = await makeUser(h.ctx, { email: `owner-${label}@rules.test` });
    const { org, team } = await makeOrg(h.ctx, owner, `rules-${label}`);
    const { project } = await makeProject(h.ctx, org, team, 'web');
    const token = await makeToken(h.ctx, owner, ['alerts:write', 'project:read', 'org:read']);
    return { h, owner, org, project, team, token, base: `/api/0/projects/${org.slug}/web/` };
  }

  const call = (s: Site, method: 'GET' | 'POST', path: string, payload?: unknown) =>
    s.h.request({
      method,
      url: `${s.base}${path}`,
      token: s.token,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  async function makeRule(s: Site, actions: unknown[]) {
    const res = await call(s, 'POST', 'rules/', {
      name: 'Checkout errors',
      actionMatch: 'all',
      frequency: 30,
      conditions: [{ id: FIRST_SEEN }],
      actions,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { id: string; errors?: unknown };
  }

  beforeAll(async () => {
    mail = await startMailReceiver(SMTP_USER, SMTP_PASSWORD);
    http = await startHttpReceiver();
    on = await site(
      {
        ERRATA_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${mail.port}`,
        ERRATA_EMAIL_FROM: 'Errata <errata@example.com>',
        ERRATA_OUTBOUND_ALLOW_PRIVATE: '1',
      },
      `on-${engine}`,
    );
    off = await site({}, `off-${engine}`);
  });
  afterAll(async () => {
    await on?.h.close();
    await off?.h.close();
    await mail?.stop();
    await http?.close();
  });

  it('sends a test of each action at once, records it in the rule history, and lists it newest first', async () => {
    const secretPath = '/services/T000/B000/s3cr3t-slack-token';
    const rule = await makeRule(on, [
      { id: EMAIL_ACTION, targetType: 'Member', targetIdentifier: on.owner.id },
      { id: SLACK_WEBHOOK_ACTION, webhookUrl: `${http.url}${secretPath}` },
    ]);
    expect(rule.errors).toBeUndefined();
    const issueId = await makeIssue(on.h.ctx, on.project.id);
    const mailsBefore = mail.messages.length;
    const postsBefore = http.requests.length;

    const test = await call(on, 'POST', 'rule-actions/', {
      ruleId: rule.id,
      actions: [
        { id: EMAIL_ACTION, targetType: 'Member', targetIdentifier: String(on.owner.id) },
        { id: SLACK_WEBHOOK_ACTION, webhookUrl: `${http.url}${secretPath}` },
      ],
    });
    expect(test.statusCode, test.body).toBe(200);
    // Sent before the answer, not by the worker's next round.
    expect(mail.messages.length).toBe(mailsBefore + 1);
    const message = mail.messages.at(-1);
    expect(mail.recipients.at(-1)).toEqual([on.owner.email]);
    expect(message?.subject).toMatch(/^\[Errata\] TEST WEB-/);
    expect(message?.text).toContain('Test notification from web');
    expect(message?.text).toContain('Rule: Checkout errors');
    expect(http.requests.length).toBe(postsBefore + 1);
    expect(http.requests.at(-1)?.path).toBe(secretPath);
    expect((http.requests.at(-1)?.json as { text?: string } | undefined)?.text).toMatch(/^\[TEST\] \[web\]/);

    const history = await call(on, 'GET', `rules/${rule.id}/deliveries/`);
    expect(history.statusCode).toBe(200);
    expect(history.body).not.toContain('s3cr3t');
    const [slack, email] = history.json();
    expect(email).toEqual({
      id: expect.stringMatching(/^\d+$/),
      ruleId: rule.id,
      issueId: String(issueId),
      channel: 'email',
      target: on.owner.email,
      status: 'sent',
      attempts: 1,
      nextAttemptAt: null,
      lastError: null,
      dateCreated: expect.stringMatching(ISO),
      dateSent: expect.stringMatching(ISO),
      tries: [{ date: expect.stringMatching(ISO), ok: true, error: null, durationMs: expect.any(Number) }],
    });
    expect(slack).toMatchObject({ channel: 'slack', target: `${http.url}/…`, status: 'sent', attempts: 1 });
    expect(Number(slack.id)).toBeGreaterThan(Number(email.id));

    // Paginated like every list: one a page, a next page while there is one.
    const first = await call(on, 'GET', `rules/${rule.id}/deliveries/?per_page=1`);
    expect(first.json().map((d: { id: string }) => d.id)).toEqual([slack.id]);
    expect(first.headers.link).toMatch(/rel="next"; results="true"/);
    const second = await call(on, 'GET', `rules/${rule.id}/deliveries/?per_page=1&cursor=0:1:0`);
    expect(second.json().map((d: { id: string }) => d.id)).toEqual([email.id]);
    expect(second.headers.link).toMatch(/rel="next"; results="false"/);

    // The rule list says when it last fired, when asked as Sentry's UI asks.
    const list = await call(on, 'GET', 'rules/?expand=lastTriggered');
    expect(list.json()[0]).toMatchObject({ id: rule.id, lastTriggered: null });
    await claimRuleFires(on.h.ctx.db.region, [{ ruleId: Number(rule.id), issueId }], 0, Date.UTC(2026, 0, 2));
    const fired = await call(on, 'GET', 'rules/?expand=lastTriggered');
    expect(fired.json()[0].lastTriggered).toBe('2026-01-02T00:00:00.000Z');
    expect((await call(on, 'GET', 'rules/')).json()[0]).not.toHaveProperty('lastTriggered');
  });

  it('answers 400 with a reason per failed action: refused mailbox, receiver error, nobody to post to', async () => {
    const member = await makeUser(on.h.ctx, { email: REFUSED_MAILBOX });
    await insertMember(on.h.ctx.db.region, {
      organizationId: on.org.id,
      userId: member.id,
      email: member.email,
      role: 'manager',
      inviteTokenHash: null,
      inviterId: null,
      now: Date.now(),
    });
    http.answer = (_, response) => response.writeHead(500).end('receiver is down');
    const rule = await makeRule(on, [{ id: EMAIL_ACTION, targetType: 'IssueOwners' }]);
    try {
      const res = await call(on, 'POST', 'rule-actions/', {
        ruleId: rule.id,
        actions: [
          { id: EMAIL_ACTION, targetType: 'Member', targetIdentifier: String(member.id) },
          { id: SLACK_WEBHOOK_ACTION, webhookUrl: `${http.url}/hook` },
          { id: 'sentry.rules.actions.notify_event_service.NotifyEventServiceAction', service: 'webhooks' },
        ],
      });
      expect(res.statusCode, res.body).toBe(400);
      const body = res.json() as { actions: string[]; detail: string };
      expect(body.actions).toEqual([
        expect.stringMatching(/^Send a notification to Member \(nobody@example\.com\): email: .*550/),
        expect.stringMatching(
          /^Send a notification to a Slack incoming webhook \(.*\): slack: HTTP 500: receiver is down$/,
        ),
        'Send a notification via webhooks: no URL to post to: the WebHooks plugin is disabled or has no URLs',
      ]);
      expect(body.detail).toContain('The test notification failed');
      // Tried once, failed for good: a test is not retried.
      const history = (await call(on, 'GET', `rules/${rule.id}/deliveries/`)).json();
      expect(history.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual([
        ['failed', 1],
        ['failed', 1],
      ]);
    } finally {
      http.answer = (_, response) => response.writeHead(200).end('ok');
    }
  });

  it('says email is off, on the rule and in a test, and refuses private addresses by default', async () => {
    const rule = await makeRule(off, [{ id: EMAIL_ACTION, targetType: 'IssueOwners' }]);
    expect(rule.errors).toEqual([{ detail: EMAIL_OFF_NOTE }]);
    const webhookOnly = await makeRule(off, [{ id: SLACK_WEBHOOK_ACTION, webhookUrl: `${http.url}/x` }]);
    expect(webhookOnly.errors).toBeUndefined();
    const postsBefore = http.requests.length;

    const res = await call(off, 'POST', 'rule-actions/', {
      actions: [
        { id: EMAIL_ACTION, targetType: 'IssueOwners' },
        { id: SLACK_WEBHOOK_ACTION, webhookUrl: `${http.url}/private` },
      ],
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().actions).toEqual([
      expect.stringMatching(/: email is off: ERRATA_SMTP_URL and ERRATA_EMAIL_FROM are not set$/),
      expect.stringMatching(/refused: 127\.0\.0\.1 is 127\.0\.0\.1, not a public address/),
    ]);
    expect(http.requests.length).toBe(postsBefore);
    // Without a rule id, no rule's history holds the test.
    expect((await call(off, 'GET', `rules/${rule.id}/deliveries/`)).json()).toEqual([]);
  });

  it('refuses a test without actions, with an unknown action or rule, and a rule of another project', async () => {
    const bad = async (payload: unknown, detail: string | RegExp) => {
      const res = await call(off, 'POST', 'rule-actions/', payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().detail).toMatch(detail);
    };
    await bad({}, 'actions: No actions to perform.');
    await bad({ actions: [] }, 'actions: No actions to perform.');
    await bad({ actions: [{ id: 'nope' }] }, "actions[0].id: Invalid node. Could not find 'nope'");
    await bad(
      { actions: [{ id: EMAIL_ACTION, targetType: 'Member', targetIdentifier: '999999' }] },
      'actions[0].targetIdentifier: Member 999999 is not in this organization.',
    );
    await bad(
      { ruleId: '999999', actions: [{ id: EMAIL_ACTION, targetType: 'IssueOwners' }] },
      'ruleId: This project has no such rule.',
    );
    await makeProject(off.h.ctx, off.org, off.team, 'api');
    const other = await makeRule({ ...off, base: `/api/0/projects/${off.org.slug}/api/` }, [
      { id: EMAIL_ACTION, targetType: 'IssueOwners' },
    ]);
    await bad(
      { ruleId: other.id, actions: [{ id: EMAIL_ACTION, targetType: 'IssueOwners' }] },
      'ruleId: This project has no such rule.',
    );
    const unknown = await call(off, 'GET', 'rules/999999/deliveries/');
    expect(unknown.statusCode).toBe(404);
  });
});
