import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { regionAlertStore } from '../../src/digest/alert-store.js';
import { digestEnvelope, groupEventItems } from '../../src/digest/digest-envelope.js';
import type { GroupedEvent } from '../../src/digest/group-event.js';
import type { EventItem } from '../../src/digest/symbolicate.js';
import { writeEvents } from '../../src/digest/write-events.js';
import { openDatabase } from '../../src/store/db.js';
import type { ClaimedEnvelope } from '../../src/store/region/raw-queue.js';
import type { Context } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { ingestRequests, zipf } from '../lib/payloads.js';
import { firstStart, ROOT, sleep, startErrata } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';

const DAY_MS = 86_400_000;
/** Stored events: 120 days of them, of which retention keeps the last 30, so the pass deletes 75 %. */
const EVENTS = 100_000;
const SPAN_DAYS = 120;
const KEEP_DAYS = 30;
/** Issues the events spread over (Zipf), as the ingest payloads do. */
const ISSUES = 200;
/** Ingest rate of both runs: well below what SQLite takes at c=64, so that latency, not throughput, shows. */
const RATE = 500;

/** What digest makes of the captured @sentry/node error envelope: the row and document it stores. */
async function nodeEventTemplate(file: string, projectId: number): Promise<GroupedEvent> {
  const body = readFileSync(path.join(ROOT, 'bench/payloads/node/error-2.body'));
  const sentAt = Date.parse(/"sent_at":"([^"]+)"/.exec(body.toString())?.[1] ?? '');
  const db = openDatabase({ engine: 'sqlite', file });
  try {
    return await db.region.transaction().execute(async (trx) => {
      const items: EventItem[] = [];
      const raw: ClaimedEnvelope = {
        id: 1,
        projectId,
        keyId: 1,
        kind: 'envelope',
        receivedAt: sentAt,
        eventId: null,
        clientIp: '127.0.0.1',
        payload: body,
      };
      await digestEnvelope(trx, 'sqlite', raw, items);
      const [event] = await groupEventItems(trx, items);
      if (!event) throw new Error('the captured node envelope holds no event');
      return event;
    });
  } finally {
    await db.destroy();
  }
}

/**
 * Writes `EVENTS` copies of the template spread over `SPAN_DAYS` days ending now, through digest's
 * own batch writes (issues, counters, tag values, users), into a stopped server's file. Each keeps
 * the template's stored document: its size is what one real event costs on disk.
 */
async function seed(file: string, projectId: number, log: (line: string) => void): Promise<void> {
  const template = await nodeEventTemplate(file, projectId);
  const db = openDatabase({ engine: 'sqlite', file });
  const alerting = { store: regionAlertStore(), baseUrl: 'http://bench', now: () => Date.now() };
  const pick = zipf(ISSUES, 1.1);
  const end = Date.now();
  const start = end - SPAN_DAYS * DAY_MS;
  try {
    for (let at = 0; at < EVENTS; at += 500) {
      const batch: GroupedEvent[] = [];
      for (let i = at; i < Math.min(EVENTS, at + 500); i++) {
        const timestamp = start + Math.floor((i * (end - start)) / EVENTS);
        const issue = pick();
        batch.push({
          ...template,
          hashes: [`bench-retention-${issue}`],
          row: {
            ...template.row,
            eventId: randomBytes(16).toString('hex'),
            timestamp,
            receivedAt: timestamp,
            userKey: `id:user-${i % 997}`,
          },
        });
      }
      await db.region.transaction().execute((trx) => writeEvents(trx, 'sqlite', batch, alerting));
      if ((at + 500) % 25_000 === 0) log(`  seeded ${int(at + 500)} of ${int(EVENTS)} events`);
    }
  } finally {
    await db.destroy();
  }
}

/** The file's size once its WAL is copied back: what the data takes on disk. */
function settledSize(file: string): number {
  const db = new SQLite(file);
  db.pragma('wal_checkpoint(truncate)');
  db.close();
  return statSync(file).size;
}

/**
 * Ingest latency while retention deletes, next to without: 100,000 stored @sentry/node events
 * over 120 days, of which a 30-day retention deletes three quarters in one pass on the server's
 * own job, while the same fixed rate of new events comes in. Also what an event costs on disk.
 */
export async function retention(ctx: Context): Promise<void> {
  const { durationS, warmupS } = ctx.options;
  const dataDir = path.join(ctx.tmpDir, 'retention');
  const file = path.join(dataDir, 'errata.sqlite');
  const first = await startErrata({ name: 'retention first start', dataDir });
  const target = firstStart(first);
  await first.child.stop();
  const emptyBytes = settledSize(file);
  await seed(file, Number(target.projectId), ctx.log);
  const seededBytes = settledSize(file);

  // The pass starts once the run without it is over: warm-up, the run, and time for its digest.
  const pollMs = (warmupS + durationS + 6) * 1000;
  const node = await startErrata({
    name: 'retention',
    dataDir,
    settings: { ERRATA_RETENTION_DAYS: `${KEEP_DAYS}`, ERRATA_RETENTION_POLL_MS: `${pollMs}` },
  });
  const startedAt = performance.now();
  const requests = ingestRequests(target);
  const reader = new SQLite(file, { readonly: true });
  const expired = reader.prepare('select count(*) from events where timestamp < ?').pluck();
  const expiredNow = () => expired.get(Date.now() - KEEP_DAYS * DAY_MS) as number;
  try {
    await runLoad({ urls: [node.url], connections: 16, durationS: warmupS, requests });
    const quiet = await runLoad({ urls: [node.url], connections: 64, durationS, requests, rate: RATE });
    const before = expiredNow();
    if (performance.now() - startedAt > pollMs)
      throw new Error('the run without retention overlapped its pass');
    // The pass has begun once the expired events start to go.
    while (expiredNow() >= before) {
      if (performance.now() - startedAt > pollMs + 30_000)
        throw new Error('the retention pass did not start');
      await sleep(10);
    }
    const passStarted = performance.now();
    const during = await runLoad({ urls: [node.url], connections: 64, durationS, requests, rate: RATE });
    const leftAtEnd = expiredNow();
    while (expiredNow() > 0) {
      if (performance.now() - passStarted > 300_000) throw new Error('the retention pass did not finish');
      await sleep(50);
    }
    const passMs = performance.now() - passStarted;
    // Then it gives the pages back and logs the pass's end.
    while (!/retention deleted expired data/.test(node.child.output)) {
      if (performance.now() - passStarted > 600_000) throw new Error('the retention pass did not end');
      await sleep(50);
    }
    const wholeMs = performance.now() - passStarted;
    // Once more without: the same server warmer, as a check on how much the machine itself varies.
    const after = await runLoad({ urls: [node.url], connections: 64, durationS, requests, rate: RATE });
    await node.child.stop();
    const afterBytes = settledSize(file);

    const perEvent = (seededBytes - emptyBytes) / EVENTS;
    const covered = leftAtEnd > 0 ? 'yes' : 'no: the pass ended first';
    ctx.log(
      `  retention: p99 ${ms(quiet.p99Ms)} ms without, ${ms(during.p99Ms)} ms during; pass ${int(passMs)} ms`,
    );
    ctx.results.sections.push(
      `## Retention, ${int(EVENTS)} stored @sentry/node events over ${SPAN_DAYS} days, ${KEEP_DAYS} kept`,
      table(
        ['ingest at c=64', 'rate', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
        (
          [
            ['without a pass, before it', quiet],
            ['during the pass', during],
            ['without a pass, after it', after],
          ] as const
        ).map(([name, run]) => [
          name,
          `${RATE}/s`,
          int(run.rps),
          ms(run.p50Ms),
          ms(run.p99Ms),
          int(run.errors),
        ]),
      ),
      table(
        [
          'events deleted',
          'deleting them',
          'whole pass, space given back',
          'pass covered the run',
          'p99 during ÷ the better without',
          'file before',
          'file after',
          'bytes per stored event',
        ],
        [
          [
            int(before),
            `${int(passMs)} ms`,
            `${int(wholeMs)} ms`,
            covered,
            `${(during.p99Ms / Math.min(quiet.p99Ms, after.p99Ms)).toFixed(2)}×`,
            `${(seededBytes / 1e6).toFixed(1)} MB`,
            `${(afterBytes / 1e6).toFixed(1)} MB`,
            int(perEvent),
          ],
        ],
      ),
    );
  } finally {
    reader.close();
  }
}
