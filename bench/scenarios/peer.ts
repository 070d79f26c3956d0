import type { Context } from '../lib/context.js';
import { ingestDriver } from '../lib/ingest.js';
import { startScript } from '../lib/processes.js';

/**
 * The peer: Spotlight's sidecar (in memory, the last 500 envelopes) at its envelope endpoint. It
 * parses an envelope only when told its type, so every request carries the Content-Type Python's
 * SDK sends; Node's SDK sends none.
 */
export async function peer(ctx: Context): Promise<void> {
  const { child, url } = await startScript('spotlight.ts');
  const headers = { 'content-type': 'application/x-sentry-envelope' };
  const target = { publicKey: '0'.repeat(32), projectId: '1', headers };
  const driver = ingestDriver(ctx, { name: 'Spotlight', urls: [url], pids: [child.pid], target });
  ctx.results.ingest.push(...(await driver.levels()));
}
