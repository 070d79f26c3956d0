// Sends errors with @sentry/node to the DSN in SENTRY_DSN, one at a time (each flushed before the
// next, so every answer is in before the next event leaves), then exits. USAGE_KEEP errors are
// sent; USAGE_DROP more are dropped by beforeSend, which the SDK reports in a client report
// (`before_send`) when it closes.
import * as Sentry from '@sentry/node';

const keep = Number(process.env.USAGE_KEEP ?? '0');
const drop = Number(process.env.USAGE_DROP ?? '0');
Sentry.init({
  dsn: process.env.SENTRY_DSN,
  beforeSend: (event) => (event.tags?.drop === 'yes' ? null : event),
});

function chargeCard(order) {
  throw new TypeError(`card declined for order ${order}`);
}

for (let n = 0; n < keep + drop; n++) {
  Sentry.withScope((scope) => {
    scope.setTag('drop', n >= keep ? 'yes' : 'no');
    try {
      chargeCard(1000 + n);
    } catch (err) {
      Sentry.captureException(err);
    }
  });
  await Sentry.flush(5000);
}
await Sentry.close(5000);
