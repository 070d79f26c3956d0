import path from 'node:path';
import type { Results } from './report.js';

/** How long and how hard the scenarios run: full, and `--quick` for a run of a few minutes. */
const DURATIONS = {
  full: {
    /** Concurrent connections of the ingest runs; the targets compare at 64. */
    levels: [16, 64, 128],
    durationS: 6,
    /** Unmeasured load before a server's first run. */
    warmupS: 2,
    /** The longest wait for digest to catch up after a run. */
    digestWaitS: 20,
    /** The REST store, and how long each endpoint is timed. */
    restEvents: 1_000_000,
    restIssues: 10_000,
    restDurationS: 5,
    /** How long a server is left idle before its RSS is read: V8 returns start-up garbage after 10-20 s. */
    idleSettleS: 25,
    /** How long the health probe is timed, alone and under abuse. */
    probeS: 10,
  },
  quick: {
    levels: [64],
    durationS: 2,
    warmupS: 0.5,
    digestWaitS: 5,
    restEvents: 100_000,
    restIssues: 1_000,
    restDurationS: 1.5,
    idleSettleS: 2,
    probeS: 3,
  },
};

export type Options = (typeof DURATIONS)['full'] & {
  readonly quick: boolean;
  /** Scenario ids to run; every one but `profile` when empty. */
  readonly only: ReadonlySet<string>;
  readonly out: string;
};

/** `npm run bench -- [--quick] [--only floor,peer,…] [--profile] [--out FILE]` */
export function parseOptions(argv: readonly string[], root: string): Options {
  const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const quick = argv.includes('--quick');
  const only = new Set((value('--only') ?? '').split(',').filter((id) => id !== ''));
  if (argv.includes('--profile')) only.add('profile');
  const out = path.resolve(root, value('--out') ?? 'bench/.cache/last-run.md');
  return { ...DURATIONS[quick ? 'quick' : 'full'], quick, only, out };
}

/** What every scenario gets from run.ts. */
export interface Context {
  readonly options: Options;
  /** Removed at the end: data directories of this run. */
  readonly tmpDir: string;
  readonly results: Results;
  log(line: string): void;
  /** Runs `cleanup` when the scenario ends, after its servers have stopped. */
  defer(cleanup: () => Promise<void>): void;
}
