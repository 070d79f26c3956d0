import path from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { startErrata } from '../lib/errata.js';
import { waitForStatus } from '../lib/http.js';
import { readMemory } from '../lib/memory.js';
import type { Footprint } from '../lib/results.js';

const START_SETTLE_MS = 2_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startOnce(ctx: BenchContext, dataDir: string, name: string) {
  const node = await startErrata({ build: ctx.build, name, dataDir });
  const readyMs = await waitForStatus(node.child, `${node.url}/api/0/`, 200, 30_000);
  return { node, readyMs };
}

/**
 * Scenario 6: start-up time (spawn to the first 200 on `GET /api/0/`) on an empty data directory
 * and on an existing one (the median of a few restarts), and RSS after a restart: 2 s in, and
 * once V8's idle-time collection has given back start-up garbage (it runs after some 10-20 s idle).
 */
export async function footprintScenario(ctx: BenchContext): Promise<Footprint> {
  ctx.log('footprint: start-up and idle RSS');
  const dataDir = path.join(ctx.tmpDir, 'footprint');
  const first = await startOnce(ctx, dataDir, 'errata (first start)');
  await first.node.child.stop();
  const restarts: number[] = [];
  let startRssMb = 0;
  let idleRssMb: number | null = null;
  const times = ctx.options.quick ? 1 : 3;
  const settleS = ctx.options.idleSettleS;
  for (let i = 0; i < times; i++) {
    const again = await startOnce(ctx, dataDir, 'errata (restart)');
    restarts.push(again.readyMs);
    if (i === times - 1) {
      await sleep(START_SETTLE_MS);
      startRssMb = readMemory(again.node.child.pid)?.rssMb ?? 0;
      if (settleS > 0) {
        await sleep(settleS * 1000 - START_SETTLE_MS);
        idleRssMb = readMemory(again.node.child.pid)?.rssMb ?? 0;
      }
    }
    await again.node.child.stop();
  }
  restarts.sort((a, b) => a - b);
  const footprint: Footprint = {
    firstStartMs: first.readyMs,
    restartMs: restarts[Math.floor(restarts.length / 2)] as number,
    startRssMb,
    idleRssMb,
    idleAfterS: settleS,
  };
  const idle = idleRssMb === null ? '' : `, ${idleRssMb.toFixed(0)} MiB after ${settleS} s idle`;
  ctx.log(
    `  first start ${Math.round(footprint.firstStartMs)} ms, restart ${Math.round(footprint.restartMs)} ms, RSS ${startRssMb.toFixed(0)} MiB 2 s after start${idle}`,
  );
  return footprint;
}
