import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPublicDsn } from '../../src/services/projects.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { DRIVERS, poll, SYSTEM_PYTHON } from '../support/sdk.js';
import { run, startTestServer, type TestServer } from '../support/server.js';

// One trace from two real SDKs into two projects of a listening Errata: @sentry/node 11 (span
// streaming, its http integration making the `http.server` segment, nested spans, logs, an
// exception captured in a span) hands the trace to Python's sentry_sdk 1.9 (a transaction of
// nested spans continuing it, an exception captured in the innermost). What each SDK sent is
// recorded by its driver on the way out (drivers/node-trace.mjs, drivers/python-trace.py); the
// trace endpoint must give back every span under the parent it was sent with, each error under
// its span, and trace-meta the same counts; the logs are found through the logs dataset.

interface SentSpan {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly traceId: string;
  readonly name: string;
  readonly op: string | null;
  readonly isSegment: boolean;
  readonly segmentName: string;
}
interface SentError {
  readonly eventId: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly transaction: string;
}
interface SentLog {
  readonly body: string;
  readonly level: string;
  readonly traceId: string;
}
interface TraceItem {
  readonly event_id: string;
  readonly event_type: string;
  readonly project_slug: string;
  readonly op?: string;
  readonly description?: string;
  readonly transaction: string;
  readonly transaction_id?: string;
  readonly is_transaction?: boolean;
  readonly parent_span_id?: string | null;
  readonly start_timestamp: number;
  readonly end_timestamp?: number;
  readonly duration?: number;
  readonly children?: TraceItem[];
  readonly errors?: TraceError[];
}
interface TraceError {
  readonly event_id: string;
  readonly issue_id: number;
  readonly short_id: string;
  readonly level: string;
  readonly culprit: string | null;
  readonly project_slug: string;
  readonly transaction: string;
}

type Report = { label: string } & Record<string, unknown>;
const lines = (stdout: string): Report[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Report);

/** Every span of the answer, with the span it is listed under (null at the top) and its depth. */
function flatten(items: readonly TraceItem[]) {
  const out = new Map<string, { item: TraceItem; parent: string | null; depth: number }>();
  const walk = (list: readonly TraceItem[], parent: string | null, depth: number) => {
    for (const item of list) {
      if (item.event_type !== 'span') continue;
      out.set(item.event_id, { item, parent, depth });
      walk(item.children ?? [], item.event_id, depth + 1);
    }
  };
  walk(items, null, 0);
  return out;
}

describe.each(TEST_ENGINES)('one trace from @sentry/node 11 and sentry_sdk 1.9 on %s', (engine) => {
  let t: TestServer;
  let org: string;
  let token: string;
  let spans: SentSpan[];
  let errors: SentError[];
  let logs: SentLog[];
  let traceId: string;

  const api = async <T>(apiPath: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${t.url}/api/0/${apiPath}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    t = await startTestServer(engine);
    const ctx = t.server.ctx;
    const owner = await makeUser(ctx);
    const made = await makeOrg(ctx, owner, 'traced-e2e');
    org = made.org.slug;
    const web = await makeProject(ctx, made.org, made.team, 'node-web');
    const worker = await makeProject(ctx, made.org, made.team, 'py-worker');
    token = await makeToken(ctx, owner, ['org:read', 'project:read', 'event:read']);

    const node = await run(process.execPath, [path.join(DRIVERS, 'node-trace.mjs')], {
      env: { SENTRY_DSN: formatPublicDsn(t.url, web.key) },
      timeoutMs: 60_000,
    });
    expect(node.code, node.stderr).toBe(0);
    const fromNode = lines(node.stdout);
    const handoff = fromNode.find((r) => r.label === 'handoff')?.sentryTrace as string;
    expect(handoff).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}-1$/);
    // The worker may wait up to its shutdown_timeout (30 s) for the server to take what it queued.
    const python = await run(SYSTEM_PYTHON, [path.join(DRIVERS, 'python-trace.py')], {
      env: { SENTRY_DSN: formatPublicDsn(t.url, worker.key), SENTRY_TRACE: handoff },
      timeoutMs: 60_000,
    });
    expect(python.code, python.stderr).toBe(0);
    const fromPython = lines(python.stdout);
    const all = [...fromNode, ...fromPython];
    spans = all.filter((r) => r.label === 'span') as unknown as SentSpan[];
    errors = all.filter((r) => r.label === 'error') as unknown as SentError[];
    logs = all.filter((r) => r.label === 'log') as unknown as SentLog[];
    traceId = handoff.slice(0, 32);
    // Both SDKs sent one trace: the node segments, the worker's transaction, both errors and the logs.
    expect(new Set([...spans, ...errors, ...logs].map((r) => r.traceId))).toEqual(new Set([traceId]));
    expect(spans.some((s) => s.op === 'http.server' && s.isSegment)).toBe(true);
    expect(errors).toHaveLength(2);

    await poll('every span and error in the trace', async () => {
      const meta = await api<{ spansCount: number; errorsCount: number; logsCount: number }>(
        `organizations/${org}/trace-meta/${traceId}/`,
      );
      const b = meta.body;
      return b.spansCount === spans.length && b.errorsCount === errors.length && b.logsCount === logs.length
        ? true
        : undefined;
    });
  }, 150_000);
  afterAll(() => t?.close());

  it('gives back every span under the parent its SDK sent it with, across both projects', async () => {
    const { status, body } = await api<TraceItem[]>(`organizations/${org}/trace/${traceId}/`);
    expect(status).toBe(200);
    const listed = flatten(body);
    expect(new Map([...listed].map(([id, { parent }]) => [id, parent]))).toEqual(
      new Map(spans.map((s) => [s.spanId, s.parentSpanId])),
    );
    // One root: the node task that began the trace.
    const root = spans.find((s) => s.parentSpanId === null) as SentSpan;
    expect(body.filter((i) => i.event_type === 'span').map((i) => i.event_id)).toEqual([root.spanId]);
    for (const sent of spans) {
      const { item } = listed.get(sent.spanId) as { item: TraceItem };
      expect(item, sent.name).toMatchObject({
        op: sent.op,
        description: sent.name,
        transaction: sent.segmentName,
        is_transaction: sent.isSegment,
        parent_span_id: sent.parentSpanId,
        project_slug: sent.segmentName === 'build report' ? 'py-worker' : 'node-web',
      });
      expect(item.duration).toBeCloseTo(((item.end_timestamp as number) - item.start_timestamp) * 1000, 3);
    }
    // The worker's transaction sits under the node span it continued, four levels down.
    const worker = spans.find((s) => s.segmentName === 'build report' && s.isSegment) as SentSpan;
    const handoff = listed.get(worker.parentSpanId as string);
    expect(handoff?.item.op).toBe('queue.publish');
    expect(listed.get(worker.spanId)?.depth).toBe(4);
  });

  it('lists each error under the span it was captured in, and finds its transaction from it', async () => {
    const { body } = await api<TraceItem[]>(`organizations/${org}/trace/${traceId}/`);
    const listed = flatten(body);
    for (const sent of errors) {
      const holder = listed.get(sent.spanId);
      expect(holder, `the span of ${sent.eventId}`).toBeDefined();
      const [error] = holder?.item.errors ?? [];
      const { body: issue } = await api<{ id: string; shortId: string; culprit: string; level: string }>(
        `organizations/${org}/issues/${error?.issue_id}/`,
      );
      expect(error).toMatchObject({
        event_id: sent.eventId,
        issue_id: Number(issue.id),
        short_id: issue.shortId,
        level: issue.level,
        culprit: issue.culprit,
        transaction: sent.transaction,
      });
      // Up from the error's span to the transaction (segment) it belongs to.
      let at = holder;
      while (at && !at.item.is_transaction) at = at.parent ? listed.get(at.parent) : undefined;
      expect(at?.item.event_id).toBe(
        spans.find((s) => s.isSegment && s.segmentName === holder?.item.transaction)?.spanId,
      );
      expect(at?.item.transaction_id).toBe(holder?.item.transaction_id);
      // The error's own event names its trace and span, as Sentry's UI reads them to open the trace.
      const { body: event } = await api<{ contexts: { trace: Record<string, string> } }>(
        `projects/${org}/${error?.project_slug}/events/${sent.eventId}/`,
      );
      expect(event.contexts.trace).toMatchObject({ trace_id: traceId, span_id: sent.spanId });
    }
    const python = errors.find((e) => e.transaction === 'build report') as SentError;
    expect(listed.get(python.spanId)?.item).toMatchObject({
      op: 'template.render',
      project_slug: 'py-worker',
    });
  });

  it('counts the trace in trace-meta as the SDKs sent it', async () => {
    const { status, body } = await api<Record<string, unknown>>(
      `organizations/${org}/trace-meta/${traceId}/`,
    );
    expect(status).toBe(200);
    const byOp: Record<string, number> = {};
    for (const s of spans) byOp[s.op ?? ''] = (byOp[s.op ?? ''] ?? 0) + 1;
    expect(body).toMatchObject({
      spansCount: spans.length,
      errorsCount: errors.length,
      logsCount: logs.length,
      performanceIssuesCount: 0,
      metricsCount: 0,
      spansCountMap: byOp,
    });
    const segments = new Map<string, number>();
    for (const s of spans.filter((x) => x.segmentName !== 'build report')) {
      const segment = spans.find((x) => x.isSegment && x.segmentName === s.segmentName) as SentSpan;
      segments.set(segment.spanId, (segments.get(segment.spanId) ?? 0) + 1);
    }
    const map = new Map(
      (body.transactionChildCountMap as Record<string, unknown>[]).map((r) => [
        r['transaction.event_id'],
        r['count()'],
      ]),
    );
    for (const [segment, n] of segments) expect(map.get(segment)).toBe(n);
    // The worker's transaction event holds its spans.
    expect([...map.values()].reduce((a, b) => Number(a) + Number(b), 0)).toBe(spans.length);
  });

  it("finds the trace's logs by trace, text, level and attribute through the logs dataset", async () => {
    const search = async (query: string) => {
      const { status, body } = await api<{ data: { message: string; severity: string; trace: string }[] }>(
        `organizations/${org}/events/?dataset=logs&field=message&field=severity&field=trace&statsPeriod=1h&query=${encodeURIComponent(query)}`,
      );
      expect(status).toBe(200);
      return body.data.map((r) => r.message).sort();
    };
    const trace = `trace:${traceId}`;
    expect(await search(trace)).toEqual(logs.map((l) => l.body).sort());
    expect(await search(`${trace} pricing`)).toEqual(['pricing cart 7']);
    expect(await search(`${trace} severity:error`)).toEqual(['price lookup failed']);
    expect(await search(`${trace} queue:reports`)).toEqual(['report queued']);
    expect(await search(`${trace} cartId:7 currency:EUR`)).toEqual(['pricing cart 7']);
    expect(await search(`trace:${'0'.repeat(32)}`)).toEqual([]);
  });
});
