// Drives the real @sentry/node 11 (tracing on, its default span streaming, logs on) against the
// DSN in SENTRY_DSN for test/e2e/sdk-trace.test.ts: a task span calls an HTTP server of this
// process, whose request the http integration makes an `http.server` segment; inside it nested
// spans, logs with attributes and a captured exception. Every envelope the SDK sends is recorded
// on its way out and printed as JSON lines: `{"label": "span", ...}` per span sent,
// `{"label": "error", eventId, traceId, spanId, transaction}` for the error, `{"label": "log", ...}`
// per log, and `{"label": "handoff", sentryTrace}`: the header a worker continues the trace with.
// Exits 0 after `Sentry.close()` has delivered everything.
import * as Sentry from '@sentry/node';

const report = (label, fields) => process.stdout.write(`${JSON.stringify({ label, ...fields })}\n`);
const value = (attribute) => (attribute && typeof attribute === 'object' ? attribute.value : attribute);

/** Records each item of an outgoing envelope, then sends it as the SDK would. */
function recordingTransport(options) {
  const transport = Sentry.makeNodeTransport(options);
  return {
    send(envelope) {
      const [, items] = envelope;
      for (const [headers, payload] of items) {
        if (headers.type === 'span') {
          for (const span of payload.items) {
            report('span', {
              spanId: span.span_id,
              parentSpanId: span.parent_span_id ?? null,
              traceId: span.trace_id,
              name: span.name,
              op: value(span.attributes?.['sentry.op']) ?? null,
              isSegment: span.is_segment,
              segmentName: value(span.attributes?.['sentry.segment.name']) ?? null,
            });
          }
        } else if (headers.type === 'event') {
          report('error', {
            eventId: payload.event_id,
            traceId: payload.contexts?.trace?.trace_id,
            spanId: payload.contexts?.trace?.span_id,
            transaction: payload.transaction ?? null,
          });
        } else if (headers.type === 'log') {
          for (const log of payload.items) {
            report('log', {
              body: log.body,
              level: log.level,
              traceId: log.trace_id,
              spanId: log.span_id ?? null,
            });
          }
        }
      }
      return transport.send(envelope);
    },
    flush: (timeout) => transport.flush(timeout),
  };
}

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: 'shop@4.0.0',
  environment: 'e2e',
  tracesSampleRate: 1,
  enableLogs: true,
  transport: recordingTransport,
});

// Loaded after init, so that the http integration sees the server and its requests.
const http = await import('node:http');

function priceCart(cartId) {
  return Sentry.startSpan({ name: 'price cart', op: 'function' }, () => {
    Sentry.logger.info(Sentry.logger.fmt`pricing cart ${cartId}`, { cartId, currency: 'EUR' });
    return Sentry.startSpan({ name: 'SELECT prices', op: 'db.query' }, () => {
      try {
        throw new Error(`price service down for cart ${cartId}`);
      } catch (error) {
        Sentry.captureException(error);
        Sentry.logger.error('price lookup failed', { cartId, retryable: true });
      }
      return 0;
    });
  });
}

const server = http.createServer((_request, response) => {
  Sentry.startSpan({ name: 'load cart', op: 'db' }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }).then(() => {
    const total = priceCart(7);
    Sentry.startSpan({ name: 'enqueue report', op: 'queue.publish' }, (span) => {
      Sentry.logger.warn('report queued', { queue: 'reports' });
      report('handoff', { sentryTrace: Sentry.spanToTraceHeader(span) });
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ total }));
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

await Sentry.startSpan({ name: 'checkout run', op: 'task' }, async () => {
  const answer = await fetch(`http://127.0.0.1:${port}/checkout?cart=7`);
  await answer.text();
});
server.close();
await Sentry.close(10_000);
