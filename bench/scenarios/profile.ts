import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from '../lib/cache-dir.js';
import type { BenchContext } from '../lib/context.js';
import { summarizeProfile } from '../lib/cpu-profile.js';
import { startErrata } from '../lib/errata.js';
import { IngestDriver } from '../lib/ingest-run.js';
import type { ProfileSummary } from '../lib/results.js';
import { sqliteProbe } from '../lib/store-probe.js';

/**
 * Errata's SQLite ingest once more, with `node --cpu-prof`, so that the report can say where the
 * server's time goes (ingest and digest share its one main thread). A separate run, because the
 * profiler slows the server down. The profile is kept in bench/.cache/profiles/ for DevTools.
 */
export async function profileScenario(ctx: BenchContext, connections: number): Promise<ProfileSummary> {
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
    if (!node.firstStart) throw new Error('errata serve printed no first-start DSN');
    const driver = new IngestDriver(
      {
        urls: [node.url],
        pids: [node.child.pid],
        target: { publicKey: node.firstStart.publicKey, projectId: node.firstStart.projectId },
        probe,
      },
      ctx.captured,
      ctx.options,
      ctx.log,
    );
    await driver.warmUp();
    await driver.run(connections);
  } finally {
    await probe.close();
    await node.child.stop();
  }
  const written = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!written) throw new Error(`no CPU profile in ${profileDir}; did errata serve exit cleanly?`);
  const kept = path.join(CACHE_DIR, 'profiles', `ingest-sqlite-c${connections}.cpuprofile`);
  mkdirSync(path.dirname(kept), { recursive: true });
  copyFileSync(path.join(profileDir, written), kept);
  return summarizeProfile(
    kept,
    `Errata SQLite ingest, c=${connections}, ${ctx.options.durationS} s after warm-up`,
  );
}
