/**
 * Above this, time(2n) / time(n) is taken for worse than linear. Linear work doubles (about 2);
 * quadratic work quadruples (about 4); the bound sits between, with room for a busy machine.
 */
export const LINEAR_GROWTH_BOUND = 3;

/** Each timing repeats the call until it takes about this much CPU time (ms), so that jitter is small. */
const MIN_TIMING_MS = 2;

/**
 * How much longer `run` takes on an input twice as large: the best of `runs` timings at 2n over
 * the best at n, the two sizes interleaved. Timing the growth rather than one run in milliseconds
 * holds on a slow machine and still tells linear from quadratic. The time is the process's CPU
 * time, not the clock's: on a loaded machine the scheduler takes the core away from a long run
 * more often than from a short one, which inflates the clock's ratio.
 */
export function growthRatio<T>(
  make: (n: number) => T,
  run: (input: T) => unknown,
  n: number,
  runs = 7,
): number {
  const small = make(n);
  const large = make(2 * n);
  // Warm up first, so that compiling the code is neither timed nor counted in the repeat.
  for (let i = 0; i < 3; i++) {
    run(small);
    run(large);
  }
  const once = timed(() => run(small));
  const repeat = Math.max(1, Math.ceil(MIN_TIMING_MS / Math.max(once, 0.001)));
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    bestSmall = Math.min(
      bestSmall,
      timed(() => repeated(repeat, () => run(small))),
    );
    bestLarge = Math.min(
      bestLarge,
      timed(() => repeated(repeat, () => run(large))),
    );
  }
  return bestLarge / bestSmall;
}

/**
 * The growth ratios measured, up to `attempts` of them, stopping at the first within
 * LINEAR_GROWTH_BOUND: load can spoil one measurement, while worse than linear work exceeds the
 * bound every time.
 */
export function linearGrowth<T>(
  make: (n: number) => T,
  run: (input: T) => unknown,
  n: number,
  attempts = 3,
): { readonly ratio: number; readonly ratios: readonly number[] } {
  const ratios: number[] = [];
  for (let i = 0; i < attempts; i++) {
    ratios.push(growthRatio(make, run, n));
    if ((ratios.at(-1) as number) <= LINEAR_GROWTH_BOUND) break;
  }
  return { ratio: Math.min(...ratios), ratios };
}

/** CPU time (ms) the process spends in `f`. */
function timed(f: () => void): number {
  const started = process.cpuUsage();
  f();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}

function repeated(times: number, f: () => void): void {
  for (let i = 0; i < times; i++) f();
}
