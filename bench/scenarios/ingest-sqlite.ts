import path from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { startErrata } from '../lib/errata.js';
import { errataNodeDriver, type IngestDriver } from '../lib/ingest-run.js';
import { readMemory } from '../lib/memory.js';
import type { IngestRun, IngestScenario } from '../lib/results.js';
import { sqliteProbe } from '../lib/store-probe.js';
import { TARGETS } from '../lib/targets.js';

/**
 * The fixed-rate runs: half the target rate (what the p99 target is about), and, when the server
 * cannot reach the target, half of what it did reach, so that its latency under a load it can
 * carry is known too.
 */
async function fixedRateRuns(
  ctx: BenchContext,
  driver: IngestDriver,
  runs: readonly IngestRun[],
): Promise<IngestRun[]> {
  const connections = ctx.options.fixedRateConnections;
  if (connections === null) return [];
  const half = TARGETS.eventsPerSecond / 2;
  const fixed = [await driver.run(connections, half)];
  const best = Math.max(...runs.map((r) => r.load.rps));
  if (best < TARGETS.eventsPerSecond)
    fixed.push(await driver.run(connections, Math.max(100, Math.round(best / 2 / 100) * 100)));
  return fixed;
}

/** Scenario 3: Errata on its embedded SQLite, as `npm start` runs it, over a fresh data directory. */
export async function sqliteScenario(
  ctx: BenchContext,
): Promise<IngestScenario & { extraFixed: IngestRun[] }> {
  ctx.log('errata: SQLite');
  const dataDir = path.join(ctx.tmpDir, 'sqlite');
  const node = await startErrata({ build: ctx.build, name: 'errata (SQLite)', dataDir });
  const probe = sqliteProbe(path.join(dataDir, 'errata.sqlite'));
  try {
    const driver = errataNodeDriver(ctx, node, probe);
    const runs = await driver.runLevels();
    const [fixedRate = null, ...extraFixed] = await fixedRateRuns(ctx, driver, runs);
    const counts = await probe.counts();
    return {
      id: 'sqlite',
      title: 'Errata, SQLite (embedded default)',
      runs,
      fixedRate,
      extraFixed,
      peakRssMb: [readMemory(node.child.pid)?.peakMb ?? 0],
      notes: [`store at the end: ${counts.events} events in ${counts.issues} issues`],
    };
  } finally {
    await probe.close();
    await node.child.stop();
  }
}
