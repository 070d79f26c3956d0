import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from '../lib/cache-dir.js';
import type { BenchContext } from '../lib/context.js';
import { summarizeProfile } from '../lib/cpu-profile.js';
import { startErrata } from '../lib/errata.js';
import { errataNodeDriver } from '../lib/ingest-run.js';
import type { ProfileSummary } from '../lib/results.js';
import { sqliteProbe } from '../lib/store-probe.js';

/**
 * Errata's SQLite ingest once more, with `node --cpu-prof`, so that the report can say where each
 * thread's time goes (the main thread answers HTTP; the SQLite writer thread commits and digests).
 * A separate run, because the profiler slows the server down. The profiles are kept in
 * bench/.cache/profiles/ for DevTools.
 */
export async function profileScenario(ctx: BenchContext, connections: number): Promise<ProfileSummary[]> {
  ctx.log(`profile: Errata SQLite ingest at c=${connections} with --cpu-prof`);
  const dataDir = path.join(ctx.tmpDir, 'profile-data');
  const profileDir = path.join(ctx.tmpDir, 'profile');
  const node = await startErrata({
    build: ctx.build,
    name: 'errata (profiled)',
    dataDir,
    cpuProfileDir: profileDir,
  });
  const probe = sqliteProbe(path.join(dataDir, 'errata.sqlite'));
  try {
    const driver = errataNodeDriver(ctx, node, probe);
    await driver.warmUp();
    await driver.run(connections);
  } finally {
    await probe.close();
    await node.child.stop();
  }
  // One profile per thread: the main thread's (HTTP) is written first, then the SQLite writer's.
  const written = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  if (written.length === 0)
    throw new Error(`no CPU profile in ${profileDir}; did errata serve exit cleanly?`);
  mkdirSync(path.join(CACHE_DIR, 'profiles'), { recursive: true });
  const kept = written.map((file, i) => {
    const to = path.join(CACHE_DIR, 'profiles', `ingest-sqlite-c${connections}-thread${i}.cpuprofile`);
    copyFileSync(path.join(profileDir, file), to);
    return to;
  });
  return kept.map((file, i) =>
    summarizeProfile(
      file,
      `Errata SQLite ingest, c=${connections}, ${ctx.options.durationS} s after warm-up, ${i === 0 ? 'main thread (HTTP)' : 'SQLite writer thread (commits and digest)'}`,
    ),
  );
}
