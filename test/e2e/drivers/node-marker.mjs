// Sends one error carrying a marker with the real @sentry/node to SENTRY_DSN, for
// test/e2e/regions.test.ts; prints `{"id": "<event id>"}` and exits 0 once it is delivered.
import * as Sentry from '@sentry/node';

const marker = process.argv[2];
Sentry.init({ dsn: process.env.SENTRY_DSN, release: 'regions@1.0.0', environment: 'e2e' });
Sentry.setTag('marker', marker);
const id = Sentry.captureException(new Error(`residency check ${marker}`));
await Sentry.flush(10_000);
process.stdout.write(`${JSON.stringify({ id })}\n`);
