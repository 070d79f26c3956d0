import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import {
  joinTestDatabase,
  openTestDatabase,
  TEST_ENGINES,
  type TestDatabase,
} from '../../test/support/engines.js';
import { makeOrg, makeProject, makeUser, testConfig } from '../../test/support/harness.js';
import {
  type HttpReceiver,
  type MailReceiver,
  REFUSED_MAILBOX,
  startHttpReceiver,
  startMailReceiver,
} from '../../test/support/receivers.js';
import type { NewNotification } from '../alerts/notification-model.js';
import { renderIssueAlertEmail } from '../alerts/render.js';
import {
  renderDiscordMessage,
  renderSlackMessage,
  renderTeamsMessage,
  renderWebhookPayload,
  webhookSigningKey,
} from '../alerts/webhooks.js';
import { assemble } from '../main.js';
import type { ServiceContext } from '../services/context.js';
import { queueEmail } from '../services/mail.js';
import { outboxMailer } from '../services/mailer.js';
import { enqueueNotifications, listDeliveries } from '../store/region/notification-outbox.js';
import type { DeliveryWorker } from './delivery-worker.js';
import { EMAIL_OFF_REASON } from './smtp-sender.js';

const SMTP_USER = 'errata';
// Characters a URL must escape: the password reaches the server as written here.
const SMTP_PASSWORD = 'p@ss:w/rd';
const SECRET = 'test-deployment-webhook-secret-0123456789';
const T0 = Date.UTC(2026, 11, 9, 12, 0, 0);

describe.each(TEST_ENGINES)('notification delivery on %s', (engine) => {
  let t: TestDatabase;
  let mail: MailReceiver;
  let http: HttpReceiver;
  let projectId: number;
  let clock = T0;
  const nodes: { close(): Promise<void> }[] = [];

  /** One Errata process's delivery worker over the test database, with these settings. */
  async function node(
    overrides: Record<string, string> = {},
    options: { database?: TestDatabase; now?: () => number } = {},
  ): Promise<{ ctx: ServiceContext; delivery: DeliveryWorker }> {
    const ctx: ServiceContext = {
      db: (options.database ?? t).db,
      mailer: outboxMailer,
      config: testConfig({
        ERRATA_SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${mail.port}`,
        ERRATA_EMAIL_FROM: 'Errata <errata@example.com>',
        ERRATA_WEBHOOK_SECRET: SECRET,
        ERRATA_OUTBOUND_ALLOW_PRIVATE: '1',
        ERRATA_NOTIFY_MAX_ATTEMPTS: '3',
        ...overrides,
      }),
      now: options.now ?? (() => clock),
    };
    const { app, delivery } = await assemble(ctx);
    nodes.push(app);
    return { ctx, delivery };
  }

  /** A notification to the HTTP receiver (a path), or to any URL. */
  const http_ = (channel: Exclude<NewNotification['channel'], 'email'>, path: string, body: unknown) =>
    ({
      channel,
      message: { url: path.startsWith('http') ? path : `${http.url}${path}`, body },
      ruleId: 3,
      projectId,
      issueId: null,
    }) as NewNotification;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    mail = await startMailReceiver(SMTP_USER, SMTP_PASSWORD);
    http = await startHttpReceiver();
    const ctx: ServiceContext = { db: t.db, config: testConfig(), mailer: outboxMailer, now: () => T0 };
    const user = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, user);
    projectId = (await makeProject(ctx, org, team)).project.id;
  });
  afterAll(async () => {
    for (const each of nodes) await each.close();
    await mail.stop();
    await http.close();
    await t.drop();
  });
  beforeEach(async () => {
    clock = T0;
    mail.messages.length = 0;
    http.requests.length = 0;
    http.answer = (_, response) => response.writeHead(200).end('ok');
    await t.db.region.deleteFrom('notification_outbox').execute();
  });

  it('sends a queued alert email through the SMTP server: headers, text and HTML as rendered', async () => {
    const { delivery } = await node();
    const rendered = renderIssueAlertEmail(makeAlert());
    const id = await queueEmail(t.db.region, { to: 'oncall@example.com', ...rendered }, clock, { projectId });

    expect(await delivery.drain()).toBe(1);
    expect(mail.logins).toContain(SMTP_USER);
    expect(mail.recipients.at(-1)).toEqual(['oncall@example.com']);
    const [message] = mail.messages;
    expect(message?.from?.value).toEqual([{ address: 'errata@example.com', name: 'Errata' }]);
    expect(message?.to).toMatchObject({ value: [{ address: 'oncall@example.com', name: '' }] });
    expect(message?.subject).toBe(rendered.subject);
    expect(message?.text).toBe(rendered.text);
    expect(message?.html).toBe(rendered.html);
    expect(message?.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });

    const [delivered] = await listDeliveries(t.db.region, { projectId, limit: 5 });
    expect(delivered).toMatchObject({ id, status: 'sent', attempts: 1, target: 'oncall@example.com' });
    expect(delivered?.history).toEqual([{ at: T0, ok: true, error: null, durationMs: expect.any(Number) }]);
    expect(await delivery.drain()).toBe(0);
  });

  it('posts webhook, Slack, Discord and Teams messages; the webhook signed with its project key', async () => {
    const { delivery } = await node();
    const alert = makeAlert({ project: { id: projectId, slug: 'backend', name: 'Backend' } });
    const bodies = {
      webhook: renderWebhookPayload(alert),
      slack: renderSlackMessage(alert),
      discord: renderDiscordMessage(alert),
      teams: renderTeamsMessage(alert),
    };
    await t.db.region.transaction().execute((trx) =>
      enqueueNotifications(
        trx,
        (Object.keys(bodies) as (keyof typeof bodies)[]).map((channel) =>
          http_(channel, `/${channel}`, bodies[channel]),
        ),
        clock,
      ),
    );

    expect(await delivery.drain()).toBe(4);
    const byPath = new Map(http.requests.map((r) => [r.path, r]));
    expect([...byPath.keys()].sort()).toEqual(['/discord', '/slack', '/teams', '/webhook']);
    for (const [channel, body] of Object.entries(bodies)) {
      const request = byPath.get(`/${channel}`);
      expect(request?.json).toEqual(body);
      expect(request?.headers['content-type']).toBe('application/json');
    }

    // What a receiver does: recompute the MAC of the raw body with the key its project shows.
    const webhook = byPath.get('/webhook');
    const key = webhookSigningKey(SECRET, projectId);
    const timestamp = webhook?.headers['sentry-hook-timestamp'];
    expect(timestamp).toBe(String(Math.floor(T0 / 1000)));
    expect(webhook?.headers['sentry-hook-signature']).toBe(
      createHmac('sha256', key)
        .update(webhook?.raw ?? '')
        .digest('hex'),
    );
    expect(webhook?.headers['errata-signature']).toBe(
      `t=${timestamp},v1=${createHmac('sha256', key).update(`${timestamp}.${webhook?.raw}`).digest('hex')}`,
    );
    expect(webhook?.headers['request-id']).toMatch(/^errata-notification-\d+$/);
    // Chat services take their URL as the credential: no signature headers for them.
    expect(byPath.get('/slack')?.headers['sentry-hook-signature']).toBeUndefined();

    const listed = await listDeliveries(t.db.region, { ruleId: 3, limit: 10 });
    expect(listed.map((d) => d.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('retries a failing receiver with growing waits, and gives up after the last try keeping its reason', async () => {
    const { delivery } = await node();
    http.answer = (_, response) => response.writeHead(503).end('busy, come back later');
    const [id] = await enqueueNotifications(t.db.region, [http_('webhook', '/down', { a: 1 })], clock);

    expect(await delivery.drain()).toBe(1);
    let [state] = await listDeliveries(t.db.region, { projectId, limit: 1 });
    expect(state).toMatchObject({ id, status: 'pending', attempts: 1, nextAttemptAt: T0 + 30_000 });
    expect(await delivery.drain()).toBe(0);

    clock = T0 + 30_000;
    expect(await delivery.drain()).toBe(1);
    [state] = await listDeliveries(t.db.region, { projectId, limit: 1 });
    expect(state).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: T0 + 30_000 + 60_000 });

    clock = T0 + 90_000;
    expect(await delivery.drain()).toBe(1);
    [state] = await listDeliveries(t.db.region, { projectId, limit: 1 });
    expect(state).toMatchObject({
      status: 'failed',
      attempts: 3,
      nextAttemptAt: null,
      lastError: 'webhook: HTTP 503: busy, come back later',
    });
    expect(state?.history.map((h) => [h.at, h.ok, h.error])).toEqual([
      [T0, false, 'webhook: HTTP 503: busy, come back later'],
      [T0 + 30_000, false, 'webhook: HTTP 503: busy, come back later'],
      [T0 + 90_000, false, 'webhook: HTTP 503: busy, come back later'],
    ]);
    clock = T0 + 86_400_000;
    expect(await delivery.drain()).toBe(0);
    expect(http.requests).toHaveLength(3);
  });

  it("takes a 4xx answer as the receiver's final word", async () => {
    const { delivery } = await node();
    http.answer = (_, response) => response.writeHead(404).end('no such hook');
    await enqueueNotifications(t.db.region, [http_('slack', '/gone', { text: 'x' })], clock);
    await delivery.drain();
    const [state] = await listDeliveries(t.db.region, { projectId, limit: 1 });
    expect(state).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'slack: HTTP 404: no such hook',
    });
  });

  it('sends an email once the mail server is back, the failed tries in its history', async () => {
    const { delivery } = await node();
    await mail.stop();
    try {
      await queueEmail(
        t.db.region,
        { to: 'a@example.com', subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' },
        clock,
        {
          projectId,
        },
      );
      expect(await delivery.drain()).toBe(1);
      clock += 30_000;
      expect(await delivery.drain()).toBe(1);
    } finally {
      await mail.start();
    }
    clock += 60_000;
    expect(await delivery.drain()).toBe(1);
    expect(mail.messages.map((m) => m.subject)).toEqual(['Hi']);

    const [state] = await listDeliveries(t.db.region, { projectId, limit: 1 });
    expect(state).toMatchObject({
      status: 'sent',
      attempts: 3,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(state?.history.map((h) => h.ok)).toEqual([false, false, true]);
    expect(state?.history[0]?.error).toMatch(/^email: .*ECONNREFUSED/);
  });

  it('fails an email at once when the mail server refuses its recipient for good (5xx)', async () => {
    const { delivery } = await node();
    await queueEmail(t.db.region, { to: REFUSED_MAILBOX, subject: 's', text: 't', html: 'h' }, clock);
    expect(await delivery.drain()).toBe(1);
    const [state] = await listDeliveries(t.db.region, { limit: 1 });
    expect(state).toMatchObject({ status: 'failed', attempts: 1 });
    expect(state?.lastError).toMatch(/^email: .*550 No such mailbox/);
  });

  it('retries an email whose login failed (an operator fixes that), and never records the password', async () => {
    const wrong = 'not-the-password';
    const { delivery } = await node({
      ERRATA_SMTP_URL: `smtp://${SMTP_USER}:${wrong}@127.0.0.1:${mail.port}`,
    });
    await queueEmail(t.db.region, { to: 'a@example.com', subject: 's', text: 't', html: 'h' }, clock);
    expect(await delivery.drain()).toBe(1);
    const [state] = await listDeliveries(t.db.region, { limit: 1 });
    expect(state).toMatchObject({ status: 'pending', attempts: 1 });
    expect(state?.lastError).toMatch(/^email: Invalid login/);
    expect(JSON.stringify(state)).not.toContain(wrong);
    expect(mail.messages).toEqual([]);
  });

  it('refuses loopback and private addresses without ERRATA_OUTBOUND_ALLOW_PRIVATE, records it, and does not retry', async () => {
    const { delivery } = await node({ ERRATA_OUTBOUND_ALLOW_PRIVATE: '' });
    await enqueueNotifications(
      t.db.region,
      [http_('webhook', '/literal', {}), http_('discord', `http://localhost:${http.port}/named`, {})],
      clock,
    );
    expect(await delivery.drain()).toBe(2);
    clock += 86_400_000;
    expect(await delivery.drain()).toBe(0);
    expect(http.requests).toEqual([]);
    const listed = await listDeliveries(t.db.region, { projectId, limit: 5 });
    expect(listed.map((d) => [d.status, d.attempts, d.lastError])).toEqual([
      [
        'failed',
        1,
        'refused: localhost is 127.0.0.1, not a public address (ERRATA_OUTBOUND_ALLOW_PRIVATE=1 allows it)',
      ],
      [
        'failed',
        1,
        'refused: 127.0.0.1 is 127.0.0.1, not a public address (ERRATA_OUTBOUND_ALLOW_PRIVATE=1 allows it)',
      ],
    ]);
  });

  it('fails emails at once with the reason when email is off', async () => {
    const { delivery } = await node({ ERRATA_SMTP_URL: '', ERRATA_EMAIL_FROM: '' });
    await queueEmail(t.db.region, { to: 'a@example.com', subject: 's', text: 't', html: 'h' }, clock);
    expect(await delivery.drain()).toBe(1);
    clock += 86_400_000;
    expect(await delivery.drain()).toBe(0);
    const [state] = await listDeliveries(t.db.region, { limit: 1 });
    expect(state).toMatchObject({ status: 'failed', attempts: 1, lastError: EMAIL_OFF_REASON });
    expect(mail.messages).toEqual([]);
  });

  it('sends around a receiver that does not answer: it holds one slot until its timeout', async () => {
    const { delivery } = await node({ ERRATA_NOTIFY_TIMEOUT_MS: '1500', ERRATA_NOTIFY_CONCURRENCY: '2' });
    const answeredAt: number[] = [];
    const started = performance.now();
    http.answer = (request, response) => {
      if (request.path === '/stuck') return;
      answeredAt.push(performance.now() - started);
      response.writeHead(200).end('ok');
    };
    await enqueueNotifications(
      t.db.region,
      [http_('webhook', '/stuck', {}), ...Array.from({ length: 6 }, () => http_('webhook', '/fine', {}))],
      clock,
    );
    expect(await delivery.drain()).toBe(7);
    expect(answeredAt).toHaveLength(6);
    // The six went through the other slot while the first waited out its 1.5 s.
    expect(Math.max(...answeredAt)).toBeLessThan(1400);
    const listed = await listDeliveries(t.db.region, { projectId, limit: 10 });
    expect(listed.find((d) => d.status === 'pending')?.lastError).toBe('webhook: no answer within 1500 ms');
    expect(listed.filter((d) => d.status === 'sent')).toHaveLength(6);
  });

  it('sends each of 100 notifications exactly once with two workers over one database', async () => {
    const second = joinTestDatabase(t);
    nodes.push({ close: () => second.drop() });
    const realTime = { now: () => Date.now() };
    const a = await node({ ERRATA_NOTIFY_CONCURRENCY: '4' }, realTime);
    const b = await node({ ERRATA_NOTIFY_CONCURRENCY: '4' }, { ...realTime, database: second });
    await enqueueNotifications(
      t.db.region,
      Array.from({ length: 100 }, (_, i) => http_('webhook', `/n/${i}`, { i })),
      Date.now(),
    );
    const [sentByA, sentByB] = await Promise.all([a.delivery.drain(), b.delivery.drain()]);
    // Both took part: the claims really raced.
    expect(Math.min(sentByA, sentByB)).toBeGreaterThan(0);
    expect(sentByA + sentByB).toBe(100);
    const paths = http.requests.map((r) => r.path);
    expect(paths).toHaveLength(100);
    expect(new Set(paths).size).toBe(100);
    expect(new Set(http.requests.map((r) => r.headers['request-id'])).size).toBe(100);
    const listed = await listDeliveries(t.db.region, { projectId, limit: 200 });
    expect(listed.every((d) => d.status === 'sent' && d.attempts === 1 && d.history.length === 1)).toBe(true);
  });
});
