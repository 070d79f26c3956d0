import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../../test/support/engines.js';
import { makeIssue, makeOrg, makeProject, makeUser, testConfig } from '../../../test/support/harness.js';
import { RecordingMailer } from '../../../test/support/mail.js';
import type { ServiceContext } from '../../services/context.js';
import { insertEvent } from './events.js';
import { issueEventStats } from './issue-stats.js';

describe.each(TEST_ENGINES)('issue event stats on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
  });
  afterAll(() => t.drop());

  it('counts events per hour bucket, ending with the current hour', async () => {
    const ctx: ServiceContext = {
      db: t.db,
      config: testConfig(),
      mailer: new RecordingMailer(),
      now: () => Date.now(),
    };
    const user = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, user);
    const { project } = await makeProject(ctx, org, team);
    const hour = 3_600_000;
    const end = Math.floor(Date.now() / hour) * hour + 1234;
    const issue = await makeIssue(ctx, project.id, end);
    const at = [end, end - 10, end - hour, end - 5 * hour, end - 30 * hour];
    for (const [i, ts] of at.entries()) {
      await insertEvent(t.db.region, {
        projectId: project.id,
        issueId: issue,
        eventId: `${i}`.padStart(32, '0'),
        type: 'error',
        timestamp: ts,
        receivedAt: ts,
        level: 'error',
        title: 't',
        message: '',
        culprit: null,
        release: null,
        environment: null,
        platform: 'node',
        transactionName: null,
        traceId: null,
        userKey: null,
        tags: [],
        data: '{}',
      });
    }
    const series = (await issueEventStats(t.db.region, engine, [issue], end, hour, 24)).get(issue) ?? [];
    expect(series).toHaveLength(24);
    expect(series.at(-1)).toEqual([(Math.floor(end / hour) * hour) / 1000, 2]);
    expect(series.at(-2)?.[1]).toBe(1);
    expect(series.at(-6)?.[1]).toBe(1);
    expect(series.reduce((n, [, c]) => n + c, 0)).toBe(4);
  });
});
