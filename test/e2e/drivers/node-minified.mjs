// Runs a minified bundle under the real @sentry/node for test/e2e/sourcemaps-symbolication.test.ts:
// `node node-minified.mjs <bundle.js>` imports the bundle, calls its `crash()`, captures what it
// throws and prints `{"label": "crash", "id": "<event id>"}`. SENTRY_DSN and SENTRY_RELEASE
// configure the SDK; with REWRITE_ROOT, frames under that directory are sent as `app:///…`, as
// Sentry's docs have Node apps do for source maps uploaded by release and URL.
import { pathToFileURL } from 'node:url';
import * as Sentry from '@sentry/node';

const [bundle] = process.argv.slice(2);
const root = process.env.REWRITE_ROOT;
Sentry.init({
  dsn: process.env.SENTRY_DSN,
  ...(process.env.SENTRY_RELEASE ? { release: process.env.SENTRY_RELEASE } : {}),
  ...(root ? { integrations: [Sentry.rewriteFramesIntegration({ root })] } : {}),
});

const { crash } = await import(pathToFileURL(bundle).href);
try {
  crash();
} catch (error) {
  process.stdout.write(`${JSON.stringify({ label: 'crash', id: Sentry.captureException(error) })}\n`);
}
if (!(await Sentry.close(10_000))) {
  process.stderr.write('Sentry.close timed out: not everything was delivered\n');
  process.exitCode = 1;
}
