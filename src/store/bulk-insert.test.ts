import type { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../test/support/engines.js';
import { makeIssue, makeOrg, makeProject, makeUser, testConfig } from '../../test/support/harness.js';
import { RecordingMailer } from '../../test/support/mail.js';
import type { ServiceContext } from '../services/context.js';
import { type BulkInsert, bulkInsert, bulkInsertSql, statementSizes } from './bulk-insert.js';

const USERS: BulkInsert = {
  table: 'issue_users',
  columns: ['issue_id', 'user_key'],
  tail: 'on conflict (issue_id, user_key) do nothing returning issue_id, user_key',
  maxRows: 500,
};

describe('bulkInsertSql', () => {
  it('numbers PostgreSQL placeholders across rows and uses ? on SQLite', () => {
    expect(bulkInsertSql(USERS, 'postgres', 2)).toBe(
      'insert into "issue_users" ("issue_id", "user_key") values ($1, $2), ($3, $4) on conflict (issue_id, user_key) do nothing returning issue_id, user_key',
    );
    expect(bulkInsertSql(USERS, 'sqlite', 3)).toBe(
      'insert into "issue_users" ("issue_id", "user_key") values (?, ?), (?, ?), (?, ?) on conflict (issue_id, user_key) do nothing returning issue_id, user_key',
    );
  });

  it('gives the same text for the same row count (the statement caches key on it)', () => {
    expect(bulkInsertSql(USERS, 'sqlite', 7)).toBe(bulkInsertSql(USERS, 'sqlite', 7));
    expect(bulkInsertSql(USERS, 'sqlite', 7)).not.toBe(bulkInsertSql(USERS, 'sqlite', 8));
  });
});

describe('statementSizes', () => {
  it.each([
    [0, []],
    [1, [1]],
    [3, [2, 1]],
    [37, [32, 4, 1]],
    [64, [64]],
    [500, [256, 128, 64, 32, 16, 4]],
  ])('splits %i rows into %j', (rows, sizes) => {
    expect(statementSizes(rows)).toEqual(sizes);
  });

  it('needs at most ten statement texts for every count from 1 to 500', () => {
    const texts = new Set<number>();
    for (let rows = 1; rows <= 500; rows++) for (const size of statementSizes(rows)) texts.add(size);
    expect([...texts].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  });
});

describe.each(TEST_ENGINES)('bulkInsert on %s', (engine) => {
  let t: TestDatabase;
  let issueId: number;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    const ctx: ServiceContext = {
      db: t.db,
      config: testConfig(),
      mailer: new RecordingMailer(),
      now: () => Date.now(),
    };
    const { org, team } = await makeOrg(ctx, await makeUser(ctx));
    const { project } = await makeProject(ctx, org, team);
    issueId = await makeIssue(ctx, project.id);
  });
  afterAll(() => t.drop());

  it('inserts every row and returns what the tail returns: only the rows not there before', async () => {
    const first = await bulkInsert(t.db.region, engine, USERS, [
      [issueId, 'id:a'],
      [issueId, 'id:b'],
    ]);
    expect(first).toEqual([
      { issue_id: issueId, user_key: 'id:a' },
      { issue_id: issueId, user_key: 'id:b' },
    ]);
    const second = await bulkInsert(t.db.region, engine, USERS, [
      [issueId, 'id:b'],
      [issueId, 'id:c'],
    ]);
    expect(second).toEqual([{ issue_id: issueId, user_key: 'id:c' }]);
    const stored = await t.db.region
      .selectFrom('issue_users')
      .select('user_key')
      .where('issue_id', '=', issueId)
      .orderBy('user_key')
      .execute();
    expect(stored.map((r) => r.user_key)).toEqual(['id:a', 'id:b', 'id:c']);
  });

  /** The test database, noting each statement it runs: its text and its rows. */
  function countingStatements() {
    const ran: number[] = [];
    const texts = new Set<string>();
    const counting = {
      executeQuery: <R>(query: CompiledQuery<R>) => {
        ran.push(query.parameters.length / USERS.columns.length);
        texts.add(query.sql);
        return t.db.region.executeQuery(query);
      },
    };
    return { ran, texts, counting };
  }

  it('inserts rows over several statements and returns the new rows of all', async () => {
    const { counting } = countingStatements();
    const rows = Array.from({ length: 37 }, (_, i) => [issueId, `id:many-${i}`] as const);
    const returned = await bulkInsert<{ user_key: string }>(counting, engine, USERS, rows);
    expect(returned.map((r) => r.user_key).sort()).toEqual(rows.map((r) => r[1]).sort());
    // Run again, the same rows are there already: nothing new comes back.
    expect(await bulkInsert(counting, engine, USERS, rows)).toEqual([]);
  });

  it.runIf(engine === 'sqlite')(
    'prepares few statement texts whatever the row count (they are cached)',
    async () => {
      const { ran, texts, counting } = countingStatements();
      for (let count = 1; count <= 64; count++) {
        const rows = Array.from({ length: count }, (_, i) => [issueId, `id:texts-${count}-${i}`] as const);
        expect(await bulkInsert(counting, engine, USERS, rows)).toHaveLength(count);
      }
      expect(ran.reduce((a, b) => a + b, 0)).toBe((64 * 65) / 2);
      // One text per row count would be 64; the statement cache keeps them when there are few.
      expect(texts.size).toBeLessThanOrEqual(7);
    },
  );

  it('never puts more than maxRows rows in one statement', async () => {
    const { ran, counting } = countingStatements();
    const rows = Array.from({ length: 37 }, (_, i) => [issueId, `id:capped-${i}`] as const);
    const returned = await bulkInsert<{ user_key: string }>(
      counting,
      engine,
      { ...USERS, maxRows: 16 },
      rows,
    );
    expect(Math.max(...ran)).toBeLessThanOrEqual(16);
    expect(ran.reduce((a, b) => a + b, 0)).toBe(37);
    expect(returned).toHaveLength(37);
  });

  it('runs nothing for no rows, and refuses a row of the wrong width before running anything', async () => {
    await expect(bulkInsert(t.db.region, engine, USERS, [])).resolves.toEqual([]);
    await expect(bulkInsert(t.db.region, engine, USERS, [[issueId, 'id:d'], [issueId]])).rejects.toThrow(
      'bulk insert into issue_users: 1 values for 2 columns',
    );
    const stored = await t.db.region
      .selectFrom('issue_users')
      .select('user_key')
      .where('user_key', '=', 'id:d')
      .execute();
    expect(stored).toEqual([]);
  });
});
