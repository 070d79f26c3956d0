// Drives the real @sentry/node's release health for test/ui/crons-feedback-health.test.ts:
// `node send-sessions.mjs <release> <environment> <user:outcome>…`, one session per argument, the
// user set before it starts; `errored` captures a handled error in it, `crashed` an unhandled
// one, `healthy` nothing. Each session ends before the next starts; exits 0 after Sentry.close().
import * as Sentry from '@sentry/node';

const [release, environment, ...plan] = process.argv.slice(2);

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release,
  environment,
  // The process session would be one more than the plan; the test counts only what it asked for.
  integrations: (defaults) => defaults.filter((i) => i.name !== 'ProcessSession'),
});

for (const step of plan) {
  const [user, outcome] = step.split(':');
  Sentry.setUser({ id: user });
  Sentry.startSession();
  if (outcome === 'errored') Sentry.captureException(new Error(`handled for ${user}`));
  if (outcome === 'crashed') {
    Sentry.captureException(new Error(`crash for ${user}`), { mechanism: { handled: false, type: 'test' } });
  }
  await Sentry.flush(20_000);
  Sentry.endSession();
  await Sentry.flush(20_000);
}
// Not everything delivered in time: say so, rather than let the test wait for what never came.
if (!(await Sentry.close(20_000))) {
  process.stderr.write('Sentry.close() timed out before everything was sent\n');
  process.exit(2);
}
