// Drives the real @sentry/node's Sentry.withMonitor against the DSN in SENTRY_DSN for
// test/e2e/crons.test.ts: `node node-crons.mjs <slug> ok|error`. The job succeeds or throws; the
// driver exits 0 after `Sentry.close()` has delivered both check-ins.
import * as Sentry from '@sentry/node';

const [slug, outcome] = process.argv.slice(2);

Sentry.init({ dsn: process.env.SENTRY_DSN, environment: 'e2e', tracesSampleRate: 0 });

const config = {
  schedule: { type: 'crontab', value: '0 * * * *' },
  checkinMargin: 2,
  maxRuntime: 3,
  timezone: 'Europe/Berlin',
};
try {
  await Sentry.withMonitor(
    slug,
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (outcome === 'error') throw new Error('job failed');
    },
    config,
  );
} catch (error) {
  if (outcome !== 'error') throw error;
}
await Sentry.close(5000);
