// Retention at scale, with a moved clock: 100,000 events over 120 days, one pass of the job as
// serve runs it, and what remains checked against what was stored. In the e2e project (one file
// at a time) because seeding and deleting that many events takes about ten seconds per engine; the
// unit test (src/jobs/retention.test.ts) covers the same with 6,000 events and every other kind of row.
import { statSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionJob } from '../../src/jobs/retention.js';
import { type DigestWorld, openDigestWorld } from '../support/digest.js';
import { TEST_ENGINES } from '../support/engines.js';
import { DAY_MS, expectCountsFollowEvents, seedEvents } from '../support/retention.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const FROM = NOW - 120 * DAY_MS;
const CUTOFF = NOW - 90 * DAY_MS;
const EVENTS = 100_000;

describe.each(TEST_ENGINES)('retention of 100,000 events on %s', (engine) => {
  let w: DigestWorld;
  beforeAll(async () => {
    w = await openDigestWorld(engine);
  });
  afterAll(() => w.close());

  it('keeps the last 90 of 120 days, deletes the issues left without events, keeps the counts right and shrinks the file', async () => {
    const projectId = await w.newProject();
    const seeded = await seedEvents(w.db, engine, {
      projectId,
      count: EVENTS,
      from: FROM,
      to: NOW,
      batchSize: 1000,
    });
    const kept = seeded.filter((e) => e.timestamp >= CUTOFF);
    const file = w.database.db.file;
    const fileSize = async () => {
      await sql`pragma wal_checkpoint(truncate)`.execute(w.db);
      return statSync(file as string).size;
    };
    const sizeBefore = engine === 'sqlite' ? await fileSize() : 0;
    const issuesBefore = new Set(seeded.map((e) => e.issue)).size;

    const log = { warn: (o: unknown) => expect.fail(String(o)), info: () => {} };
    const report = await new RetentionJob(w.database.db, {
      retentionDays: 90,
      maxEventsPerProject: 0,
      now: () => NOW,
      log,
    }).run();

    expect(report.events).toBe(EVENTS - kept.length);
    const remaining = await w.db
      .selectFrom('events')
      .select('event_id')
      .where('project_id', '=', projectId)
      .execute();
    expect(remaining.length).toBe(kept.length);
    expect(new Set(remaining.map((r) => r.event_id))).toEqual(new Set(kept.map((e) => e.eventId)));
    const titles = await w.db
      .selectFrom('issues')
      .select('title')
      .where('project_id', '=', projectId)
      .execute();
    expect(new Set(titles.map((r) => r.title))).toEqual(
      new Set(kept.map((e) => `TypeError: failed in ${e.issue}`)),
    );
    expect(report.issues).toBe(issuesBefore - titles.length);
    expect(report.issues).toBeGreaterThan(0);
    await expectCountsFollowEvents(w.db, projectId);
    if (engine === 'sqlite') {
      expect(report.freedPages).toBeGreaterThan(0);
      expect(statSync(file as string).size).toBeLessThan(sizeBefore);
    }
  }, 240_000);
});
