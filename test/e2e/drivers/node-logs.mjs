// Drives the real @sentry/node with `enableLogs` against the DSN in SENTRY_DSN for
// test/e2e/sdk-node-logs.test.ts: logs at three levels with attributes, one inside a span. Prints
// `{"label": "span", "traceId": "...", "spanId": "..."}` for the span, and exits 0 after
// `Sentry.close()` has delivered everything.
import * as Sentry from '@sentry/node';

const tag = process.argv[2] ?? 'run';
const report = (label, fields) => process.stdout.write(`${JSON.stringify({ label, ...fields })}\n`);

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: 'shop@3.1.0',
  environment: 'e2e',
  tracesSampleRate: 1,
  enableLogs: true,
});

Sentry.logger.info(`user ${tag} signed in`, { userId: 'user-42', plan: 'pro' });
Sentry.logger.warn(`cart ${tag} is almost full`, { items: 19, limit: 20 });
Sentry.logger.error(`payment ${tag} failed`, { provider: 'acme-pay', retryable: false });
Sentry.startSpan({ name: 'checkout', op: 'task' }, (span) => {
  const { traceId, spanId } = span.spanContext();
  Sentry.logger.info(Sentry.logger.fmt`order ${tag}-1001 placed`, { orderId: 1001 });
  report('span', { traceId, spanId });
});

await Sentry.close(5000);
