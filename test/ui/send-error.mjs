// Sends one error with @sentry/node to the DSN in SENTRY_DSN, then exits: the UI tests run it to
// put a real SDK's event in front of the browser. Each run raises the same error from the same
// code, so every run lands in the same issue. SENTRY_RELEASE names another release than the usual.
import * as Sentry from '@sentry/node';

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.SENTRY_RELEASE || 'checkout@1.4.2',
  environment: 'production',
  serverName: 'web-1',
});

Sentry.setUser({ id: '42', email: 'ada@example.com', username: 'ada' });
Sentry.setTag('feature', 'checkout');
Sentry.setContext('order', { id: 1234, total: 250 });
Sentry.addBreadcrumb({ category: 'cart', message: 'added item', level: 'info', data: { sku: 'A-1' } });

function chargeCard(amount) {
  if (amount > 100) {
    throw new TypeError(`card declined for amount ${amount}`);
  }
  return amount;
}

function checkout(order) {
  return chargeCard(order.total);
}

Sentry.withScope((scope) => {
  scope.addAttachment({
    filename: 'order.json',
    data: '{"id":1234,"total":250}',
    contentType: 'application/json',
  });
  try {
    checkout({ id: 1234, total: 250 });
  } catch (err) {
    Sentry.captureException(err);
  }
});
await Sentry.close(5000);
