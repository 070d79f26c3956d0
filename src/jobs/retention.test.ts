import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DigestWorld, openDigestWorld } from '../../test/support/digest.js';
import { joinTestDatabase, TEST_ENGINES } from '../../test/support/engines.js';
import {
  DAY_MS,
  expectCountsFollowEvents,
  type SeededEvent,
  seedEvents,
} from '../../test/support/retention.js';
import { openDatabase } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { claimJobLease } from '../store/region/job-leases.js';
import { insertLogs, type NewLog } from '../store/region/logs.js';
import { RetentionJob, type RetentionOptions } from './retention.js';

/** The job's clock: 120 days of events end here. */
const NOW = Date.UTC(2026, 11, 1, 12);
const FROM = NOW - 120 * DAY_MS;
const CUTOFF = NOW - 90 * DAY_MS;
const quiet = { warn: () => {}, info: () => {} };

describe.each(TEST_ENGINES)('retention on %s', (engine) => {
  let w: DigestWorld;
  beforeAll(async () => {
    w = await openDigestWorld(engine);
  });
  afterAll(() => w.close());

  const job = (options: Partial<RetentionOptions> = {}, db = w.database.db) =>
    new RetentionJob(db, {
      retentionDays: 90,
      maxEventsPerProject: 0,
      now: () => NOW,
      log: quiet,
      ...options,
    });

  /** One row of every other kind that expires, old (before the cutoff) and new. */
  async function seedOtherRows(projectId: number, oldEvent: SeededEvent, newEvent: SeededEvent) {
    const old = CUTOFF - DAY_MS;
    const recent = NOW - DAY_MS;
    for (const [name, at] of [
      ['old', old],
      ['new', recent],
    ] as const) {
      await w.db
        .insertInto('spans')
        .values({
          project_id: projectId,
          trace_id: `${name}-trace`,
          span_id: `${name}-span`,
          parent_span_id: null,
          transaction_event_id: null,
          op: 'http',
          description: null,
          status: 'ok',
          start_timestamp: at - 5,
          timestamp: at,
          data: '{}',
        })
        .execute();
      await w.db
        .insertInto('check_ins')
        .values({
          project_id: projectId,
          check_in_id: `${name}-check-in`,
          monitor_slug: 'nightly',
          status: 'ok',
          duration: 1,
          environment: 'production',
          date_created: at,
          data: '{}',
          monitor_environment_id: null,
          date_updated: null,
          expected_time: null,
          timeout_at: null,
        })
        .execute();
      const bucket = at - (at % 3_600_000);
      await w.db
        .insertInto('client_outcomes')
        .values({
          project_id: projectId,
          bucket,
          outcome: 'client_discard',
          reason: 'queue_overflow',
          category: 'error',
          quantity: 3,
        })
        .execute();
      await w.db
        .insertInto('outcomes')
        .values({
          project_id: projectId,
          bucket,
          outcome: 'accepted',
          reason: '',
          category: 'error',
          quantity: 1,
          times_seen: 1,
        })
        .execute();
      await w.db
        .insertInto('release_health')
        .values({
          project_id: projectId,
          release: 'web@1',
          environment: 'production',
          bucket,
          started: 1,
          exited: 1,
          errored: 0,
          crashed: 0,
          abnormal: 0,
        })
        .execute();
      await w.db
        .insertInto('release_health_users')
        .values({
          project_id: projectId,
          release: 'web@1',
          environment: 'production',
          bucket,
          user_hash: name,
          severity: 0,
        })
        .execute();
      await w.db
        .insertInto('user_reports')
        .values({
          project_id: projectId,
          event_id: null,
          name: name,
          email: null,
          comments: 'it broke',
          date_created: at,
          data: '{}',
        })
        .execute();
      // An attachment whose event was never stored goes by its own date.
      await w.db
        .insertInto('attachments')
        .values({
          project_id: projectId,
          event_id: `${name}-orphan`,
          name: `${name}-orphan.txt`,
          content_type: 'text/plain',
          attachment_type: 'event.attachment',
          size: 1,
          data: Buffer.from('x'),
          date_created: at,
        })
        .execute();
      for (const [state, error] of [
        ['set-aside', 'unreadable'],
        ['pending', null],
      ] as const) {
        await w.db
          .insertInto('raw_envelopes')
          .values({
            project_id: projectId,
            key_id: 1,
            kind: 'envelope',
            received_at: at,
            event_id: `${name}-${state}`,
            client_ip: null,
            payload: Buffer.from('{}'),
            encoding: null,
            digest_error: error,
          })
          .execute();
      }
    }
    // Attachments of stored events go with their event, whatever their own date.
    for (const event of [oldEvent, newEvent]) {
      await w.db
        .insertInto('attachments')
        .values({
          project_id: projectId,
          event_id: event.eventId,
          name: `${event.eventId}.txt`,
          content_type: 'text/plain',
          attachment_type: 'event.attachment',
          size: 1,
          data: Buffer.from('x'),
          date_created: NOW,
        })
        .execute();
    }
  }

  const names = async (
    table: 'spans' | 'check_ins' | 'user_reports' | 'attachments' | 'raw_envelopes',
    projectId: number,
  ) => {
    const column = {
      spans: 'trace_id',
      check_ins: 'check_in_id',
      user_reports: 'name',
      attachments: 'name',
      raw_envelopes: 'event_id',
    }[table];
    const rows = await sql<{
      name: string;
    }>`select ${sql.ref(column)} as name from ${sql.table(table)} where project_id = ${projectId} order by 1`.execute(
      w.db,
    );
    return rows.rows.map((r) => r.name);
  };
  const buckets = async (
    table: 'client_outcomes' | 'outcomes' | 'release_health' | 'release_health_users',
    projectId: number,
  ) =>
    (
      await sql<{
        bucket: number;
      }>`select bucket from ${sql.table(table)} where project_id = ${projectId} order by bucket`.execute(w.db)
    ).rows.map((r) => Number(r.bucket));

  it('keeps only the last 90 days of 120, deletes issues left without events and keeps the counts of the rest right', async () => {
    const projectId = await w.newProject();
    // A few KB of document each, not all alike, so that the deleted events free real space.
    const filler = () => randomBytes(1500).toString('base64');
    const seeded = await seedEvents(w.db, engine, {
      projectId,
      count: 6000,
      from: FROM,
      to: NOW,
      document: (e) => JSON.stringify({ event_id: e.eventId, tags: e.tags, extra: { blob: filler() } }),
    });
    const kept = seeded.filter((e) => e.timestamp >= CUTOFF);
    const dropped = seeded.filter((e) => e.timestamp < CUTOFF);
    await seedOtherRows(projectId, dropped[0] as SeededEvent, kept.at(-1) as SeededEvent);
    const issueTitles = async () =>
      new Set(
        (await w.db.selectFrom('issues').select('title').where('project_id', '=', projectId).execute()).map(
          (r) => r.title,
        ),
      );
    const titleOf = (issue: string) => `TypeError: failed in ${issue}`;
    expect(await issueTitles()).toEqual(new Set(seeded.map((e) => titleOf(e.issue))));

    const file = w.database.db.file;
    const fileSize = async () => {
      await sql`pragma wal_checkpoint(truncate)`.execute(w.db);
      return statSync(file as string).size;
    };
    const sizeBefore = engine === 'sqlite' ? await fileSize() : 0;

    const report = await job().run();

    expect(report).toMatchObject({ ran: true, events: dropped.length });
    const remaining = await w.db
      .selectFrom('events')
      .select('event_id')
      .where('project_id', '=', projectId)
      .execute();
    expect(new Set(remaining.map((r) => r.event_id))).toEqual(new Set(kept.map((e) => e.eventId)));
    // Issues whose events all went are gone; the window issues of the first 30 days are those.
    const keptIssues = new Set(kept.map((e) => titleOf(e.issue)));
    expect(await issueTitles()).toEqual(keptIssues);
    expect(new Set(seeded.map((e) => titleOf(e.issue))).size - keptIssues.size).toBe(report.issues);
    expect(report.issues).toBeGreaterThanOrEqual(5);
    await expectCountsFollowEvents(w.db, projectId);

    // Users: a key with a kept event stays; one last seen well before the cutoff is gone.
    const userKeys = new Set(
      (
        await w.db.selectFrom('event_users').select('user_key').where('project_id', '=', projectId).execute()
      ).map((r) => r.user_key),
    );
    for (const e of kept) expect(userKeys.has(e.userKey)).toBe(true);
    const lastSeen = new Map<string, number>();
    for (const e of seeded) lastSeen.set(e.userKey, Math.max(lastSeen.get(e.userKey) ?? 0, e.timestamp));
    const stale = [...lastSeen].filter(([, at]) => at < CUTOFF - 2 * DAY_MS).map(([key]) => key);
    expect(stale.length).toBeGreaterThan(20);
    for (const key of stale) expect(userKeys.has(key)).toBe(false);

    // Every other kind: the old row went, the new one stayed; envelopes waiting for digest stay however old.
    expect(await names('spans', projectId)).toEqual(['new-trace']);
    expect(await names('check_ins', projectId)).toEqual(['new-check-in']);
    expect(await names('user_reports', projectId)).toEqual(['new']);
    expect(await names('attachments', projectId)).toEqual([
      `${(kept.at(-1) as SeededEvent).eventId}.txt`,
      'new-orphan.txt',
    ]);
    expect(await names('raw_envelopes', projectId)).toEqual(['new-pending', 'new-set-aside', 'old-pending']);
    const recentBucket = NOW - DAY_MS - ((NOW - DAY_MS) % 3_600_000);
    for (const table of ['client_outcomes', 'outcomes', 'release_health', 'release_health_users'] as const)
      expect(await buckets(table, projectId)).toEqual([recentBucket]);

    if (engine === 'sqlite') {
      expect(report.freedPages).toBeGreaterThan(0);
      const sizeAfter = statSync(file as string).size;
      // A quarter of the events went (30 days of 120), and the file gives their pages back.
      expect(sizeAfter).toBeLessThan(sizeBefore * 0.85);
      const free = await sql<{ freelist_count: number }>`pragma freelist_count`.execute(w.db);
      expect(free.rows[0]?.freelist_count).toBe(0);
    }

    // A second pass finds nothing more to do.
    expect(await job().run()).toMatchObject({ ran: true, events: 0, issues: 0, rows: 0 });
  });

  it("deletes logs after their own period, never kept past the events' one", async () => {
    const projectId = await w.newProject();
    const log = (body: string, timestamp: number): NewLog => ({
      projectId,
      itemId: createHash('md5').update(body).digest('hex'),
      timestamp,
      observedTimestamp: timestamp,
      traceId: 'a'.repeat(32),
      spanId: null,
      level: 'info',
      severityNumber: 9,
      body,
      attributes: {},
      release: null,
      environment: null,
      sdk: null,
    });
    const bodies = async () =>
      (
        await w.db
          .selectFrom('logs')
          .select('body')
          .where('project_id', '=', projectId)
          .orderBy('body')
          .execute()
      ).map((r) => r.body);
    await insertLogs(w.db, [
      log('a-100d', NOW - 100 * DAY_MS),
      log('b-40d', NOW - 40 * DAY_MS),
      log('c-10d', NOW - 10 * DAY_MS),
    ]);
    await job({ logRetentionDays: 120 }).run();
    expect(await bodies()).toEqual(['b-40d', 'c-10d']);
    await job({ logRetentionDays: 30 }).run();
    expect(await bodies()).toEqual(['c-10d']);
  });

  it('caps a project at its newest events, oldest first, and leaves other projects alone', async () => {
    const capped = await w.newProject();
    const other = await w.newProject();
    const recent = { from: NOW - 10 * DAY_MS, to: NOW };
    const seeded = await seedEvents(w.db, engine, { projectId: capped, count: 300, ...recent });
    await seedEvents(w.db, engine, { projectId: other, count: 80, ...recent });

    const report = await job({ maxEventsPerProject: 100 }).run();

    const remaining = await w.db
      .selectFrom('events')
      .select('event_id')
      .where('project_id', '=', capped)
      .execute();
    expect(new Set(remaining.map((r) => r.event_id))).toEqual(
      new Set(seeded.slice(-100).map((e) => e.eventId)),
    );
    expect(report.events).toBeGreaterThanOrEqual(200);
    await expectCountsFollowEvents(w.db, capped);
    const others = await w.db
      .selectFrom('events')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('project_id', '=', other)
      .executeTakeFirstOrThrow();
    expect(Number(others.n)).toBe(80);
  });

  it('runs once at a time across nodes: a held lease makes another node skip the pass', async () => {
    const projectId = await w.newProject();
    await seedEvents(w.db, engine, { projectId, count: 400, from: FROM, to: NOW });
    const count = async () =>
      Number(
        (
          await w.db
            .selectFrom('events')
            .select(({ fn }) => fn.countAll<number>().as('n'))
            .where('project_id', '=', projectId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    await claimJobLease(w.db, 'retention', 'another node', NOW, NOW + 60_000);
    expect(await job().run()).toMatchObject({ ran: false, events: 0 });
    expect(await count()).toBe(400);

    // Once that lease runs out, a node takes it over; of two nodes asking together one runs.
    const second = joinTestDatabase(w.database);
    try {
      const later = NOW + 60_000;
      const reports = await Promise.all([
        job({ now: () => later }).run(),
        job({ now: () => later }, second.db).run(),
      ]);
      expect(reports.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
      const cutoff = later - 90 * DAY_MS;
      const expected = Array.from(
        { length: 400 },
        (_, i) => FROM + Math.floor((i * (NOW - FROM)) / 400),
      ).filter((t) => t >= cutoff).length;
      expect(await count()).toBe(expected);
      // Each event was deleted once: what the passes report adds up to what went.
      expect(reports.reduce((n, r) => n + r.events, 0)).toBe(400 - expected);
      await expectCountsFollowEvents(w.db, projectId);
    } finally {
      await second.drop();
    }
  });
});

describe.runIf(TEST_ENGINES.includes('sqlite'))('an older SQLite file', () => {
  it('is switched to incremental auto-vacuum when migrated, its data kept', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errata-vacuum-'));
    const file = path.join(dir, 'errata.sqlite');
    try {
      // A file made before: its tables exist, so opening it cannot switch the mode any more.
      const old = new SQLite(file);
      old.pragma('journal_mode = WAL');
      old.exec("create table kept (x text); insert into kept values ('still here')");
      old.close();
      const db = openDatabase({ engine: 'sqlite', file });
      try {
        expect(
          (await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(db.region)).rows[0]?.auto_vacuum,
        ).toBe(0);
        await migrateToLatest(db);
        expect(
          (await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(db.region)).rows[0]?.auto_vacuum,
        ).toBe(2);
        expect((await sql<{ x: string }>`select x from kept`.execute(db.region)).rows).toEqual([
          { x: 'still here' },
        ]);
      } finally {
        await db.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
