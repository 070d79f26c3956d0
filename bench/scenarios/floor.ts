import path from 'node:path';
import { startChild } from '../lib/children.js';
import type { BenchContext } from '../lib/context.js';
import { ROOT } from '../lib/errata.js';
import { freePort } from '../lib/http.js';
import { IngestDriver } from '../lib/ingest-run.js';
import { readMemory } from '../lib/memory.js';
import type { IngestScenario } from '../lib/results.js';

/** Starts a bench/servers/ script on a free port and waits for its "listening" line. */
export async function startScript(script: string, name: string) {
  const port = await freePort();
  const child = startChild(
    name,
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/servers', script), String(port)],
    {
      env: { ...process.env },
      cwd: ROOT,
    },
  );
  await child.waitForOutput(/listening on/, 30_000);
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Scenario 1, the HTTP floor: the same envelopes to a node:http server that only reads and answers. */
export async function floorScenario(ctx: BenchContext): Promise<IngestScenario> {
  ctx.log('floor: bare node:http');
  const { child, url } = await startScript('floor.ts', 'floor');
  try {
    const driver = new IngestDriver(
      { urls: [url], pids: [child.pid], target: { publicKey: '0'.repeat(32), projectId: '1' } },
      ctx.captured,
      ctx.options,
      ctx.log,
    );
    const runs = await driver.runLevels();
    return {
      id: 'floor',
      title: 'HTTP floor (node:http, reads the body, answers `{"id"}`)',
      runs,
      fixedRate: null,
      peakRssMb: [readMemory(child.pid)?.peakMb ?? 0],
      notes: [],
    };
  } finally {
    await child.stop();
  }
}
