// Drives the real @sentry/node's captureFeedback against the DSN in SENTRY_DSN for
// test/e2e/feedback.test.ts: an error, feedback tied to it, and feedback alone. Prints one JSON
// line per captured item, `{"label": "...", "id": "<event id>"}`, and exits 0 after Sentry.close().
import * as Sentry from '@sentry/node';

const report = (label, id) => process.stdout.write(`${JSON.stringify({ label, id })}\n`);

Sentry.init({ dsn: process.env.SENTRY_DSN, release: 'shop@2.4.0', environment: 'e2e' });

const errorId = Sentry.captureException(new Error('checkout failed'));
report('error', errorId);
// The error first, so that the feedback finds its issue at once.
await Sentry.flush(5000);
report(
  'tied',
  Sentry.captureFeedback({
    name: 'Ada',
    email: 'ada@example.com',
    message: 'The pay button did nothing',
    url: 'https://shop.example/checkout',
    associatedEventId: errorId,
  }),
);
report(
  'alone',
  Sentry.captureFeedback({ name: 'Bob', email: 'bob@example.com', message: 'Love the new menu' }),
);
await Sentry.close(5000);
