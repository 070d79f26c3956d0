// Drives the real @sentry/node against the DSN in SENTRY_DSN for test/e2e/sdk-node.test.ts.
// `node node-sdk.mjs <scenario> [module | labels…]`, as release DRIVER_RELEASE (default
// shop@2.4.0); prints one JSON line per captured item on stdout,
// `{"label": "...", "id": "<event id>"}` (or `traceId` for a transaction), and exits 0 after
// `Sentry.close()` has delivered everything.
import { pathToFileURL } from 'node:url';
import * as Sentry from '@sentry/node';

const [scenario, ...args] = process.argv.slice(2);
const report = (label, fields) => process.stdout.write(`${JSON.stringify({ label, ...fields })}\n`);

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.DRIVER_RELEASE ?? 'shop@2.4.0',
  environment: 'e2e',
  serverName: 'e2e-host',
  tracesSampleRate: 1,
});

function parseOrder(raw) {
  try {
    return JSON.parse(raw);
  } catch (cause) {
    throw new Error('could not parse order', { cause });
  }
}

function handleRequest(raw) {
  return parseOrder(raw);
}

function chargeCard() {
  throw new TypeError('card declined');
}

function refundCard() {
  throw new TypeError('card declined');
}

const captured = (label, fn) => {
  try {
    fn();
  } catch (error) {
    report(label, { id: Sentry.captureException(error) });
  }
};

async function everything() {
  Sentry.setUser({ id: 'user-42', email: 'ada@example.com', username: 'ada' });
  Sentry.setTags({ feature: 'checkout', tenant: 'acme-co' });
  Sentry.setContext('order', { id: 1234, total: 9.5 });
  Sentry.addBreadcrumb({ category: 'cart', message: 'added item', level: 'info', data: { sku: 'A-1' } });
  Sentry.addBreadcrumb({ category: 'checkout', message: 'clicked pay', level: 'info' });

  captured('exception', () => handleRequest('{not json'));
  await Sentry.flush(5000);

  report('message', { id: Sentry.captureMessage('payment provider slow', 'warning') });
  await Sentry.flush(5000);

  Sentry.withScope((scope) => {
    scope.addAttachment({ filename: 'notes.txt', data: 'line one\nline two\n', contentType: 'text/plain' });
    scope.addAttachment({ filename: 'blob.bin', data: new Uint8Array([0, 10, 255, 13, 10, 1]) });
    report('attachment', { id: Sentry.captureException(new RangeError('quantity out of range')) });
  });
  await Sentry.flush(5000);

  // Release health: ends the process session (which saw errors), then one clean session.
  Sentry.startSession();
  Sentry.captureSession();
  Sentry.endSession();
  await Sentry.flush(5000);

  await Sentry.startSpan({ name: 'process-order', op: 'task' }, async (span) => {
    report('transaction', { traceId: span.spanContext().traceId });
    await Sentry.startSpan(
      { name: 'load order', op: 'db.query' },
      () => new Promise((r) => setTimeout(r, 5)),
    );
    await Sentry.startSpan(
      { name: 'charge card', op: 'http.client' },
      () => new Promise((r) => setTimeout(r, 5)),
    );
  });
}

function grouping() {
  // One code path, three times. The SDK's dedupe integration drops an event identical to the one
  // just before it, so the repeat of chargeCard comes after refundCard, as it would in a real process.
  for (const [label, charge] of [
    ['same-first', chargeCard],
    ['other-function', refundCard],
    ['same-second', chargeCard],
  ]) {
    captured(label, () => charge());
  }
  for (const [label, error] of [
    ['fingerprint-type', new TypeError('card declined')],
    ['fingerprint-range', new RangeError('amount too large')],
  ]) {
    Sentry.withScope((scope) => {
      scope.setFingerprint(['payment-failures']);
      report(label, { id: Sentry.captureException(error) });
    });
  }
}

// Three errors of a checkout, each thrown from its own function, so each is its own issue in
// every release the driver runs as.
const releaseErrors = {
  cart: () => {
    throw new TypeError('cart total is NaN');
  },
  payment: () => {
    throw new Error('payment gateway timed out');
  },
  inventory: () => {
    throw new RangeError('stock below zero');
  },
};

/** Captures the named errors of `releaseErrors`, in order. */
function releases(labels) {
  for (const label of labels) captured(label, releaseErrors[label]);
}

/** Calls `run()` of the given module, which throws from its own code. */
async function throwFrom(file) {
  const { run } = await import(pathToFileURL(file).href);
  captured('from-module', () => run());
}

switch (scenario) {
  case 'everything':
    await everything();
    break;
  case 'grouping':
    grouping();
    break;
  case 'throw-from':
    await throwFrom(args[0]);
    break;
  case 'releases':
    releases(args);
    break;
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
if (!(await Sentry.close(10_000))) {
  process.stderr.write('Sentry.close timed out: not everything was delivered\n');
  process.exitCode = 1;
}
