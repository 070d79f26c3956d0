// Drives the real @sentry/node's release health against the DSN in SENTRY_DSN for
// test/e2e/release-health.test.ts, as release DRIVER_RELEASE in environment DRIVER_ENVIRONMENT.
//
// `node node-health.mjs process healthy|errored|crashed <user id>`: application mode. The SDK's
// process session (started by Sentry.init) belongs to the user; the process ends cleanly, after a
// handled exception, or by an uncaught exception (a crash: the process exits 1).
//
// `node node-health.mjs server <ok> <errored> <crashed>`: server mode. An HTTP server answers that
// many requests of each kind, which the SDK counts as request sessions and sends as one session
// aggregate when Sentry.close() flushes; an errored request captures a handled exception, a
// crashed one an unhandled exception the way framework error handlers report it. The SDK drops
// the process session at the first request: a server counts its requests, not itself.
import { createServer } from 'node:http';
import * as Sentry from '@sentry/node';

const [mode, ...args] = process.argv.slice(2);

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.DRIVER_RELEASE,
  environment: process.env.DRIVER_ENVIRONMENT,
  tracesSampleRate: 0,
});

function processSession(outcome, userId) {
  Sentry.setUser({ id: userId });
  if (outcome === 'errored') Sentry.captureException(new Error('handled in the process'));
  if (outcome === 'crashed') {
    // Off the import's stack, so that the SDK's uncaught exception handler sees it.
    setTimeout(() => {
      throw new Error('the process crashed');
    }, 10);
  }
}

async function serverSessions(counts) {
  const server = createServer((request, response) => {
    const kind = request.url.slice(1);
    if (kind === 'errored') Sentry.captureException(new Error('handled in a request'));
    if (kind === 'crashed') {
      Sentry.captureException(new Error('unhandled in a request'), {
        mechanism: { type: 'middleware', handled: false },
      });
    }
    response.statusCode = kind === 'crashed' ? 500 : 200;
    response.end(kind);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  for (const [kind, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) {
      const answer = await fetch(`http://127.0.0.1:${port}/${kind}`);
      await answer.text();
    }
  }
  await new Promise((resolve) => server.close(resolve));
  // The request sessions are counted when each response closes; let the last one land.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await Sentry.close(10_000);
}

if (mode === 'process') processSession(args[0], args[1]);
else if (mode === 'server') {
  const [ok, errored, crashed] = args.map(Number);
  await serverSessions({ ok, errored, crashed });
} else throw new Error(`unknown mode ${mode}`);
