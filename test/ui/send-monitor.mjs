// Drives the real @sentry/node's Sentry.withMonitor for test/ui/crons-feedback-health.test.ts:
// `node send-monitor.mjs <slug> ok|error|stuck <environment> <schedule JSON> [max runtime]`, the
// schedule as the SDK takes it ({"type":"interval","value":2,"unit":"hour"} or
// {"type":"crontab","value":"0 * * * *"}). The job succeeds or throws; a stuck one only says it
// started (Sentry.captureCheckIn in_progress) and never finishes. Exits 0 after Sentry.close().
import * as Sentry from '@sentry/node';

const [slug, outcome, environment, schedule, maxRuntime = '3'] = process.argv.slice(2);
const config = {
  schedule: JSON.parse(schedule),
  checkinMargin: 2,
  maxRuntime: Number(maxRuntime),
  timezone: 'Europe/Berlin',
};

Sentry.init({ dsn: process.env.SENTRY_DSN, environment, tracesSampleRate: 0 });

if (outcome === 'stuck') {
  Sentry.captureCheckIn({ monitorSlug: slug, status: 'in_progress' }, config);
} else {
  await run();
}
// Not everything delivered in time: say so, rather than let the test wait for what never came.
if (!(await Sentry.close(20_000))) {
  process.stderr.write('Sentry.close() timed out before everything was sent\n');
  process.exit(2);
}

async function run() {
  try {
    await Sentry.withMonitor(
      slug,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        if (outcome === 'error') throw new Error('job failed');
      },
      config,
    );
  } catch (error) {
    if (outcome !== 'error') throw error;
  }
}
