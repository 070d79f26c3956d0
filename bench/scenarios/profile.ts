import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../lib/context.js';
import { ROOT } from '../lib/processes.js';
import { table } from '../lib/report.js';
import { startSqlite } from './sqlite.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The functions with the most self time, as shares of the time the thread was not idle. */
function topFunctions(file: string, count = 25): { busyMs: number; rows: string[][] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    const where = frame.url ? `${frame.url.replace(`file://${ROOT}/`, '')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}\t${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
    busy += us;
  });
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => [...key.split('\t'), `${((100 * us) / busy).toFixed(1)} %`]);
  return { busyMs: busy / 1000, rows };
}

/**
 * SQLite ingest at c=64 under `node --cpu-prof`: one profile per thread (the main thread answers
 * HTTP; the SQLite writer is a worker thread), kept in bench/.cache/profiles/ for DevTools. Its
 * rates are not comparable with the unprofiled runs.
 */
export async function profile(ctx: Context): Promise<void> {
  const dir = path.join(ROOT, 'bench/.cache/profiles');
  rmSync(dir, { recursive: true, force: true });
  const { node, driver } = await startSqlite(ctx, 'profile', {
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
  });
  await driver.warmUp();
  await driver.run(64);
  // Node writes the profiles as the threads exit, so the server must stop gracefully.
  await node.child.stop();
  ctx.results.sections.push('## CPU profile, SQLite ingest at c=64, self time');
  for (const file of readdirSync(dir).sort()) {
    const thread = Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1]);
    const { busyMs, rows } = topFunctions(path.join(dir, file));
    const name = thread === 0 ? 'main thread (HTTP)' : `worker thread ${thread}`;
    ctx.results.sections.push(
      `### ${name}: ${Math.round(busyMs)} ms busy, \`${path.relative(ROOT, path.join(dir, file))}\``,
      table(['function', 'where', 'self'], rows),
    );
  }
}
