import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SPAN_V2_CONTENT_TYPE } from '../../src/digest/items/span.js';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import type { Context } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { firstStart, sleep, startErrata } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';
import { createSchema } from '../lib/store.js';

/** Trace sizes timed: n and 2n spans, so that the table shows how the cost grows. */
const SIZES = [1_000, 2_000];
/** Errors raised in spans of each trace, and logs of it. */
const ERRORS = 10;
const LOGS = 100;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * One trace of `size` spans as the SDKs send them: a sentry-python transaction holding half of
 * them, and @sentry/node span streams (items of at most 1,000 spans) under its spans holding the
 * rest; each span's parent is one of the spans before it, so the tree is deep and wide at once.
 * Then errors in random spans and logs.
 */
function traceEnvelopes(size: number, now: number) {
  const traceId = hex(16);
  const ids = Array.from({ length: size }, () => hex(8));
  const parentOf = (i: number) => (i === 0 ? null : (ids[Math.floor(Math.random() * i)] as string));
  const at = (i: number) => now - 60_000 + i * 2;
  const half = Math.floor(size / 2);
  const transaction = {
    event_id: hex(16),
    type: 'transaction',
    platform: 'python',
    transaction: 'GET /bench',
    start_timestamp: at(0) / 1000,
    timestamp: (at(size) + 100) / 1000,
    contexts: { trace: { trace_id: traceId, span_id: ids[0], op: 'http.server', status: 'ok' } },
    spans: ids.slice(1, half).map((id, k) => ({
      trace_id: traceId,
      span_id: id,
      parent_span_id: parentOf(k + 1),
      op: 'db',
      description: `SELECT ${k}`,
      start_timestamp: at(k + 1) / 1000,
      timestamp: (at(k + 1) + 20) / 1000,
    })),
    sdk: { name: 'sentry.python', version: '1.9.10' },
  };
  const envelopes = [
    serializeEnvelope({ headers: {}, items: [{ headers: { type: 'transaction' }, payload: transaction }] }),
  ];
  const streamed = ids.slice(half).map((id, k) => ({
    trace_id: traceId,
    span_id: id,
    parent_span_id: parentOf(half + k),
    name: `work ${k}`,
    start_timestamp: at(half + k) / 1000,
    end_timestamp: (at(half + k) + 10) / 1000,
    is_segment: false,
    status: 'ok',
    attributes: {
      'sentry.op': { value: 'function', type: 'string' },
      'sentry.segment.id': { value: ids[half], type: 'string' },
      'sentry.segment.name': { value: 'POST /bench', type: 'string' },
      'sentry.sdk.name': { value: 'sentry.javascript.node', type: 'string' },
    },
  }));
  for (let i = 0; i < streamed.length; i += 1_000) {
    const items = streamed.slice(i, i + 1_000);
    envelopes.push(
      serializeEnvelope({
        headers: {},
        items: [
          {
            headers: { type: 'span', item_count: items.length, content_type: SPAN_V2_CONTENT_TYPE },
            payload: { version: 2, items },
          },
        ],
      }),
    );
  }
  for (let e = 0; e < ERRORS; e++) {
    const event = {
      event_id: hex(16),
      timestamp: at(e) / 1000,
      level: 'error',
      exception: { values: [{ type: 'Error', value: `bench failure ${e}` }] },
      contexts: { trace: { trace_id: traceId, span_id: ids[Math.floor(Math.random() * size)] } },
    };
    envelopes.push(
      serializeEnvelope({ headers: {}, items: [{ headers: { type: 'event' }, payload: event }] }),
    );
  }
  const logs = Array.from({ length: LOGS }, (_, l) => ({
    timestamp: at(l) / 1000,
    trace_id: traceId,
    level: 'info',
    body: `bench log ${l}`,
  }));
  envelopes.push(
    serializeEnvelope({
      headers: {},
      items: [
        {
          headers: { type: 'log', item_count: LOGS, content_type: 'application/vnd.sentry.items.log+json' },
          payload: { items: logs },
        },
      ],
    }),
  );
  return { traceId, envelopes };
}

/**
 * The trace view's two calls on traces of 1,000 and 2,000 spans (each with errors and logs), one
 * client at a time, on SQLite and on PostgreSQL.
 */
export async function traceView(ctx: Context): Promise<void> {
  const rows: string[][] = [];
  for (const engine of ['sqlite', 'postgres'] as const) {
    const dataDir = path.join(ctx.tmpDir, `trace-view-${engine}`);
    const databaseUrl = engine === 'postgres' ? await createSchema() : undefined;
    const node = await startErrata({
      name: `trace-view-${engine}`,
      dataDir,
      ...(databaseUrl ? { databaseUrl } : {}),
    });
    const { token, publicKey, projectId, org } = firstStart(node);
    const headers = { authorization: `Bearer ${token}` };
    for (const size of SIZES) {
      const { traceId, envelopes } = traceEnvelopes(size, Date.now());
      for (const body of envelopes) {
        const sent = await fetch(
          `${node.url}/api/${projectId}/envelope/?sentry_version=7&sentry_key=${publicKey}`,
          {
            method: 'POST',
            body,
          },
        );
        if (sent.status !== 200) throw new Error(`ingest: ${sent.status} ${await sent.text()}`);
      }
      const meta = `/api/0/organizations/${org}/trace-meta/${traceId}/`;
      const deadline = performance.now() + 60_000;
      for (;;) {
        const counts = (await (await fetch(`${node.url}${meta}`, { headers })).json()) as Record<
          string,
          number
        >;
        if (counts.spansCount === size && counts.errorsCount === ERRORS && counts.logsCount === LOGS) break;
        if (performance.now() > deadline)
          throw new Error(`the trace of ${size} spans was not digested: ${JSON.stringify(counts)}`);
        await sleep(100);
      }
      for (const [call, url] of [
        ['trace', `/api/0/organizations/${org}/trace/${traceId}/`],
        ['trace-meta', meta],
      ] as const) {
        const spec = { urls: [node.url], connections: 1, requests: [{ method: 'GET', path: url, headers }] };
        await runLoad({ ...spec, durationS: ctx.options.restDurationS / 3 });
        const load = await runLoad({ ...spec, durationS: ctx.options.restDurationS });
        if (load.ok === 0) throw new Error(`${call}: no 2xx answer`);
        rows.push([engine, int(size), call, ms(load.p50Ms), ms(load.p99Ms), int(load.rps), int(load.errors)]);
      }
    }
    await node.child.stop();
  }
  ctx.results.sections.push(
    '## Trace view, one client',
    table(['engine', 'spans', 'call', 'median ms', 'p99 ms', 'req/s', 'errors'], rows),
  );
}
