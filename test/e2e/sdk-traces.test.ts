import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import {
  apiGet,
  DRIVERS,
  driverReports,
  makeSdkProject,
  poll,
  type SdkProject,
  SYSTEM_PYTHON,
} from '../support/sdk.js';
import { run, startTestServer, type TestServer } from '../support/server.js';
import { failed, percentile, storedDurationMs } from '../support/traces.js';

// Real clients with tracing against a listening Errata, then the events endpoint's aggregates:
// @sentry/node 11 (span streaming: v2 span items; drivers/node-traces.mjs) and Debian's Python
// sentry_sdk 1.9 (transaction events; drivers/python-traces.py). Each driver records what its SDK
// sent through a transport wrapped around the SDK's own; the counts, percentiles and failure
// rates the endpoint answers are checked against ones computed from those recorded durations.

interface NodeSpan {
  readonly name: string;
  readonly traceId: string;
  readonly isSegment: boolean;
  readonly status: string;
  readonly op: string;
  readonly start: number;
  readonly end: number;
}

interface PythonTransaction {
  readonly name: string;
  readonly traceId: string;
  readonly status: string | null;
  readonly durationMs: number;
  readonly spans: { op: string; durationMs: number }[];
}

/** What one transaction name should show: from what the SDK sent. */
interface Expected {
  readonly transaction: string;
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly failureRate: number;
}

function expectedByName(sent: readonly { name: string; durationMs: number; status?: string }[]): Expected[] {
  const names = [...new Set(sent.map((t) => t.name))].sort();
  return names.map((name) => {
    const of = sent.filter((t) => t.name === name);
    const durations = of.map((t) => t.durationMs);
    return {
      transaction: name,
      count: of.length,
      p50: percentile(durations, 0.5),
      p95: percentile(durations, 0.95),
      failureRate: of.filter((t) => failed(t.status)).length / of.length,
    };
  });
}

const SUMMARY = ['transaction', 'count()', 'p50()', 'p95()', 'failure_rate()']
  .map((f) => `field=${encodeURIComponent(f)}`)
  .join('&')
  .concat('&sort=transaction');

type Row = Record<string, number | string | null>;

describe.each(TEST_ENGINES)('traces from real SDKs, summarized by the events endpoint, on %s', (engine) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  const rows = async (p: SdkProject, params: string) => {
    const res = await apiGet<{ data: Row[] }>(
      t,
      p,
      `organizations/${p.org}/events/?statsPeriod=1h&${params}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };

  /** Both datasets' summaries match what was sent: count exactly, times to the microsecond. */
  async function expectSummaries(p: SdkProject, expected: readonly Expected[]) {
    const spans = await rows(p, `dataset=spans&${SUMMARY}&query=is_transaction%3Atrue`);
    const transactions = await rows(p, `dataset=transactions&${SUMMARY}`);
    for (const got of [spans, transactions]) {
      expect(got.map((r) => [r.transaction, r['count()']])).toEqual(
        expected.map((e) => [e.transaction, e.count]),
      );
      for (const [i, row] of got.entries()) {
        const want = expected[i] as Expected;
        expect(row['p50()']).toBeCloseTo(want.p50, 3);
        expect(row['p95()']).toBeCloseTo(want.p95, 3);
        expect(row['failure_rate()']).toBeCloseTo(want.failureRate, 9);
      }
    }
  }

  it('@sentry/node 11: each transaction name with its count, p50, p95 and failure rate', async () => {
    const p = await makeSdkProject(t, 'node-traces');
    const result = await run(process.execPath, [path.join(DRIVERS, 'node-traces.mjs')], {
      env: { SENTRY_DSN: p.dsn },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const sent = driverReports(result.stdout).get('sent')?.spans as NodeSpan[];
    const segments = sent.filter((s) => s.isSegment);
    expect(segments).toHaveLength(9);
    expect(sent).toHaveLength(9 * 4);
    await poll('every span stored', async () => {
      const [row] = await rows(p, 'dataset=spans&field=count()');
      return row?.['count()'] === sent.length ? true : undefined;
    });

    const expected = expectedByName(
      segments.map((s) => ({ name: s.name, status: s.status, durationMs: storedDurationMs(s.start, s.end) })),
    );
    // The driver made failures of some: the SDK sends them as `error`.
    expect(expected.map((e) => [e.transaction, e.count, e.failureRate])).toEqual([
      ['GET /checkout', 5, 1 / 5],
      ['GET /search', 3, 1 / 3],
      ['POST /pay', 1, 1],
    ]);
    await expectSummaries(p, expected);

    // The children: counted by op, each as long as it was sent.
    const children = sent.filter((s) => !s.isSegment);
    const byOp = await rows(
      p,
      'dataset=spans&field=span.op&field=count()&field=sum(span.duration)&query=is_transaction%3Afalse&sort=span.op',
    );
    const ops = [...new Set(children.map((s) => s.op))].sort();
    expect(byOp.map((r) => [r['span.op'], r['count()']])).toEqual(
      ops.map((op) => [op, children.filter((s) => s.op === op).length]),
    );
    for (const row of byOp) {
      const of = children.filter((s) => s.op === row['span.op']);
      expect(row['sum(span.duration)']).toBeCloseTo(
        of.reduce((sum, s) => sum + storedDurationMs(s.start, s.end), 0),
        3,
      );
    }

    // The slowest checkout's trace holds its four spans.
    const slowest = segments
      .filter((s) => s.name === 'GET /checkout')
      .sort((a, b) => storedDurationMs(b.start, b.end) - storedDurationMs(a.start, a.end))[0] as NodeSpan;
    const [top] = await rows(
      p,
      `dataset=spans&field=trace&field=span.duration&field=span.status&query=${encodeURIComponent('is_transaction:true transaction:"GET /checkout"')}&sort=-span.duration&per_page=1`,
    );
    expect(top?.trace).toBe(slowest.traceId);
    expect(top?.['span.duration']).toBeCloseTo(storedDurationMs(slowest.start, slowest.end), 3);
    const [inTrace] = await rows(p, `dataset=spans&field=count()&query=trace%3A${slowest.traceId}`);
    expect(inTrace?.['count()']).toBe(4);
  });

  it('python sentry_sdk 1.9: each transaction name with its count, p50, p95 and failure rate', async () => {
    const probe = await run(SYSTEM_PYTHON, ['-c', 'import sentry_sdk']);
    if (probe.code !== 0) {
      throw new Error(`${SYSTEM_PYTHON} cannot import sentry_sdk; apt-get install -y python3-sentry-sdk`);
    }
    const p = await makeSdkProject(t, 'python-traces');
    const result = await run(SYSTEM_PYTHON, [path.join(DRIVERS, 'python-traces.py')], {
      env: { SENTRY_DSN: p.dsn },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const sent = driverReports(result.stdout).get('sent')?.transactions as PythonTransaction[];
    expect(sent).toHaveLength(6);
    await poll('every transaction stored', async () => {
      const [row] = await rows(p, 'dataset=transactions&field=count()');
      return row?.['count()'] === sent.length ? true : undefined;
    });

    const expected = expectedByName(sent.map((s) => ({ ...s, status: s.status ?? undefined })));
    expect(expected.map((e) => [e.transaction, e.count, e.failureRate])).toEqual([
      ['orders.sync', 4, 1 / 4],
      ['reports.build', 2, 1 / 2],
    ]);
    await expectSummaries(p, expected);

    // A transaction sent without a status is `unknown`, which is no failure.
    const statuses = await rows(
      p,
      'dataset=transactions&field=transaction.status&field=count()&sort=transaction.status',
    );
    const named = (status: string) => sent.filter((s) => (s.status ?? 'unknown') === status).length;
    expect(statuses).toEqual(
      [...new Set(sent.map((s) => s.status ?? 'unknown'))]
        .sort()
        .map((status) => ({ 'transaction.status': status, 'count()': named(status) })),
    );

    // Their child spans, as long as they were sent: each transaction's two, and the `http` spans
    // the SDK's stdlib integration adds when its own requests to Errata fall inside one.
    const children = sent.flatMap((s) => s.spans);
    const byOp = await rows(
      p,
      'dataset=spans&field=span.op&field=count()&field=max(span.duration)&query=is_transaction%3Afalse&sort=span.op',
    );
    const ops = [...new Set(children.map((s) => s.op))].sort();
    expect(byOp.map((r) => [r['span.op'], r['count()']])).toEqual(
      ops.map((op) => [op, children.filter((s) => s.op === op).length]),
    );
    expect(byOp.filter((r) => r['span.op'] === 'db.query' || r['span.op'] === 'http.client')).toEqual([
      expect.objectContaining({ 'count()': 6 }),
      expect.objectContaining({ 'count()': 6 }),
    ]);
    for (const row of byOp) {
      const durations = children.filter((s) => s.op === row['span.op']).map((s) => s.durationMs);
      expect(row['max(span.duration)']).toBeCloseTo(Math.max(...durations), 3);
    }
  });
});
