// Drives @sentry/node against SENTRY_DSN: one error thrown 20 application frames deep, after the
// breadcrumbs, user, tags and contexts a web service typically sets. Run by ../capture.ts.
// Every function name contains `handler000`: the bench renames it (same length) to make variants.
import * as Sentry from '@sentry/node';

// V8 keeps 10 frames by default; services that want whole traces raise it (as Sentry's docs advise).
Error.stackTraceLimit = 50;

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: 'shop-api@3.14.2',
  environment: 'production',
  serverName: 'api-7f9c',
  tracesSampleRate: 0,
});

Sentry.setUser({ id: 'user-1042', email: 'grace@example.com', username: 'grace' });
Sentry.setTags({ region: 'eu-west-1', feature: 'checkout', 'build.number': 8812 });
Sentry.setContext('order', { id: 99812, items: 3, total: 149.9, currency: 'EUR' });
Sentry.setContext('feature_flags', { new_checkout: true, fast_tax: false });
const crumbs = [
  ['http', 'GET /api/cart', 'info', { status_code: 200, method: 'GET', url: '/api/cart' }],
  ['query', 'SELECT * FROM carts WHERE user_id = $1', 'info', { duration_ms: 3 }],
  ['cart', 'added item', 'info', { sku: 'A-1', quantity: 2 }],
  ['cart', 'added item', 'info', { sku: 'B-7', quantity: 1 }],
  ['http', 'POST /api/coupons/apply', 'info', { status_code: 200, method: 'POST' }],
  ['query', 'SELECT * FROM coupons WHERE code = $1', 'info', { duration_ms: 2 }],
  ['auth', 'session refreshed', 'info', { ttl: 3600 }],
  ['http', 'GET /api/shipping/quote', 'warning', { status_code: 429, method: 'GET' }],
  ['retry', 'retrying shipping quote', 'info', { attempt: 2 }],
  ['http', 'GET /api/shipping/quote', 'info', { status_code: 200, method: 'GET' }],
  ['checkout', 'submitting order', 'info', { order_id: 99812 }],
  ['query', 'INSERT INTO orders (user_id, total) VALUES ($1, $2)', 'info', { duration_ms: 9 }],
];
for (const [category, message, level, data] of crumbs)
  Sentry.addBreadcrumb({ category, message, level, data });

function handler000_step01(order) {
  return handler000_step02({ ...order, step: 1 });
}
function handler000_step02(order) {
  return handler000_step03({ ...order, step: 2 });
}
function handler000_step03(order) {
  return handler000_step04({ ...order, step: 3 });
}
function handler000_step04(order) {
  return handler000_step05({ ...order, step: 4 });
}
function handler000_step05(order) {
  return handler000_step06({ ...order, step: 5 });
}
function handler000_step06(order) {
  return handler000_step07({ ...order, step: 6 });
}
function handler000_step07(order) {
  return handler000_step08({ ...order, step: 7 });
}
function handler000_step08(order) {
  return handler000_step09({ ...order, step: 8 });
}
function handler000_step09(order) {
  return handler000_step10({ ...order, step: 9 });
}
function handler000_step10(order) {
  return handler000_step11({ ...order, step: 10 });
}
function handler000_step11(order) {
  return handler000_step12({ ...order, step: 11 });
}
function handler000_step12(order) {
  return handler000_step13({ ...order, step: 12 });
}
function handler000_step13(order) {
  return handler000_step14({ ...order, step: 13 });
}
function handler000_step14(order) {
  return handler000_step15({ ...order, step: 14 });
}
function handler000_step15(order) {
  return handler000_step16({ ...order, step: 15 });
}
function handler000_step16(order) {
  return handler000_step17({ ...order, step: 16 });
}
function handler000_step17(order) {
  return handler000_step18({ ...order, step: 17 });
}
function handler000_step18(order) {
  return handler000_step19({ ...order, step: 18 });
}
function handler000_step19(order) {
  return handler000_step20({ ...order, step: 19 });
}
function handler000_step20(order) {
  if (order.total > 100) throw new TypeError(`handler000: cannot apply tax rule to order ${order.id}`);
  return order;
}

process.stdout.write('scenario:error\n');
try {
  handler000_step01({ id: 99812, total: 149.9 });
} catch (error) {
  Sentry.captureException(error);
}
await Sentry.flush(5000);
process.stdout.write('scenario:close\n');
await Sentry.close(5000);
