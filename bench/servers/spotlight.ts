// The peer: Spotlight's sidecar (@spotlightjs/spotlight, from node_modules) on PORT, through the
// package's own `setupSpotlight`. Its CLI (dist/run.js) first loads instrument.js, which starts
// @sentry/node with Sentry's DSN and traces every request to sentry.io; the bench sends nothing
// off this machine, so it starts the same server without that telemetry (which only lightens it).
// Usage: spotlight.ts PORT
import { setupSpotlight } from '@spotlightjs/spotlight';

const port = Number(process.argv[2]);
const server = await setupSpotlight({ port, isStandalone: true });
if (!server) throw new Error(`a Spotlight sidecar already runs on port ${port}`);
process.stdout.write(`spotlight listening on ${port}\n`);
