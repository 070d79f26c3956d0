// Sends the events the triage UI test plans, with @sentry/node, to the DSN in SENTRY_DSN, then exits.
// TRIAGE_PLAN is a JSON list of {issue, minutesAgo, environment, release, user, tags}: each `issue`
// names one error raised from its own code, so each lands in an issue of its own; `minutesAgo` moves
// the event's timestamp into the past, as an SDK that sent it then would have stamped it.
// After the plan it sends one error with a chain of causes.
import * as Sentry from '@sentry/node';

const plan = JSON.parse(process.env.TRIAGE_PLAN ?? '[]');
Sentry.init({ dsn: process.env.SENTRY_DSN, serverName: 'web-1' });

function chargeCard(order) {
  throw new TypeError(`card declined for order ${order}`);
}

function reserveStock(order) {
  throw new RangeError(`stock exhausted for order ${order}`);
}

const RAISE = { charge: chargeCard, stock: reserveStock };

for (const [n, planned] of plan.entries()) {
  Sentry.withScope((scope) => {
    // The SDK finishes events after this call returns, so each event's time, environment and
    // release travel with its own scope rather than through init().
    scope.addEventProcessor((event) => ({
      ...event,
      timestamp: Date.now() / 1000 - planned.minutesAgo * 60,
      environment: planned.environment,
      release: planned.release,
    }));
    scope.setUser(planned.user);
    scope.setTags(planned.tags ?? {});
    scope.addBreadcrumb({ category: 'cart', message: `opened the cart of order ${1000 + n}`, level: 'info' });
    try {
      RAISE[planned.issue](1000 + n);
    } catch (err) {
      Sentry.captureException(err);
    }
  });
}
// A cause chain: each error wraps the one below it, so their stacks share the outer calls.
function loadCart(order) {
  throw new Error(`cart service timed out for order ${order}`);
}
function priceCart(order) {
  try {
    loadCart(order);
  } catch (cause) {
    throw new Error(`pricing failed for order ${order}`, { cause });
  }
}
function checkout(order) {
  try {
    priceCart(order);
  } catch (cause) {
    throw new Error(`checkout failed for order ${order}`, { cause });
  }
}
try {
  checkout(2000);
} catch (err) {
  Sentry.captureException(err);
}
await Sentry.close(5000);
