import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../../test/support/engines.js';
import { makeIssue, makeOrg, makeProject, makeUser, testConfig } from '../../../test/support/harness.js';
import { RecordingMailer } from '../../../test/support/mail.js';
import type { ServiceContext } from '../../services/context.js';
import { insertEvents, type NewEvent } from './events.js';
import { countIssueFrequencies } from './issue-frequencies.js';

const NOW = Date.parse('2026-12-09T12:00:00Z');
const MINUTE = 60_000;

describe.each(TEST_ENGINES)('issue frequency counts on %s', (engine) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let projectId: number;
  let n = 0;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = { db: t.db, config: testConfig(), now: () => Date.now(), mailer: new RecordingMailer() };
    const { org, team } = await makeOrg(ctx, await makeUser(ctx));
    projectId = (await makeProject(ctx, org, team)).project.id;
  });
  afterAll(() => t.drop());

  const event = (
    issueId: number,
    timestamp: number,
    userKey: string | null,
    environment: string | null = 'production',
  ): NewEvent => ({
    projectId,
    issueId,
    eventId: `${++n}`.padStart(32, '0'),
    type: 'error',
    timestamp,
    receivedAt: timestamp,
    level: 'error',
    title: 't',
    message: '',
    culprit: null,
    release: null,
    environment,
    platform: 'node',
    transactionName: null,
    traceId: null,
    userKey,
    tags: [],
    data: '{}',
  });

  it('counts events and distinct users per window and environment, for each issue in one read', async () => {
    const [a, b, quiet] = [
      await makeIssue(ctx, projectId),
      await makeIssue(ctx, projectId),
      await makeIssue(ctx, projectId),
    ];
    await insertEvents(t.db.region, engine, [
      // a: 3 events in the last minute (users u1, u1, none), 2 in staging 10 minutes ago, 4 two hours ago.
      event(a, NOW - 1000, 'id:u1'),
      event(a, NOW - 2000, 'id:u1'),
      event(a, NOW - 59_000, null),
      event(a, NOW - 10 * MINUTE, 'id:u2', 'staging'),
      event(a, NOW - 10 * MINUTE, 'id:u3', 'staging'),
      ...[1, 2, 3, 4].map((i) => event(a, NOW - 120 * MINUTE, `id:old${i}`)),
      // b: one event, just at the edge of the minute (counted: the window includes its start).
      event(b, NOW - MINUTE, 'id:u1', null),
      // quiet: only an event older than every window.
      event(quiet, NOW - 2 * 86_400_000, 'id:u1'),
    ]);
    const windows = [
      { kind: 'events', since: NOW - MINUTE, environment: null },
      { kind: 'events', since: NOW - 60 * MINUTE, environment: null },
      { kind: 'events', since: NOW - 86_400_000, environment: null },
      { kind: 'users', since: NOW - 86_400_000, environment: null },
      { kind: 'users', since: NOW - 86_400_000, environment: 'production' },
      { kind: 'events', since: NOW - 60 * MINUTE, environment: 'staging' },
    ] as const;
    const counts = await countIssueFrequencies(t.db.region, [a, b, quiet], windows);
    expect(counts.get(a)).toEqual([3, 5, 9, 7, 5, 2]);
    expect(counts.get(b)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(counts.has(quiet)).toBe(false);
  });

  it('crosses a threshold as events come: each count includes what was just written', async () => {
    const issueId = await makeIssue(ctx, projectId);
    const window = [{ kind: 'events', since: NOW - 5 * MINUTE, environment: null }] as const;
    const seen: number[] = [];
    for (let batch = 0; batch < 4; batch++) {
      await t.db.region.transaction().execute(async (trx) => {
        await insertEvents(trx, engine, [
          event(issueId, NOW - batch * 1000, null),
          event(issueId, NOW, null),
        ]);
        seen.push((await countIssueFrequencies(trx, [issueId], window)).get(issueId)?.[0] ?? 0);
      });
    }
    expect(seen).toEqual([2, 4, 6, 8]);
  });
});
