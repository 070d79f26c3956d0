// Drives the real @sentry/node 11 with tracing against the DSN in SENTRY_DSN for
// test/e2e/sdk-traces.test.ts: named transactions of varied lengths, each with nested spans, some
// ending in an error, each in a trace of its own. The transport records what the SDK sends; after
// `Sentry.close()` has delivered everything, the driver prints one JSON line,
// `{"label": "sent", "spans": [{name, traceId, spanId, isSegment, status, op, start, end}]}`,
// every span exactly as it went out (start and end in seconds).
import * as Sentry from '@sentry/node';

const sent = [];

/** Keeps every span of every envelope the SDK hands its transport, as sent. */
function record(envelope) {
  const [, items] = envelope;
  for (const [headers, payload] of items) {
    if (headers.type !== 'span') continue;
    for (const span of payload.items) {
      sent.push({
        name: span.name,
        traceId: span.trace_id,
        spanId: span.span_id,
        isSegment: span.is_segment,
        status: span.status,
        op: span.attributes?.['sentry.op']?.value ?? null,
        segmentName: span.attributes?.['sentry.segment.name']?.value ?? null,
        start: span.start_timestamp,
        end: span.end_timestamp,
      });
    }
  }
}

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: 'shop@5.0.0',
  environment: 'e2e',
  tracesSampleRate: 1,
  transport: (options) => {
    const inner = Sentry.makeNodeTransport(options);
    return {
      send(envelope) {
        record(envelope);
        return inner.send(envelope);
      },
      flush: (timeout) => inner.flush(timeout),
    };
  },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One transaction: a root span with a query and a nested call inside it, `ms` long at least. */
async function transaction(name, ms, failing) {
  await Sentry.startNewTrace(() =>
    Sentry.startSpan({ name, op: 'http.server' }, async (root) => {
      await Sentry.startSpan({ name: 'load cart', op: 'db.query' }, () => sleep(ms / 4));
      await Sentry.startSpan({ name: 'price cart', op: 'function' }, async () => {
        await Sentry.startSpan({ name: 'GET /rates', op: 'http.client' }, () => sleep(ms / 4));
      });
      await sleep(ms / 4);
      if (failing) root.setStatus({ code: 2, message: 'internal_error' });
    }),
  );
}

const PLAN = [
  ['GET /checkout', 20, false],
  ['GET /checkout', 60, false],
  ['GET /checkout', 45, true],
  ['GET /checkout', 120, false],
  ['GET /checkout', 30, false],
  ['GET /search', 10, false],
  ['GET /search', 90, true],
  ['GET /search', 25, false],
  ['POST /pay', 150, true],
];
for (const [name, ms, failing] of PLAN) await transaction(name, ms, failing);

await Sentry.close(10_000);
process.stdout.write(`${JSON.stringify({ label: 'sent', spans: sent })}\n`);
