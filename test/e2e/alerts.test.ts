import { createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSigningKey } from '../../src/alerts/webhooks.js';
import { type Delivery, listDeliveries } from '../../src/store/region/notification-outbox.js';
import { TEST_ENGINES } from '../support/engines.js';
import { errorEvent, eventEnvelope, newEventId } from '../support/envelopes.js';
import { makeOrg, makeToken, makeUser } from '../support/harness.js';
import { api, type DsnParts, inParallel, parseDsn, postEnvelope } from '../support/node-client.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import {
  type HttpReceiver,
  type MailReceiver,
  type ReceivedRequest,
  startHttpReceiver,
  startMailReceiver,
} from '../support/receivers.js';
import {
  firstStartNotice,
  SERVE_START_TIMEOUT_MS,
  type ServeProcess,
  startServe,
  stopServe,
} from '../support/serve-process.js';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

// Issue alert rules end to end: events over HTTP to a listening Errata, rules and the webhooks
// plugin set through the REST API, and what reaches the outside world read where it lands, from a
// real SMTP server and a real HTTP server on loopback.

const SMTP_USER = 'errata';
const SMTP_PASSWORD = 'alert-mail-password';
const SECRET = 'e2e-deployment-webhook-secret-0123456789abcdef';
const FIRST_SEEN = 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition';
const REGRESSION = 'sentry.rules.conditions.regression_event.RegressionEventCondition';
const EVENT_FREQUENCY = 'sentry.rules.conditions.event_frequency.EventFrequencyCondition';
const LEVEL_FILTER = 'sentry.rules.filters.level.LevelFilter';
const TAGGED_EVENT_FILTER = 'sentry.rules.filters.tagged_event.TaggedEventFilter';
const EMAIL = {
  id: 'sentry.mail.actions.NotifyEmailAction',
  targetType: 'IssueOwners',
  fallthroughType: 'ActiveMembers',
};
const WEBHOOKS = {
  id: 'sentry.rules.actions.notify_event_service.NotifyEventServiceAction',
  service: 'webhooks',
};
/** A delivery may take this long after the digest that decided it. */
const DELIVERY_BOUND_MS = 2000;
/** How long "nothing more arrives" is watched: the delivery worker sends within milliseconds. */
const QUIET_MS = 1000;

const smtpUrl = (mail: MailReceiver) => `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${mail.port}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A project made through the REST API, as a user makes one: without Sentry's default rule. */
interface Site {
  readonly base: string;
  readonly token: string;
  readonly org: string;
  readonly project: string;
  readonly projectId: number;
  readonly dsn: DsnParts;
  /** Whose alert email the project's rules send (the owner, alone in the project's team). */
  readonly email: string;
}

async function call<T = unknown>(
  site: Pick<Site, 'base' | 'token'>,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
) {
  const answer = await api<T>(site.base, site.token, method, path, body);
  if (answer.status >= 300)
    throw new Error(`${method} ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function newSite(
  base: string,
  owner: { token: string; org: string; team: string; email: string },
  slug: string,
): Promise<Site> {
  const at = { base, token: owner.token };
  await call(at, 'POST', `teams/${owner.org}/${owner.team}/projects/`, {
    name: slug,
    slug,
    default_rules: false,
  });
  const [key] = await call<{ dsn: { public: string } }[]>(at, 'GET', `projects/${owner.org}/${slug}/keys/`);
  if (!key) throw new Error(`project ${slug} has no key`);
  const dsn = parseDsn(key.dsn.public);
  return { ...at, org: owner.org, project: slug, projectId: dsn.projectId, dsn, email: owner.email };
}

async function addRule(site: Site, rule: Record<string, unknown>): Promise<number> {
  const made = await call<{ id: string }>(site, 'POST', `projects/${site.org}/${site.project}/rules/`, {
    actionMatch: 'all',
    filterMatch: 'all',
    frequency: 5,
    ...rule,
  });
  return Number(made.id);
}

/** Sentry's webhooks plugin of the project: these URLs, enabled. */
async function setWebhooks(site: Site, urls: readonly string[]): Promise<void> {
  const plugin = `projects/${site.org}/${site.project}/plugins/webhooks/`;
  await call(site, 'PUT', plugin, { urls: urls.join('\n') });
  await call(site, 'POST', plugin);
}

/** Sends one error event of `type` (its issue) with these fields; resolves with its id once acknowledged. */
async function send(site: Site, type: string, fields: Record<string, unknown> = {}): Promise<string> {
  const event = errorEvent({ event_id: newEventId(), ...fields }, type);
  const answer = await postEnvelope(site.base, site.dsn, eventEnvelope(event));
  if (answer.status !== 200) throw new Error(`ingest: HTTP ${answer.status} ${answer.failure ?? ''}`);
  return event.event_id;
}

/** Waits until the event is digested (readable), and returns its issue id. */
async function digested(site: Site, eventId: string): Promise<string> {
  return waitFor(
    async () => {
      const read = await api<{ groupID: string }>(
        site.base,
        site.token,
        'GET',
        `projects/${site.org}/${site.project}/events/${eventId}/`,
      );
      return read.status === 200 ? read.body.groupID : undefined;
    },
    { what: `event ${eventId} digested` },
  );
}

/** Verifies both signatures of a webhook request with the project's key. */
function expectSigned(request: ReceivedRequest, projectId: number): void {
  const key = webhookSigningKey(SECRET, projectId);
  const hmac = (text: string) => createHmac('sha256', key).update(text).digest('hex');
  expect(request.headers['sentry-hook-signature']).toBe(hmac(request.raw));
  const signed = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request.headers['errata-signature']));
  expect(signed, 'Errata-Signature').not.toBeNull();
  const [, t, v1] = signed as RegExpExecArray;
  expect(v1).toBe(hmac(`${t}.${request.raw}`));
  expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
  expect(request.headers['sentry-hook-timestamp']).toBe(t);
}

describe.each(TEST_ENGINES)('issue alerts from a listening Errata on %s', (engine) => {
  let t: TestServer;
  let mail: MailReceiver;
  let hooks: HttpReceiver;
  let owners = 0;

  beforeAll(async () => {
    mail = await startMailReceiver(SMTP_USER, SMTP_PASSWORD);
    hooks = await startHttpReceiver();
    t = await startTestServer(engine, {
      ERRATA_SMTP_URL: smtpUrl(mail),
      ERRATA_EMAIL_FROM: 'Errata <errata@example.com>',
      ERRATA_WEBHOOK_SECRET: SECRET,
      ERRATA_OUTBOUND_ALLOW_PRIVATE: '1',
    });
  });
  afterAll(async () => {
    await t?.close();
    await mail?.stop();
    await hooks?.close();
  });

  /** A project of a new owner (their own organization), on `server`. */
  async function siteOn(server: TestServer, slug: string): Promise<Site> {
    const email = `owner-${++owners}-${engine}@alerts.test`;
    const ctx = server.server.ctx;
    const owner = await makeUser(ctx, { email });
    const { org, team } = await makeOrg(ctx, owner, `alerts-${owners}`);
    const token = await makeToken(ctx, owner, ['org:read', 'project:write', 'project:admin', 'event:write']);
    return newSite(server.url, { token, org: org.slug, team: team.slug, email }, slug);
  }

  const emailsTo = (site: Site) => mail.to(site.email);
  const hooksOf = (path: string) => hooks.requests.filter((r) => r.path === path);
  const deliveries = (site: Site): Promise<Delivery[]> =>
    listDeliveries(t.database.db.region, { projectId: site.projectId, limit: 100 });

  describe('a rule for new issues and one for regressions, each emailing and posting to the webhooks plugin', () => {
    let site: Site;
    let issueId: string;
    const type = `CheckoutError${randomBytes(3).toString('hex')}`;
    const path = '/hooks/checkout';

    beforeAll(async () => {
      site = await siteOn(t, 'checkout');
      await setWebhooks(site, [`${hooks.url}${path}`]);
      await addRule(site, {
        name: 'New issues',
        conditions: [{ id: FIRST_SEEN }],
        actions: [EMAIL, WEBHOOKS],
      });
      await addRule(site, {
        name: 'Regressions',
        conditions: [{ id: REGRESSION }],
        actions: [EMAIL, WEBHOOKS],
      });
    });

    it('sends one email and one signed webhook for a new issue, within 2 s of the digest that decided them', async () => {
      const eventId = await send(site, type);
      issueId = await digested(site, eventId);
      await waitFor(() => emailsTo(site).length >= 1 && hooksOf(path).length >= 1, {
        what: 'the first alerts',
      });

      // The outbox row is written in the digest transaction, with the digest's time. The receivers
      // hold a message before the worker has recorded its try: wait for the record too.
      const rows = await waitFor(
        async () => {
          const listed = await deliveries(site);
          return listed.length >= 2 && listed.every((d) => d.status !== 'pending') && listed;
        },
        { what: 'both tries recorded' },
      );
      expect(rows.map((d) => [d.channel, d.status, d.attempts]).sort()).toEqual([
        ['email', 'sent', 1],
        ['webhook', 'sent', 1],
      ]);
      const email = rows.find((d) => d.channel === 'email') as Delivery;
      const webhook = rows.find((d) => d.channel === 'webhook') as Delivery;
      const emailIndex = mail.recipients.findIndex((r) => r.includes(site.email));
      const mailedAfter = (mail.receivedAt[emailIndex] as number) - email.dateCreated;
      const [request] = hooksOf(path) as [ReceivedRequest];
      const postedAfter = request.receivedAt - webhook.dateCreated;
      expect(mailedAfter).toBeGreaterThanOrEqual(0);
      expect(mailedAfter).toBeLessThanOrEqual(DELIVERY_BOUND_MS);
      expect(postedAfter).toBeGreaterThanOrEqual(0);
      expect(postedAfter).toBeLessThanOrEqual(DELIVERY_BOUND_MS);

      const [message] = emailsTo(site);
      expect(message?.subject).toContain(type);
      expect(message?.text).toContain(`/organizations/${site.org}/issues/${issueId}/`);
      expect(message?.text).toContain('Rule: New issues');
      expect(request.json).toMatchObject({
        id: issueId,
        project: site.project,
        triggering_rules: ['New issues'],
        event: { event_id: eventId },
      });
      expectSigned(request, site.projectId);
    });

    it('sends nothing for another event of the same issue', async () => {
      expect(await digested(site, await send(site, type))).toBe(issueId);
      // Nothing was decided in the digest transaction, and nothing arrives.
      expect(await deliveries(site)).toHaveLength(2);
      await sleep(QUIET_MS);
      expect(emailsTo(site)).toHaveLength(1);
      expect(hooksOf(path)).toHaveLength(1);
    });

    it('sends one email and one webhook when a new event reopens it after it was resolved', async () => {
      const resolved = await call<{ status: string }>(site, 'PUT', `issues/${issueId}/`, {
        status: 'resolved',
      });
      expect(resolved.status).toBe('resolved');
      expect(await digested(site, await send(site, type))).toBe(issueId);
      await waitFor(() => emailsTo(site).length >= 2 && hooksOf(path).length >= 2, {
        what: 'the regression alerts',
      });
      await sleep(QUIET_MS);
      expect(emailsTo(site)).toHaveLength(2);
      expect(hooksOf(path)).toHaveLength(2);
      expect(emailsTo(site)[1]?.text).toContain('Rule: Regressions');
      const request = hooksOf(path)[1] as ReceivedRequest;
      expect(request.json).toMatchObject({ id: issueId, triggering_rules: ['Regressions'] });
      expectSigned(request, site.projectId);
      expect((await deliveries(site)).map((d) => d.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    });
  });

  it('fires an event-frequency rule once when the count crosses its value, and not again within its interval', async () => {
    const site = await siteOn(t, 'busy');
    const ABOVE = 5;
    await addRule(site, {
      name: 'Busy issue',
      conditions: [{ id: EVENT_FREQUENCY, value: ABOVE, interval: '1m', comparisonType: 'count' }],
      actions: [EMAIL],
    });
    const type = `BusyError${randomBytes(3).toString('hex')}`;
    const burst = async (count: number) => {
      const ids = await inParallel(count, count, () => send(site, type));
      for (const id of ids) await digested(site, id);
    };

    await burst(ABOVE);
    expect(await deliveries(site), `${ABOVE} events are not above ${ABOVE}`).toEqual([]);
    await burst(1);
    await waitFor(() => emailsTo(site).length >= 1, { what: 'the frequency alert' });
    expect(emailsTo(site)[0]?.text).toContain('Events: 6');
    await burst(3);
    expect(await deliveries(site)).toHaveLength(1);
    await sleep(QUIET_MS);
    expect(emailsTo(site)).toHaveLength(1);
  });

  it('holds back new issues that a level filter or a tag filter leaves out', async () => {
    const site = await siteOn(t, 'filtered');
    await addRule(site, {
      name: 'Payment errors',
      conditions: [{ id: FIRST_SEEN }],
      filterMatch: 'all',
      filters: [
        { id: LEVEL_FILTER, match: 'gte', level: '40' },
        { id: TAGGED_EVENT_FILTER, key: 'team', match: 'eq', value: 'payments' },
      ],
      actions: [EMAIL],
    });
    const tag = randomBytes(3).toString('hex');
    const sent = await Promise.all([
      send(site, `WarningOnly${tag}`, { level: 'warning', tags: { team: 'payments' } }),
      send(site, `OtherTeam${tag}`, { level: 'error', tags: { team: 'search' } }),
      send(site, `Untagged${tag}`, { level: 'fatal' }),
      send(site, `PaymentFailed${tag}`, { level: 'fatal', tags: { team: 'Payments' } }),
    ]);
    for (const id of sent) await digested(site, id);
    await waitFor(() => emailsTo(site).length >= 1, { what: 'the filtered alert' });
    await sleep(QUIET_MS);
    expect(emailsTo(site).map((m) => m.subject)).toEqual([expect.stringContaining(`PaymentFailed${tag}`)]);
    expect(await deliveries(site)).toHaveLength(1);
  });

  it('refuses a webhook to a private address without ERRATA_OUTBOUND_ALLOW_PRIVATE, and says why in the delivery history', async () => {
    const guarded = await startTestServer(engine, { ERRATA_WEBHOOK_SECRET: SECRET });
    try {
      const site = await siteOn(guarded, 'guarded');
      const path = '/hooks/private';
      await setWebhooks(site, [`${hooks.url}${path}`]);
      await addRule(site, { name: 'New issues', conditions: [{ id: FIRST_SEEN }], actions: [WEBHOOKS] });
      await digested(site, await send(site, `GuardedError${randomBytes(3).toString('hex')}`));

      const [failed] = await waitFor(
        async () => {
          const rows = await listDeliveries(guarded.database.db.region, {
            projectId: site.projectId,
            limit: 10,
          });
          return rows.length > 0 && rows.every((d) => d.status !== 'pending') && rows;
        },
        { what: 'the webhook to be tried' },
      );
      const reason =
        'refused: 127.0.0.1 is 127.0.0.1, not a public address (ERRATA_OUTBOUND_ALLOW_PRIVATE=1 allows it)';
      expect(failed).toMatchObject({
        channel: 'webhook',
        target: `${hooks.url}${path}`,
        status: 'failed',
        attempts: 1,
        lastError: reason,
        nextAttemptAt: null,
        dateSent: null,
      });
      expect(failed?.history).toEqual([
        { at: expect.any(Number), ok: false, error: reason, durationMs: expect.any(Number) },
      ]);
      expect(hooksOf(path)).toEqual([]);
    } finally {
      await guarded.close();
    }
  });
});

/** Waits until digest has taken every raw envelope in and the delivery workers have settled every notification. */
async function settled(db: pg.Client): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await db.query<{ raw: string; pending: string }>(
        `select (select count(*) from raw_envelopes) as raw,
                (select count(*) from notification_outbox where status = 'pending') as pending`,
      );
      return Number(rows[0]?.raw) === 0 && Number(rows[0]?.pending) === 0;
    },
    { what: 'digest and delivery to settle on both nodes', timeoutMs: 30_000 },
  );
}

describe.skipIf(!TEST_ENGINES.includes('postgres'))(
  'issue alerts from two errata serve processes on one PostgreSQL schema',
  () => {
    let schema: PgSchema;
    let db: pg.Client;
    let mail: MailReceiver;
    const nodes: { serve: ServeProcess; url: string }[] = [];

    beforeAll(async () => {
      mail = await startMailReceiver(SMTP_USER, SMTP_PASSWORD);
      schema = await createPgSchema('errata_alerts');
      for (const name of ['a', 'b']) {
        const port = await freePort();
        const serve = await startServe({
          DATABASE_URL: schema.url({ applicationName: `${schema.name}_${name}` }),
          ERRATA_PORT: String(port),
          ERRATA_LOG_LEVEL: 'warn',
          ERRATA_DIGEST_POLL_MS: '100',
          ERRATA_NOTIFY_POLL_MS: '200',
          ERRATA_SMTP_URL: smtpUrl(mail),
          ERRATA_EMAIL_FROM: 'errata@example.com',
        });
        nodes.push({ serve, url: `http://127.0.0.1:${port}` });
      }
      db = await schema.connect();
    }, 3 * SERVE_START_TIMEOUT_MS);

    afterAll(async () => {
      await db?.end();
      await Promise.all(nodes.map((n) => stopServe(n.serve)));
      await schema?.drop();
      await mail?.stop();
    });

    it('sends one email per rule for 200 events of one new error split across both nodes at once', {
      timeout: 60_000,
    }, async () => {
      const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
      const notice = firstStartNotice(a.serve.output());
      const token = /User token:\s+(\S+)/.exec(notice)?.[1];
      const org = /Organization (\S+), project/.exec(notice)?.[1];
      const email = /Sign in:\s+\S+\s+as\s+(\S+)/.exec(notice)?.[1];
      if (!token || !org || !email) throw new Error(`no first start notice:\n${notice}`);
      const [team] = await call<{ slug: string }[]>(
        { base: a.url, token },
        'GET',
        `organizations/${org}/teams/`,
      );
      const site = await newSite(a.url, { token, org, team: team?.slug as string, email }, 'race-alerts');
      const rules = [
        await addRule(site, { name: 'New issues', conditions: [{ id: FIRST_SEEN }], actions: [EMAIL] }),
        await addRule(site, {
          name: 'More than 50 a minute',
          conditions: [{ id: EVENT_FREQUENCY, value: 50, interval: '1m' }],
          actions: [EMAIL],
        }),
      ];

      const type = `RaceAlert${randomBytes(4).toString('hex')}`;
      const answers = await inParallel(200, 40, async (i) => {
        const event = errorEvent({ event_id: newEventId() }, type);
        return postEnvelope((i % 2 === 0 ? a : b).url, site.dsn, eventEnvelope(event));
      });
      expect(answers.filter((x) => x.status !== 200).map((x) => `${x.status} ${x.failure ?? ''}`)).toEqual(
        [],
      );
      await settled(db);

      const events = await db.query<{ n: string; issues: string }>(
        'select count(*) as n, count(distinct issue_id) as issues from events where project_id = $1',
        [site.projectId],
      );
      expect(events.rows.map((r) => [Number(r.n), Number(r.issues)])).toEqual([[200, 1]]);
      const outbox = await db.query<{ rule_id: string; status: string }>(
        'select rule_id, status from notification_outbox where project_id = $1 order by rule_id',
        [site.projectId],
      );
      expect(outbox.rows.map((r) => [Number(r.rule_id), r.status])).toEqual(rules.map((id) => [id, 'sent']));
      // Counted where the mail lands: two, one per rule.
      const received = mail.to(email);
      expect(received.map((m) => /Rule: (.*)/.exec(m.text ?? '')?.[1]).sort()).toEqual([
        'More than 50 a minute',
        'New issues',
      ]);
      for (const message of received) expect(message.subject).toContain(type);
    });
  },
);
