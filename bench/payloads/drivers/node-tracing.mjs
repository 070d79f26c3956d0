// Drives @sentry/node against SENTRY_DSN with tracing and logs on, as a web service sends them for
// one request: an `http.server` span with the 17 child spans of its middleware, queries, cache and
// outgoing calls, and the 11 log lines its code writes along the way. Run by ../capture.ts.
// The SDK buffers both per trace; the log envelope is flushed first so that each has its own label.
import { _INTERNAL_flushLogsBuffer } from '@sentry/core';
import * as Sentry from '@sentry/node';

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: 'shop-api@3.14.2',
  environment: 'production',
  serverName: 'api-7f9c',
  tracesSampleRate: 1,
  enableLogs: true,
});

Sentry.setUser({ id: 'user-1042', email: 'grace@example.com', username: 'grace' });

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A child span of the active one, doing `ms` of pretend work. */
const step = (name, op, ms, attributes = {}) => Sentry.startSpan({ name, op, attributes }, () => pause(ms));
const { logger } = Sentry;

async function handleRequest() {
  await step('session', 'middleware.express', 1, { 'express.type': 'middleware' });
  await step('authenticate', 'middleware.express', 1, { 'express.type': 'middleware' });
  logger.debug(logger.fmt`session ${'s-88f1'} refreshed for ${'user-1042'}`);
  await step('GET order:99812', 'cache.get', 1, { 'cache.key': ['order:99812'], 'cache.hit': false });
  await step('SELECT * FROM orders WHERE id = $1', 'db.query', 3, { 'db.system': 'postgresql' });
  await step('SELECT * FROM order_items WHERE order_id = $1', 'db.query', 2, { 'db.system': 'postgresql' });
  logger.info(logger.fmt`loaded order ${99812} with ${3} items`, { 'order.total': 149.9 });
  await step('SELECT * FROM customers WHERE id = $1', 'db.query', 1, { 'db.system': 'postgresql' });
  await step('SELECT * FROM addresses WHERE customer_id = $1', 'db.query', 1, { 'db.system': 'postgresql' });
  await step('GET https://tax.internal/v2/rates', 'http.client', 4, { 'http.request.method': 'GET' });
  logger.info(logger.fmt`tax rate ${0.19} for ${'DE'}`, { 'tax.provider': 'internal' });
  await step('apply coupons', 'function', 1);
  logger.debug('no coupon applies to this order');
  await step('GET https://shipping.internal/quote', 'http.client', 6, { 'http.request.method': 'GET' });
  logger.warn(logger.fmt`shipping quote took ${612} ms, over the ${500} ms budget`, {
    'shipping.carrier': 'dhl',
  });
  await step('GET https://shipping.internal/quote', 'http.client', 3, { 'http.request.method': 'GET' });
  logger.info(logger.fmt`shipping quote ${'q-1187'}: ${7.9} EUR`);
  await step('SELECT * FROM inventory WHERE sku = ANY($1)', 'db.query', 2, { 'db.system': 'postgresql' });
  logger.info(logger.fmt`stock reserved for ${3} items`);
  await step('UPDATE orders SET total = $1 WHERE id = $2', 'db.query', 2, { 'db.system': 'postgresql' });
  await step('SET order:99812', 'cache.put', 1, { 'cache.key': ['order:99812'] });
  logger.info(logger.fmt`order ${99812} priced at ${157.8} EUR`);
  await step('publish order.priced', 'queue.publish', 1, { 'messaging.system': 'rabbitmq' });
  logger.debug(logger.fmt`published ${'order.priced'} to ${'orders'}`);
  await step('render order', 'function', 1);
  await step('serialize response', 'function', 1);
  logger.info(logger.fmt`GET /api/orders/:id ${200} in ${48} ms`);
  logger.debug('response compressed with br');
}

process.stdout.write('scenario:trace-logs\n');
await Sentry.startSpan(
  { name: 'GET /api/orders/:id', op: 'http.server', attributes: { 'http.request.method': 'GET' } },
  handleRequest,
);
_INTERNAL_flushLogsBuffer(Sentry.getClient());
await Sentry.getClient().getTransport().flush(5000);
process.stdout.write('scenario:trace-spans\n');
await Sentry.flush(5000);
process.stdout.write('scenario:close\n');
await Sentry.close(5000);
