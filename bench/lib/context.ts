import type { ErrataBuild } from './errata.js';
import type { BenchOptions } from './options.js';
import type { CapturedRequest } from './payloads.js';

/** What every scenario gets from run.ts. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly build: ErrataBuild;
  readonly captured: readonly CapturedRequest[];
  /** A temporary directory for this run's data directories and profiles, removed at the end. */
  readonly tmpDir: string;
  log(line: string): void;
}
