import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../../test/support/engines.js';
import { makeIssue, makeOrg, makeProject, makeUser, testConfig } from '../../../test/support/harness.js';
import type { NewNotification } from '../../alerts/notification-model.js';
import type { ServiceContext } from '../../services/context.js';
import { outboxMailer } from '../../services/mailer.js';
import {
  claimNotifications,
  deleteDeliveriesBefore,
  enqueueNotifications,
  listDeliveries,
  markFailed,
  markSent,
} from './notification-outbox.js';

const T0 = Date.UTC(2026, 11, 9, 12, 0, 0);

function email(to: string, projectId: number | null, ruleId: number | null = null): NewNotification {
  return {
    channel: 'email',
    message: { to, subject: 's', text: 't', html: '<p>t</p>' },
    ruleId,
    projectId,
    issueId: null,
  };
}

describe.each(TEST_ENGINES)('the notification outbox on %s', (engine) => {
  let t: TestDatabase;
  let projectId: number;
  let otherProjectId: number;
  let issueId: number;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    const ctx: ServiceContext = { db: t.db, config: testConfig(), mailer: outboxMailer, now: () => T0 };
    const user = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, user);
    projectId = (await makeProject(ctx, org, team)).project.id;
    otherProjectId = (await makeProject(ctx, org, team)).project.id;
    issueId = await makeIssue(ctx, projectId, T0);
  });
  afterAll(() => t.drop());

  const claim = (now: number, limit = 10, leaseMs = 60_000) =>
    claimNotifications(t.db.region, engine, { now, leaseMs, limit });

  it('writes notifications inside the caller transaction: a rollback leaves none', async () => {
    await expect(
      t.db.region.transaction().execute(async (trx) => {
        await enqueueNotifications(trx, [email('rolled@example.com', projectId)], T0);
        throw new Error('digest failed');
      }),
    ).rejects.toThrow('digest failed');
    expect(await listDeliveries(t.db.region, { projectId, limit: 10 })).toEqual([]);
    expect(await enqueueNotifications(t.db.region, [], T0)).toEqual([]);
  });

  it('claims due notifications once per lease, oldest first, and sends each once', async () => {
    const ids = await t.db.region
      .transaction()
      .execute((trx) =>
        enqueueNotifications(trx, [email('a@example.com', projectId), email('b@example.com', projectId)], T0),
      );
    expect(ids).toHaveLength(2);
    const first = await claim(T0, 1);
    expect(first.map((n) => n.id)).toEqual([ids[0]]);
    expect(first[0]).toMatchObject({
      channel: 'email',
      attempts: 0,
      projectId,
      message: { to: 'a@example.com' },
    });
    // Held by its lease: a second claim gets the other one only.
    expect((await claim(T0 + 1000)).map((n) => n.id)).toEqual([ids[1]]);
    expect(await claim(T0 + 2000)).toEqual([]);
    // A worker that stopped mid-send: after the lease, the notification is free again.
    expect((await claim(T0 + 60_001, 1)).map((n) => n.id)).toEqual([ids[0]]);

    await markSent(t.db.region, ids[0] as number, { at: T0 + 60_001, durationMs: 12 });
    await markSent(t.db.region, ids[1] as number, { at: T0 + 60_002, durationMs: 3 });
    expect(await claim(T0 + 999_999)).toEqual([]);
  });

  it('retries a failed try when due, and keeps every reason in the history', async () => {
    const [id] = await enqueueNotifications(
      t.db.region,
      [{ ...email('c@example.com', otherProjectId, 77), issueId }],
      T0,
    );
    await claim(T0);
    await markFailed(
      t.db.region,
      id as number,
      { at: T0, durationMs: 5, error: 'connect ECONNREFUSED' },
      { retryAt: T0 + 30_000 },
    );
    expect(await claim(T0 + 29_999)).toEqual([]);
    const again = await claim(T0 + 30_000);
    expect(again.map((n) => [n.id, n.attempts])).toEqual([[id, 1]]);
    await markFailed(
      t.db.region,
      id as number,
      { at: T0 + 30_000, durationMs: 7, error: 'HTTP 550: no such mailbox' },
      { retryAt: null },
    );
    expect(await claim(T0 + 9_999_999)).toEqual([]);

    const [delivery] = await listDeliveries(t.db.region, { ruleId: 77, limit: 10 });
    expect(delivery).toEqual({
      id,
      channel: 'email',
      target: 'c@example.com',
      ruleId: 77,
      projectId: otherProjectId,
      issueId,
      status: 'failed',
      attempts: 2,
      nextAttemptAt: null,
      lastError: 'HTTP 550: no such mailbox',
      dateCreated: T0,
      dateSent: null,
      history: [
        { at: T0, ok: false, error: 'connect ECONNREFUSED', durationMs: 5 },
        { at: T0 + 30_000, ok: false, error: 'HTTP 550: no such mailbox', durationMs: 7 },
      ],
    });
  });

  it('lists by project, newest first, and shows chat webhook URLs without their secret path', async () => {
    await enqueueNotifications(
      t.db.region,
      [
        {
          channel: 'slack',
          message: { url: 'https://hooks.slack.com/services/T000/B000/secretsecret', body: { text: 'x' } },
          ruleId: 5,
          projectId,
          issueId,
        },
        {
          channel: 'webhook',
          message: { url: 'https://receiver.example/hook?token=abc', body: {} },
          ruleId: 5,
          projectId,
          issueId,
        },
      ],
      T0 + 5,
    );
    const listed = await listDeliveries(t.db.region, { projectId, limit: 3 });
    expect(listed.map((d) => [d.channel, d.target, d.status])).toEqual([
      ['webhook', 'https://receiver.example/hook', 'pending'],
      ['slack', 'https://hooks.slack.com/…', 'pending'],
      ['email', 'b@example.com', 'sent'],
    ]);
    expect(listed[0]?.nextAttemptAt).toBe(T0 + 5);
    expect(listed[2]?.history).toEqual([{ at: T0 + 60_002, ok: true, error: null, durationMs: 3 }]);
    expect(listed[2]?.dateSent).toBe(T0 + 60_005);
  });

  it('forgets old sent and failed notifications with their tries, never pending ones', async () => {
    const before = (await listDeliveries(t.db.region, { limit: 100 })).length;
    expect(await deleteDeliveriesBefore(t.db.region, T0 + 1)).toBe(3);
    const left = await listDeliveries(t.db.region, { limit: 100 });
    expect(left).toHaveLength(before - 3);
    expect(left.every((d) => d.status === 'pending')).toBe(true);
    const tries = await t.db.region.selectFrom('notification_attempts').select('outbox_id').execute();
    expect(tries).toEqual([]);
  });
});
