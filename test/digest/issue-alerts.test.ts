// Issue alert rules through a real digest batch: envelopes digested, grouped and written by
// writeEvents in one transaction, as the digest worker does, with an alert store of the test's own
// (the seam where rules plug in) that records what digest handed it and writes it to the outbox.
import type { Kysely, Updateable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FiredAlert } from '../../src/alerts/alert-notifications.js';
import { DEFAULT_RULE } from '../../src/alerts/default-rule.js';
import {
  type AlertRule,
  EMAIL_ACTION,
  EVENT_FREQUENCY,
  FIRST_SEEN,
  REAPPEARED,
  REGRESSION,
  SERVICE_ACTION,
  SLACK_WEBHOOK_ACTION,
} from '../../src/alerts/rule-model.js';
import { type AlertStore, regionAlertStore } from '../../src/digest/alert-store.js';
import { digestEnvelope, groupEventItems } from '../../src/digest/digest-envelope.js';
import type { IssueAlerting } from '../../src/digest/issue-alerts.js';
import type { EventItem } from '../../src/digest/symbolicate.js';
import { writeEvents } from '../../src/digest/write-events.js';
import type { ServiceContext } from '../../src/services/context.js';
import { insertAlertRule, updateWebhookPlugin } from '../../src/store/region/alert-rules.js';
import { insertMember } from '../../src/store/region/members.js';
import { setAlertEmail } from '../../src/store/region/notification-settings.js';
import { addTeamMember, insertTeam } from '../../src/store/region/teams.js';
import type { IssueTable, RegionSchema } from '../../src/store/schema.js';
import { storedRaw } from '../support/digest.js';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../support/engines.js';
import { envelopeOf, errorEvent } from '../support/envelopes.js';
import { makeOrg, makeProject, makeUser, TEST_URL, testConfig } from '../support/harness.js';
import { RecordingMailer } from '../support/mail.js';

/** An alert store over the test's rules, recording what digest asks and hands it; the outbox is the real one. */
class RecordingStore implements AlertStore {
  readonly rules = new Map<number, AlertRule[]>();
  readonly webhooks = new Map<number, string[]>();
  readonly optedOutUsers = new Map<number, Set<number>>();
  readonly enqueued: FiredAlert[][] = [];
  ruleReads = 0;
  failEnqueue = false;

  async rulesOf(_trx: Kysely<RegionSchema>, projectIds: readonly number[]) {
    this.ruleReads++;
    return new Map(projectIds.flatMap((id) => (this.rules.has(id) ? [[id, this.rules.get(id) ?? []]] : [])));
  }
  async webhookUrls(_trx: Kysely<RegionSchema>, projectId: number) {
    return this.webhooks.get(projectId) ?? [];
  }
  async optedOut(_trx: Kysely<RegionSchema>, projectId: number) {
    return this.optedOutUsers.get(projectId) ?? new Set<number>();
  }
  async enqueue(trx: Kysely<RegionSchema>, fired: readonly FiredAlert[], now: number) {
    if (this.failEnqueue) throw new Error('outbox unavailable');
    this.enqueued.push([...fired]);
    await regionAlertStore().enqueue(trx, fired, now);
  }
  /** Every fired rule handed so far, flattened, and forgotten. */
  take(): FiredAlert[] {
    return this.enqueued.splice(0).flat();
  }
}

let nextRuleId = 1;
function rule(projectId: number, fields: Partial<AlertRule>): AlertRule {
  return {
    id: nextRuleId++,
    projectId,
    name: 'Notify the team',
    actionMatch: 'all',
    filterMatch: 'all',
    frequency: 30,
    environment: null,
    conditions: [],
    filters: [],
    actions: [
      { id: EMAIL_ACTION, targetType: 'IssueOwners', targetIdentifier: '', fallthroughType: 'ActiveMembers' },
    ],
    createdById: null,
    dateCreated: 0,
    ...fields,
  };
}

describe.each(TEST_ENGINES)('issue alerts in digest on %s', (engine) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const store = new RecordingStore();
  let clock = Date.now();
  const alerting: IssueAlerting = { store, baseUrl: TEST_URL, now: () => clock };

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = { db: t.db, config: testConfig(), now: () => Date.now(), mailer: new RecordingMailer() };
  });
  afterAll(() => t.drop());

  /** A project whose team has its owner, a developer, one who turned alert mail off and an invite. */
  async function world() {
    const owner = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, owner);
    const { project } = await makeProject(ctx, org, team);
    const db = t.db.region;
    const join = async (role: string, userId: number | null, email: string, teamId: number) => {
      const member = await insertMember(db, {
        organizationId: org.id,
        userId,
        email,
        role,
        inviteTokenHash: null,
        inviterId: null,
        now: Date.now(),
      });
      await addTeamMember(db, teamId, member.id, null);
    };
    const dev = await makeUser(ctx);
    const quiet = await makeUser(ctx);
    const elsewhere = await makeUser(ctx);
    await join('member', dev.id, dev.email, team.id);
    await join('member', quiet.id, quiet.email, team.id);
    await join('member', null, `invite-${project.id}@example.com`, team.id);
    const other = await insertTeam(db, {
      organizationId: org.id,
      slug: `other-${project.id}`,
      name: 'o',
      now: 0,
    });
    await join('member', elsewhere.id, elsewhere.email, other.id);
    store.optedOutUsers.set(project.id, new Set([quiet.id]));
    return { org, project, owner, dev, quiet };
  }

  /** Digests the events as one batch, in one transaction, as the digest worker does. */
  async function digest(projectId: number, events: readonly Record<string, unknown>[]) {
    await t.db.region.transaction().execute(async (trx) => {
      const items: EventItem[] = [];
      for (const event of events) {
        const body = envelopeOf([{ type: 'event', payload: event }]);
        await digestEnvelope(trx, engine, storedRaw(projectId, body, Date.now()), items);
      }
      await writeEvents(trx, engine, await groupEventItems(trx, items), alerting);
    });
  }

  const setIssue = (id: number, values: Updateable<IssueTable>) =>
    t.db.region.updateTable('issues').set(values).where('id', '=', id).execute();
  const firesOf = (issueId: number) =>
    t.db.region.selectFrom('alert_rule_fires').selectAll().where('issue_id', '=', issueId).execute();
  const boom = (fields: Record<string, unknown> = {}) =>
    errorEvent({ environment: 'production', release: 'web@1.0.0', tags: { region: 'eu' }, ...fields });

  it('alerts on a new issue: its facts, the project team minus invites and opt-outs, the webhook', async () => {
    const { org, project, owner, dev } = await world();
    store.rules.set(project.id, [
      rule(project.id, {
        conditions: [{ id: FIRST_SEEN }],
        actions: [
          { id: EMAIL_ACTION, targetType: 'IssueOwners', targetIdentifier: '' },
          { id: SLACK_WEBHOOK_ACTION, webhookUrl: 'https://hooks.slack.test/T1' },
          { id: SERVICE_ACTION, service: 'webhooks' },
        ],
      }),
    ]);
    store.webhooks.set(project.id, ['https://hooks.example.test/errata']);
    clock = Date.now();
    await digest(project.id, [boom({ user: { id: 'u1' } }), boom({ user: { id: 'u2' }, level: 'fatal' })]);
    const [fired, ...others] = store.take();
    expect(others).toEqual([]);
    const issue = await t.db.region
      .selectFrom('issues')
      .selectAll()
      .where('project_id', '=', project.id)
      .executeTakeFirstOrThrow();
    const ruleId = store.rules.get(project.id)?.[0]?.id;
    expect(fired).toMatchObject({ ruleId, projectId: project.id, issueId: issue.id });
    expect(fired?.alert).toMatchObject({
      baseUrl: TEST_URL,
      organizationSlug: org.slug,
      project: { id: project.id, slug: project.slug, name: project.name },
      issue: {
        id: issue.id,
        shortId: `${project.slug.toUpperCase()}-1`,
        title: 'TypeError: Cannot read properties of undefined (reading "id")',
        culprit: 'loadOrder(orders)',
        level: 'fatal',
        count: 2,
        firstSeen: issue.first_seen,
      },
      event: { environment: 'production', release: 'web@1.0.0' },
      rules: ['Notify the team'],
    });
    expect(fired?.alert.event.tags).toContainEqual(['region', 'eu']);
    expect(fired?.alert.frames.map((f) => f.function)).toEqual(['loadOrder', 'handle']);
    expect(fired?.emails.map((e) => e.userId).sort()).toEqual([owner.id, dev.id].sort());
    expect(fired?.emails.find((e) => e.userId === dev.id)?.email).toBe(dev.email);
    expect(fired?.posts).toEqual([
      { channel: 'slack', url: 'https://hooks.slack.test/T1' },
      { channel: 'webhook', url: 'https://hooks.example.test/errata' },
    ]);
    expect(await firesOf(issue.id)).toEqual([{ rule_id: ruleId, issue_id: issue.id, last_fired_at: clock }]);
    // In the outbox, in the digest's transaction: one mail per recipient, one post per target.
    const outbox = await t.db.region
      .selectFrom('notification_outbox')
      .select(['channel', 'target', 'rule_id', 'issue_id', 'status'])
      .where('project_id', '=', project.id)
      .orderBy('id')
      .execute();
    expect(outbox.map((n) => `${n.channel} ${n.target}`).sort()).toEqual(
      [
        `email ${owner.email}`,
        `email ${dev.email}`,
        'slack https://hooks.slack.test/…',
        'webhook https://hooks.example.test/errata',
      ].sort(),
    );
    expect(
      outbox.every((n) => n.rule_id === ruleId && n.issue_id === issue.id && n.status === 'pending'),
    ).toBe(true);

    // The issue is not new any more: the next batch fires nothing.
    await digest(project.id, [boom()]);
    expect(store.take()).toEqual([]);
  });

  it('alerts on a regression and on an issue that reappears, in the rule environment only', async () => {
    const { project } = await world();
    const regressed = rule(project.id, { conditions: [{ id: REGRESSION }] });
    const back = rule(project.id, { conditions: [{ id: REAPPEARED }], environment: 'production' });
    store.rules.set(project.id, [regressed, back]);
    await digest(project.id, [boom()]);
    const issue = await t.db.region
      .selectFrom('issues')
      .select('id')
      .where('project_id', '=', project.id)
      .executeTakeFirstOrThrow();
    expect(store.take()).toEqual([]);

    await setIssue(issue.id, { status: 'resolved', substatus: null, resolved_at: Date.now() });
    await digest(project.id, [boom()]);
    expect(store.take().map((a) => a.ruleId)).toEqual([regressed.id]);

    // Ignored until a time now past: the next event ends the ignore; in staging the rule is not asked.
    await setIssue(issue.id, {
      status: 'ignored',
      substatus: 'archived_until_condition_met',
      ignore_until: 1,
    });
    await digest(project.id, [boom({ environment: 'staging' })]);
    expect(store.take()).toEqual([]);
    await setIssue(issue.id, {
      status: 'ignored',
      substatus: 'archived_until_condition_met',
      ignore_until: 1,
    });
    await digest(project.id, [boom()]);
    expect(store.take().map((a) => a.ruleId)).toEqual([back.id]);

    // Still ignored after the batch: no rule applies.
    await setIssue(issue.id, { status: 'ignored', substatus: 'archived_forever', ignore_until: null });
    await digest(project.id, [boom()]);
    expect(store.take()).toEqual([]);
  });

  it('fires a frequency rule once the count crosses its value, then rests for its frequency', async () => {
    const { project } = await world();
    const often = rule(project.id, {
      conditions: [{ id: EVENT_FREQUENCY, value: 5, interval: '1h', comparisonType: 'count' }],
      frequency: 30,
    });
    store.rules.set(project.id, [often]);
    clock = Date.now();
    const three = () => [boom(), boom(), boom()];
    await digest(project.id, three());
    expect(store.take()).toEqual([]);
    // 6 > 5 with this batch's 3: counted in the database, this batch's events included.
    await digest(project.id, three());
    const fired = store.take();
    expect(fired.map((a) => [a.ruleId, a.alert.issue.count])).toEqual([[often.id, 6]]);
    await digest(project.id, three());
    expect(store.take()).toEqual([]);
    // Half an hour on, the events are still within the hour: it fires again.
    clock += 30 * 60_000;
    await digest(project.id, [boom()]);
    expect(store.take().map((a) => a.alert.issue.count)).toEqual([10]);
  });

  it('does nothing for a project without rules beyond one read of rules per batch', async () => {
    const { project } = await world();
    const reads = store.ruleReads;
    await digest(project.id, [boom(), boom({ message: 'other', exception: undefined })]);
    await digest(project.id, [boom()]);
    expect(store.ruleReads - reads).toBe(2);
    expect(store.take()).toEqual([]);
    const fires = await t.db.region
      .selectFrom('alert_rule_fires')
      .innerJoin('issues', 'issues.id', 'alert_rule_fires.issue_id')
      .select('rule_id')
      .where('issues.project_id', '=', project.id)
      .execute();
    expect(fires).toEqual([]);
  });

  it('fires nothing when the outbox write fails: the claim rolls back with the batch', async () => {
    const { project } = await world();
    const always = rule(project.id, {});
    store.rules.set(project.id, [always]);
    store.failEnqueue = true;
    try {
      await expect(digest(project.id, [boom()])).rejects.toThrow('outbox unavailable');
    } finally {
      store.failEnqueue = false;
    }
    expect(
      await t.db.region.selectFrom('alert_rule_fires').selectAll().where('rule_id', '=', always.id).execute(),
    ).toEqual([]);
    await digest(project.id, [boom()]);
    expect(store.take().map((a) => a.ruleId)).toEqual([always.id]);
  });

  it("with the region's own store: the default rule mails the team, a rule of the API posts to the webhooks plugin", async () => {
    const { project, owner, dev, quiet } = await world();
    const db = t.db.region;
    // The project got Sentry's default rule when it was created; the API adds another.
    await insertAlertRule(db, {
      ...DEFAULT_RULE,
      name: 'Tell the webhooks',
      actions: [{ id: SERVICE_ACTION, service: 'webhooks' }],
      projectId: project.id,
      createdById: owner.id,
      now: Date.now(),
    });
    await updateWebhookPlugin(
      db,
      project.id,
      { enabled: true, urls: ['https://hooks.example.test/a'] },
      Date.now(),
    );
    await setAlertEmail(db, project.id, quiet.id, false, Date.now());
    const region: IssueAlerting = { store: regionAlertStore(), baseUrl: TEST_URL, now: () => Date.now() };
    const digestWith = (events: Record<string, unknown>[]) =>
      db.transaction().execute(async (trx) => {
        const items: EventItem[] = [];
        for (const event of events)
          await digestEnvelope(
            trx,
            engine,
            storedRaw(project.id, envelopeOf([{ type: 'event', payload: event }])),
            items,
          );
        await writeEvents(trx, engine, await groupEventItems(trx, items), region);
      });
    const outbox = () =>
      db
        .selectFrom('notification_outbox')
        .select(['channel', 'target', 'message'])
        .where('project_id', '=', project.id)
        .execute();

    await digestWith([boom(), boom()]);
    const sent = await outbox();
    expect(sent.map((n) => `${n.channel} ${n.target}`).sort()).toEqual(
      [`email ${owner.email}`, `email ${dev.email}`, 'webhook https://hooks.example.test/a'].sort(),
    );
    const mail = JSON.parse(sent.find((n) => n.channel === 'email')?.message ?? '{}');
    expect(mail.subject).toBe(
      `[Errata] ${project.slug.toUpperCase()}-1 - TypeError: Cannot read properties of undefined (reading "id")`,
    );
    // Not new any more: nothing more.
    await digestWith([boom()]);
    expect(await outbox()).toHaveLength(3);
  });

  it('alerts once for a storm of one issue digested by two transactions at once', async () => {
    const { project } = await world();
    const always = rule(project.id, {});
    store.rules.set(project.id, [always]);
    // The issue exists first, so that both batches count on it rather than each opening one.
    await digest(project.id, [boom()]);
    expect(store.take()).toHaveLength(1);
    clock += 31 * 60_000;
    await Promise.all([digest(project.id, [boom(), boom()]), digest(project.id, [boom(), boom()])]);
    expect(store.take().map((a) => a.ruleId)).toEqual([always.id]);
  });
});
