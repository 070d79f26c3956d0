import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../src/store/db.js';
import { insertSpans, type NewSpan } from '../../src/store/region/spans.js';
import type { Context } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { zipf } from '../lib/payloads.js';
import { firstStart, startErrata } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';
import { createSchema } from '../lib/store.js';

// The events endpoint's aggregates over spans: 100,000 spans (10,000 transactions of 10 spans, 50
// transaction names by Zipf, over the last week) on each engine, and the queries the Traces page
// and Sentry's Explore make, timed one client at a time; then again without the two indexes
// the span-segments migration adds, to show what they are worth.

const SPANS_PER_TRANSACTION = 10;
const NAMES = 50;
const WEEK_MS = 7 * 86_400_000;
const OPS = ['db.query', 'http.client', 'cache.get', 'serialize'];
const INDEXES = ['spans_project_start', 'spans_segments'];

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

const nameRank = zipf(NAMES, 1.1);

/** A transaction's spans: its root, and children that fit inside it; about 5 % end in an error. */
function transaction(projectId: number, i: number, now: number): NewSpan[] {
  const name = `GET /api/v1/resource-${nameRank()}`;
  const start = now - Math.random() * WEEK_MS;
  // Log-normal-ish durations: most tens of ms, a long tail of seconds.
  const duration = Math.exp(3 + Math.random() * 2 + (Math.random() < 0.05 ? 3 : 0));
  const traceId = hex(16);
  const rootId = hex(8);
  const base = {
    projectId,
    traceId,
    transactionEventId: hex(16),
    transactionName: name,
    segmentId: rootId,
    environment: i % 10 === 0 ? 'staging' : 'production',
    release: `shop@${1 + (i % 3)}.0.0`,
  };
  const root: NewSpan = {
    ...base,
    spanId: rootId,
    parentSpanId: null,
    op: 'http.server',
    description: name,
    status: Math.random() < 0.05 ? 'internal_error' : 'ok',
    startTimestamp: start,
    timestamp: start + duration,
    data: { trace_id: traceId, span_id: rootId, op: 'http.server' },
    isSegment: true,
  };
  const children = Array.from({ length: SPANS_PER_TRANSACTION - 1 }, (_, c): NewSpan => {
    const offset = (duration * c) / SPANS_PER_TRANSACTION;
    const length = (duration / SPANS_PER_TRANSACTION) * Math.random();
    const spanId = hex(8);
    const op = OPS[c % OPS.length] as string;
    return {
      ...base,
      spanId,
      parentSpanId: rootId,
      op,
      description: `${op} ${c}`,
      status: 'ok',
      startTimestamp: start + offset,
      timestamp: start + offset + length,
      data: { span_id: spanId, op, start_timestamp: (start + offset) / 1000 },
      isSegment: false,
    };
  });
  return [root, ...children];
}

/** `spans` spans of the project, in transactions of ten, straight through the store. */
export async function seedSpans(db: Database, projectId: number, spans: number): Promise<void> {
  const now = Date.now();
  const batch: NewSpan[] = [];
  for (let i = 0; i < spans / SPANS_PER_TRANSACTION; i++) {
    batch.push(...transaction(projectId, i, now));
    if (batch.length >= 5_000)
      await db.region.transaction().execute((trx) => insertSpans(trx, batch.splice(0)));
  }
  await db.region.transaction().execute((trx) => insertSpans(trx, batch.splice(0)));
}

const query = (params: Record<string, string | string[]>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  return search.toString();
};

const SUMMARY = ['transaction', 'count()', 'p50()', 'p95()', 'failure_rate()'];

/** What each timed request asks, by name. */
const QUERIES: [string, string][] = [
  [
    'transactions by name: count, p50, p95, failure rate (spans)',
    query({ dataset: 'spans', field: SUMMARY, query: 'is_transaction:true', sort: '-count()' }),
  ],
  [
    'the same from the transactions dataset',
    query({ dataset: 'transactions', field: SUMMARY, sort: '-count()' }),
  ],
  [
    'every span by op: count, avg, p95, p99',
    query({ dataset: 'spans', field: ['span.op', 'count()', 'avg()', 'p95()', 'p99()'], sort: '-p95()' }),
  ],
  [
    'one transaction: its 50 latest',
    query({
      dataset: 'spans',
      field: ['trace', 'span.duration', 'timestamp', 'span.status'],
      query: 'is_transaction:true transaction:"GET /api/v1/resource-3"',
      sort: '-timestamp',
      per_page: '50',
    }),
  ],
  [
    'one transaction: p95 over the last 24 h',
    query({
      dataset: 'spans',
      field: ['p95()', 'count()'],
      query: 'is_transaction:true transaction:"GET /api/v1/resource-3"',
      statsPeriod: '24h',
    }),
  ],
];

export async function spans(ctx: Context): Promise<void> {
  const count = ctx.options.quick ? 20_000 : 100_000;
  const durationS = ctx.options.restDurationS;
  const rows: string[][] = [];
  for (const engine of ['sqlite', 'postgres'] as const) {
    const dataDir = path.join(ctx.tmpDir, `spans-${engine}`);
    const databaseUrl = engine === 'postgres' ? await createSchema() : undefined;
    const first = await startErrata({
      name: `spans-${engine}`,
      dataDir,
      ...(databaseUrl ? { databaseUrl } : {}),
    });
    await first.child.stop();
    const { token, org, projectId } = firstStart(first);
    ctx.log(`  seeding ${count} spans on ${engine}`);
    const db =
      engine === 'sqlite'
        ? openDatabase({ engine, file: path.join(dataDir, 'errata.sqlite') })
        : openDatabase({ engine, url: databaseUrl as string });
    const seeded = performance.now();
    await seedSpans(db, Number(projectId), count);
    ctx.log(`  seeded in ${Math.round(performance.now() - seeded)} ms`);
    const node = await startErrata({
      name: `spans-${engine}`,
      dataDir,
      ...(databaseUrl ? { databaseUrl } : {}),
    });
    const headers = { authorization: `Bearer ${token}` };
    const time = async (params: string) => {
      const path = `/api/0/organizations/${org}/events/?statsPeriod=14d&${params}`;
      const spec = { urls: [node.url], connections: 1, requests: [{ method: 'GET', path, headers }] };
      await runLoad({ ...spec, durationS: durationS / 3 });
      const load = await runLoad({ ...spec, durationS });
      if (load.ok === 0) throw new Error(`no 2xx answer from ${path}`);
      return load;
    };
    const withIndexes = [];
    for (const [, params] of QUERIES) withIndexes.push(await time(params));
    for (const index of INDEXES) await sql`drop index ${sql.ref(index)}`.execute(db.region);
    for (const [i, [name, params]] of QUERIES.entries()) {
      const without = await time(params);
      const withIt = withIndexes[i] as typeof without;
      rows.push([engine, name, ms(withIt.p50Ms), ms(withIt.p99Ms), ms(without.p50Ms)]);
    }
    await node.child.stop();
    await db.destroy();
  }
  ctx.results.sections.push(
    `## Span aggregates, ${int(count)} spans in ${int(count / SPANS_PER_TRANSACTION)} transactions, one client`,
    table(['engine', 'query', 'median ms', 'p99 ms', 'median ms without the span indexes'], rows),
  );
}
