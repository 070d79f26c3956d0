// Drives the real @sentry/node's Sentry.withMonitor for test/ui/crons-feedback-health.test.ts:
// `node send-monitor.mjs <slug> ok|error <environment> <schedule JSON>`, the schedule as the SDK
// takes it ({"type":"interval","value":2,"unit":"hour"} or {"type":"crontab","value":"0 * * * *"}).
// The job succeeds or throws; exits 0 after Sentry.close() has delivered both check-ins.
import * as Sentry from '@sentry/node';

const [slug, outcome, environment, schedule] = process.argv.slice(2);

Sentry.init({ dsn: process.env.SENTRY_DSN, environment, tracesSampleRate: 0 });

try {
  await Sentry.withMonitor(
    slug,
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (outcome === 'error') throw new Error('job failed');
    },
    { schedule: JSON.parse(schedule), checkinMargin: 2, maxRuntime: 3, timezone: 'Europe/Berlin' },
  );
} catch (error) {
  if (outcome !== 'error') throw error;
}
await Sentry.close(5000);
