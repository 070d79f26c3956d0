export interface WaitOptions {
  /** Give up after this long (ms); generous, as a busy machine is slow, but never unbounded. */
  readonly timeoutMs?: number;
  /** Time between two looks (ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the error on timeout. */
  readonly what?: string;
}

/**
 * Calls `predicate` until it returns something other than `undefined` or `false`, and returns
 * that; throws once `timeoutMs` has passed without. How every test waits for something that
 * happens off its own path (a worker, a server, a database), instead of sleeping a fixed time.
 */
export async function waitFor<T>(
  predicate: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 15_000, intervalMs = 50, what = 'a condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
