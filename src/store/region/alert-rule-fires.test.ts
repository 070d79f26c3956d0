import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../../test/support/engines.js';
import { makeIssue, makeOrg, makeProject, makeUser, testConfig } from '../../../test/support/harness.js';
import { RecordingMailer } from '../../../test/support/mail.js';
import { waitFor } from '../../../test/support/wait.js';
import type { ServiceContext } from '../../services/context.js';
import { claimRuleFires, findRuleFires, ruleIssueKey } from './alert-rule-fires.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-09T12:00:00Z');

describe.each(TEST_ENGINES)('issue alert rule fires on %s', (engine) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let projectId: number;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = { db: t.db, config: testConfig(), now: () => Date.now(), mailer: new RecordingMailer() };
    const { org, team } = await makeOrg(ctx, await makeUser(ctx));
    projectId = (await makeProject(ctx, org, team)).project.id;
  });
  afterAll(() => t.drop());

  it('fires a rule for an issue once per frequency: again only once the whole interval has passed', async () => {
    const issueId = await makeIssue(ctx, projectId);
    const pair = { ruleId: 1, issueId };
    const claim = (now: number) => claimRuleFires(t.db.region, [pair], 30 * MINUTE, now);
    expect(await claim(T0)).toEqual([pair]);
    expect(await claim(T0)).toEqual([]);
    expect(await claim(T0 + 30 * MINUTE - 1)).toEqual([]);
    expect(await claim(T0 + 30 * MINUTE)).toEqual([pair]);
    expect(await findRuleFires(t.db.region, [pair, { ruleId: 2, issueId }])).toEqual(
      new Map([[ruleIssueKey(pair), T0 + 30 * MINUTE]]),
    );
  });

  it('claims each pair on its own: resting ones are left out, new and rested ones fire', async () => {
    const a = await makeIssue(ctx, projectId);
    const b = await makeIssue(ctx, projectId);
    const db = t.db.region;
    await claimRuleFires(db, [{ ruleId: 5, issueId: a }], 5 * MINUTE, T0);
    await claimRuleFires(db, [{ ruleId: 6, issueId: a }], 5 * MINUTE, T0 - 10 * MINUTE);
    const claimed = await claimRuleFires(
      db,
      [
        { ruleId: 6, issueId: a },
        { ruleId: 5, issueId: a },
        { ruleId: 5, issueId: b },
        { ruleId: 5, issueId: b },
      ],
      5 * MINUTE,
      T0 + MINUTE,
    );
    expect(claimed.map(ruleIssueKey).sort()).toEqual([`5:${b}`, `6:${a}`].sort());
  });

  it('forgets the fires of a deleted issue', async () => {
    const issueId = await makeIssue(ctx, projectId);
    await claimRuleFires(t.db.region, [{ ruleId: 9, issueId }], MINUTE, T0);
    await t.db.region.deleteFrom('issues').where('id', '=', issueId).execute();
    expect(await findRuleFires(t.db.region, [{ ruleId: 9, issueId }])).toEqual(new Map());
  });

  describe.runIf(engine === 'postgres')('with transactions at once (PostgreSQL)', () => {
    /** Resolves once `release` is called: holds a transaction open. */
    function gate(): { wait: Promise<void>; release: () => void } {
      let release = () => {};
      const wait = new Promise<void>((resolve) => {
        release = resolve;
      });
      return { wait, release };
    }

    it.each([
      ['never fired', false],
      ['fired long ago', true],
    ])('lets exactly one of two transactions fire a rule for an issue it %s', async (_, firedBefore) => {
      const db = t.db.region;
      const issueId = await makeIssue(ctx, projectId);
      const pair = { ruleId: 20, issueId };
      if (firedBefore) await claimRuleFires(db, [pair], 30 * MINUTE, T0 - 24 * 60 * MINUTE);
      const firstClaimed = gate();
      const firstMayCommit = gate();
      let secondPid = 0;
      const first = db.transaction().execute(async (trx) => {
        const claimed = await claimRuleFires(trx, [pair], 30 * MINUTE, T0);
        firstClaimed.release();
        await firstMayCommit.wait;
        return claimed;
      });
      const second = (async () => {
        await firstClaimed.wait;
        return db.transaction().execute(async (trx) => {
          secondPid =
            (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid ?? 0;
          return claimRuleFires(trx, [pair], 30 * MINUTE, T0 + 1);
        });
      })();
      // The second waits on the first's row lock; only then may the first commit.
      await waitFor(
        async () =>
          secondPid !== 0 &&
          (
            await sql<{ n: number }>`select count(*) as n from pg_stat_activity
              where pid = ${secondPid} and wait_event_type = 'Lock'`.execute(db)
          ).rows[0]?.n === 1,
        { what: 'the second transaction to wait for the first' },
      );
      firstMayCommit.release();
      expect(await first).toEqual([pair]);
      expect(await second).toEqual([]);
      expect((await findRuleFires(db, [pair])).get(ruleIssueKey(pair))).toBe(T0);
    });

    it('lets one of four transactions claiming the same pairs at once fire each pair', async () => {
      const db = t.db.region;
      const issues = [await makeIssue(ctx, projectId), await makeIssue(ctx, projectId)];
      const pairs = issues.map((issueId) => ({ ruleId: 30, issueId }));
      const results = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          db.transaction().execute(async (trx) => {
            const claimed = await claimRuleFires(
              trx,
              i % 2 === 0 ? pairs : [...pairs].reverse(),
              MINUTE,
              T0 + i,
            );
            // Held open a moment, so that the others run into its rows.
            await new Promise((resolve) => setTimeout(resolve, 30));
            return claimed;
          }),
        ),
      );
      expect(results.flat().map(ruleIssueKey).sort()).toEqual(pairs.map(ruleIssueKey).sort());
    });
  });
});
