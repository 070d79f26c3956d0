import type { BenchContext } from '../lib/context.js';
import { IngestDriver } from '../lib/ingest-run.js';
import { readMemory } from '../lib/memory.js';
import type { IngestScenario } from '../lib/results.js';
import { startScript } from './floor.js';

/**
 * Scenario 2, the peer: Spotlight's sidecar fed the same envelopes at its envelope endpoint. It
 * parses an envelope only when told its type, so requests carry the Content-Type Python's SDK
 * sends (Node's SDK sends none; Spotlight would skip those bodies and log a warning for each).
 */
export async function spotlightScenario(ctx: BenchContext): Promise<IngestScenario> {
  ctx.log('peer: Spotlight sidecar');
  const { child, url } = await startScript('spotlight.ts', 'spotlight');
  try {
    const driver = new IngestDriver(
      {
        urls: [url],
        pids: [child.pid],
        target: {
          publicKey: '0'.repeat(32),
          projectId: '1',
          extraHeaders: { 'content-type': 'application/x-sentry-envelope' },
        },
      },
      ctx.captured,
      ctx.options,
      ctx.log,
    );
    const runs = await driver.runLevels();
    return {
      id: 'spotlight',
      title: 'Peer: Spotlight 4.11.8 sidecar (in-memory, last 500 envelopes)',
      runs,
      fixedRate: null,
      peakRssMb: [readMemory(child.pid)?.peakMb ?? 0],
      notes: [],
    };
  } finally {
    await child.stop();
  }
}
