import path from 'node:path';
import { ROOT } from './errata.js';

/** How long and how hard each scenario runs; `--quick` trades precision for a run under a minute. */
export interface BenchOptions {
  readonly quick: boolean;
  /** Concurrent connections of each ingest run. */
  readonly levels: readonly number[];
  /** Seconds of load per run. */
  readonly durationS: number;
  /** Seconds of unmeasured load before a server's first run (JIT, caches, SQLite pages). */
  readonly warmupS: number;
  /** Longest wait for digest to catch up after a run, seconds. */
  readonly digestWaitS: number;
  /** Connections of the fixed-rate run that measures p99 latency at half the target rate. */
  readonly fixedRateConnections: number | null;
  /** The REST store and how long each endpoint is measured (after a warm-up of a third of that). */
  readonly restEvents: number;
  readonly restIssues: number;
  readonly restDurationS: number;
  /** Profile Errata's ingest (SQLite) at this many connections, or not at all. */
  readonly profileConnections: number | null;
  /** Seconds the bench may spend in all waiting for other sessions' CPU load to pass before runs. */
  readonly quietBudgetS: number;
  /** Seconds an idle server is left alone before its settled RSS is read. */
  readonly idleSettleS: number;
  /** Where the report goes. */
  readonly out: string;
  /** Only these scenarios (ids), for working on one; all when empty. */
  readonly only: ReadonlySet<string>;
}

const FULL: Omit<BenchOptions, 'out' | 'only'> = {
  quick: false,
  levels: [16, 64, 128],
  durationS: 6,
  warmupS: 2,
  digestWaitS: 20,
  fixedRateConnections: 64,
  restEvents: 1_000_000,
  restIssues: 10_000,
  restDurationS: 5,
  profileConnections: 64,
  quietBudgetS: 45,
  idleSettleS: 25,
};

const QUICK: Omit<BenchOptions, 'out' | 'only'> = {
  quick: true,
  levels: [64],
  durationS: 2,
  warmupS: 0.5,
  digestWaitS: 2,
  fixedRateConnections: null,
  restEvents: 100_000,
  restIssues: 1_000,
  restDurationS: 1.2,
  profileConnections: null,
  quietBudgetS: 0,
  idleSettleS: 0,
};

/** `npm run bench [-- --quick] [--out FILE] [--only floor,sqlite,…]`. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const out = value('--out') ?? (quick ? 'bench/.cache/BENCHMARKS.quick.md' : 'BENCHMARKS.md');
  const only = new Set((value('--only') ?? '').split(',').filter((s) => s !== ''));
  return { ...(quick ? QUICK : FULL), out: path.resolve(ROOT, out), only };
}
