// `npm run bench [-- --quick] [--out FILE] [--only floor,spotlight,sqlite,postgres,rest,probe,footprint,profile]`
// Runs every scenario of issue #6 against servers it starts itself on 127.0.0.1, writes the report
// (BENCHMARKS.md; with --quick bench/.cache/BENCHMARKS.quick.md) and stops everything it started,
// also when a scenario fails or the bench is interrupted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureCacheDir } from './lib/cache-dir.js';
import { killAllNow, stopAll } from './lib/children.js';
import type { BenchContext } from './lib/context.js';
import { prepareErrataBuild, ROOT } from './lib/errata.js';
import type { BenchResults } from './lib/evaluate.js';
import { type LeastWork, measureLeastWork } from './lib/least-work.js';
import { setQuietBudget } from './lib/load.js';
import { describeMachine } from './lib/machine.js';
import { parseOptions } from './lib/options.js';
import { payloadNotes } from './lib/payload-notes.js';
import { loadCapturedErrors } from './lib/payloads.js';
import { dropSchemas } from './lib/postgres.js';
import { renderReport } from './lib/report.js';
import type {
  Footprint,
  IngestRun,
  IngestScenario,
  ProbeScenario,
  ProfileSummary,
  RestScenario,
} from './lib/results.js';
import { floorScenario } from './scenarios/floor.js';
import { footprintScenario } from './scenarios/footprint.js';
import { postgresScenario } from './scenarios/ingest-postgres.js';
import { sqliteScenario } from './scenarios/ingest-sqlite.js';
import { probeScenario } from './scenarios/probe.js';
import { profileScenario } from './scenarios/profile.js';
import { restScenario } from './scenarios/rest-api.js';
import { spotlightScenario } from './scenarios/spotlight.js';

const started = performance.now();
const options = parseOptions(process.argv.slice(2));
ensureCacheDir();
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'errata-bench-'));
const log = (line: string) =>
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every process the bench started`);
    void stopAll()
      .then(dropSchemas)
      .finally(() => {
        rmSync(tmpDir, { recursive: true, force: true });
        process.exit(130);
      });
  });
}

function wanted(id: string): boolean {
  return options.only.size === 0 || options.only.has(id);
}

const failures: { scenario: string; error: string }[] = [];

/** Runs one scenario; a failure is reported and the bench goes on with the next one. */
async function attempt<T>(id: string, run: () => Promise<T>): Promise<T | null> {
  if (!wanted(id)) return null;
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error);
    log(`${id} failed: ${error instanceof Error ? error.stack : String(error)}`);
    failures.push({ scenario: id, error: message });
    return null;
  } finally {
    await stopAll();
  }
}

try {
  const captured = loadCapturedErrors();
  const build = prepareErrataBuild(log);
  const ctx: BenchContext = { options, build, captured, tmpDir, log };
  const machine = await describeMachine(build, tmpDir);
  setQuietBudget(options.quietBudgetS);
  log(`Errata from ${build.reason}; ${machine.cores} cores; ${options.quick ? 'quick' : 'full'} run`);

  const ingest: IngestScenario[] = [];
  // Timed before any server starts, while this process has a core to itself.
  const leastWork: LeastWork | null = ['floor', 'spotlight', 'sqlite', 'postgres'].some(wanted)
    ? measureLeastWork(captured)
    : null;
  if (leastWork) {
    log(
      `least work per request (timed alone): decode ${leastWork.decodeUs.toFixed(1)} µs, parse ${leastWork.parseUs.toFixed(1)} µs`,
    );
  }
  let extraFixed: IngestRun[] = [];
  const keep = (s: IngestScenario | null) => {
    if (s) ingest.push(s);
  };
  keep(await attempt('floor', () => floorScenario(ctx)));
  keep(await attempt('spotlight', () => spotlightScenario(ctx)));
  keep(
    await attempt('sqlite', async () => {
      const s = await sqliteScenario(ctx);
      extraFixed = s.extraFixed;
      return s;
    }),
  );
  if (machine.postgres) {
    keep(await attempt('postgres', () => postgresScenario(ctx, 1)));
    keep(await attempt('postgres', () => postgresScenario(ctx, 2)));
  } else if (wanted('postgres')) {
    failures.push({ scenario: 'postgres', error: 'PostgreSQL is not reachable on 127.0.0.1:5432' });
  }
  const rest: RestScenario | null = await attempt('rest', () => restScenario(ctx));
  const probe: ProbeScenario | null = await attempt('probe', () => probeScenario(ctx));
  const footprint: Footprint | null = await attempt('footprint', () => footprintScenario(ctx));
  const profileAt = options.profileConnections;
  const profile: ProfileSummary[] | null =
    profileAt === null ? null : await attempt('profile', () => profileScenario(ctx, profileAt));

  const results: BenchResults = {
    startedAt: new Date(Date.now() - (performance.now() - started)),
    durationS: (performance.now() - started) / 1000,
    options,
    machine,
    payloads: payloadNotes(captured, options),
    ingest,
    extraFixed,
    leastWork,
    rest,
    probe,
    footprint,
    profile,
    failures,
  };
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, renderReport(results));
  log(`wrote ${path.relative(ROOT, options.out)}`);
} finally {
  await stopAll();
  await dropSchemas();
  rmSync(tmpDir, { recursive: true, force: true });
}
if (failures.length > 0) process.exitCode = 1;
