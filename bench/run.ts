// `npm run bench -- [--quick] [--only floor,peer,…] [--profile] [--out FILE]`
// Starts every server itself on 127.0.0.1, runs the scenarios below in order, prints the tables as
// Markdown and writes them to bench/.cache/last-run.md. Whatever it started is stopped at the end,
// when a scenario fails and on Ctrl-C.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Context, parseOptions } from './lib/context.js';
import { checkBuild, killAllNow, ROOT, stopAll } from './lib/processes.js';
import { type Results, renderReport } from './lib/report.js';
import { dropSchemas } from './lib/store.js';
import { ceiling } from './scenarios/ceiling.js';
import { fixedRate } from './scenarios/fixed-rate.js';
import { floor } from './scenarios/floor.js';
import { footprint } from './scenarios/footprint.js';
import { mixed } from './scenarios/mixed.js';
import { peer } from './scenarios/peer.js';
import { postgres } from './scenarios/postgres.js';
import { probe } from './scenarios/probe.js';
import { profile } from './scenarios/profile.js';
import { refusals } from './scenarios/refusals.js';
import { rest } from './scenarios/rest.js';
import { retention } from './scenarios/retention.js';
import { smtpDown } from './scenarios/smtp-down.js';
import { spans } from './scenarios/spans.js';
import { sqlite } from './scenarios/sqlite.js';
import { symbolication } from './scenarios/symbolication.js';
import { traceView } from './scenarios/trace-view.js';
import { triagePages } from './scenarios/triage-pages.js';

/**
 * In order: the fixed rate uses SQLite's best rate, the mail-server-down run the fixed rate, and the
 * ceiling the floor's CPU per request.
 */
const SCENARIOS: [string, (ctx: Context) => Promise<void>][] = [
  ['floor', floor],
  ['peer', peer],
  ['sqlite', sqlite],
  ['postgres', postgres],
  ['fixed-rate', fixedRate],
  ['smtp-down', smtpDown],
  ['mixed', mixed],
  ['refusals', refusals],
  ['rest', rest],
  ['triage-pages', triagePages],
  ['trace-view', traceView],
  ['spans', spans],
  ['footprint', footprint],
  ['probe', probe],
  ['ceiling', ceiling],
  ['symbolication', symbolication],
  ['retention', retention],
  ['profile', profile],
];

const options = parseOptions(process.argv.slice(2), ROOT);
const unknown = [...options.only].filter((id) => !SCENARIOS.some(([name]) => name === id));
if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}`);
const started = performance.now();
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'errata-bench-'));
const results: Results = { ingest: [], figures: {}, sections: [], failures: [] };
let cleanups: (() => Promise<void>)[] = [];
const ctx: Context = {
  options,
  tmpDir,
  results,
  log: (line) =>
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`),
  defer: (cleanup) => cleanups.push(cleanup),
};

async function cleanUp(): Promise<void> {
  await stopAll();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  cleanups = [];
  await dropSchemas();
}

process.once('exit', () => {
  killAllNow();
  rmSync(tmpDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

checkBuild();
for (const [id, run] of SCENARIOS) {
  if (options.only.size > 0 ? !options.only.has(id) : id === 'profile') continue;
  ctx.log(id);
  try {
    await run(ctx);
  } catch (error) {
    ctx.log(`${id} failed: ${error instanceof Error ? error.stack : error}`);
    results.failures.push({ scenario: id, error: String(error).split('\n')[0] ?? '' });
  } finally {
    await cleanUp();
  }
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const header =
  `# Errata bench, ${options.quick ? 'quick' : 'full'} run\n\n` +
  `${new Date().toISOString().slice(0, 16)} UTC, commit ${commit}, Node ${process.version}, ` +
  `${os.availableParallelism()} × ${os.cpus()[0]?.model.trim()}, ${Math.round((performance.now() - started) / 1000)} s`;
const report = renderReport(results, header);
process.stdout.write(report);
mkdirSync(path.dirname(options.out), { recursive: true });
writeFileSync(options.out, report);
ctx.log(`wrote ${path.relative(ROOT, options.out)}`);
process.exitCode = results.failures.length > 0 ? 1 : 0;
