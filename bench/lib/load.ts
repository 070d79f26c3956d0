import autocannon, { type Request, type Result } from 'autocannon';
import { CpuMonitor } from './cpu-monitor.js';
import { RssSampler } from './memory.js';
import { DiskWrites } from './process-counters.js';

export interface LoadSpec {
  /** One URL, or several to split the connections across them (round robin). */
  readonly urls: readonly string[];
  readonly connections: number;
  readonly durationS: number;
  readonly requests: Request[];
  /** Requests per second over all connections (autocannon's `overallRate`); none = as fast as answered. */
  readonly overallRate?: number;
  /**
   * autocannon instances sharing the connections and the rate, started evenly over one second.
   * autocannon's rate limit lets every connection send its share of a second back to back as the
   * second starts; staggered instances spread those bursts (8 instances: 8 smaller bursts).
   */
  readonly instances?: number;
  /** Server processes whose RSS and disk writes are measured during the run. */
  readonly pids?: readonly number[];
  /** Count PostgreSQL's disk writes too (the server under test stores there). */
  readonly postgres?: boolean;
}

export interface LoadResult {
  readonly connections: number;
  readonly overallRate: number | null;
  /** Seconds the run lasted (autocannon's own clock). */
  readonly elapsedS: number;
  /** 2xx answers. */
  readonly ok: number;
  /** 2xx answers per second. */
  readonly rps: number;
  /** Latency of 2xx answers, milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  readonly errors: number;
  /** Status codes other than 2xx, e.g. `{ "400": 12 }`, and socket errors under `error`. */
  readonly failures: Record<string, number>;
  /** Highest sampled RSS of each of `pids`, MiB. */
  readonly peakRssMb: readonly number[];
  /** Share of the machine's CPU used by other work during the run (other sessions' tests). */
  readonly otherCpuPercent: number;
  /** Bytes the server processes (and PostgreSQL's, when it stores there) wrote to the disk during the run. */
  readonly diskWriteBytes: number;
  /**
   * CPU the load generator (autocannon, in this process, with the bench's own sampling) used per
   * 2xx answer, µs; null when nothing was answered.
   */
  readonly clientCpuUsPerRequest: number | null;
}

/** Other work below this share of the machine counts as quiet. */
const QUIET_PERCENT = 10;
let quietBudgetMs = 0;
let quietSpentMs = 0;

/** How long the whole bench may spend waiting for other sessions' work to calm down before runs. */
export function setQuietBudget(seconds: number): void {
  quietBudgetMs = seconds * 1000;
  quietSpentMs = 0;
}

/**
 * Waits, up to 5 s and within the bench's budget, until other processes use less than 10 % of the
 * machine over half a second; other sessions' test suites come in bursts.
 */
async function waitForQuiet(pids: readonly number[]): Promise<void> {
  const deadline = performance.now() + Math.min(5000, quietBudgetMs - quietSpentMs);
  for (;;) {
    const started = performance.now();
    if (started >= deadline) return;
    const monitor = new CpuMonitor(pids);
    await new Promise((resolve) => setTimeout(resolve, 500));
    quietSpentMs += performance.now() - started;
    if (monitor.otherPercent() < QUIET_PERCENT) return;
  }
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

class Latencies {
  private values = new Float64Array(1 << 16);
  private count = 0;

  add(ms: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = ms;
  }

  sorted(): Float64Array {
    return this.values.subarray(0, this.count).sort();
  }
}

function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

function instance(
  spec: LoadSpec,
  connections: number,
  rate: number | undefined,
  latencies: Latencies,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const running = autocannon(
      {
        url: [...spec.urls],
        connections,
        duration: spec.durationS,
        requests: spec.requests,
        timeout: 30,
        ...(rate ? { overallRate: rate } : {}),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    running.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode <= 299) latencies.add(responseTime);
    });
  });
}

/**
 * Runs autocannon and measures it ourselves: latencies of every 2xx answer at full precision
 * (autocannon's histogram keeps whole milliseconds), 2xx answers per second, RSS, and how busy
 * the rest of the machine was.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  await waitForQuiet(spec.pids ?? []);
  const latencies = new Latencies();
  const sampler = new RssSampler(spec.pids ?? []);
  const monitor = new CpuMonitor(spec.pids ?? []);
  const writes = new DiskWrites(spec.pids ?? [], spec.postgres ?? false);
  const parts = spec.overallRate ? Math.min(spec.instances ?? 1, spec.connections) : 1;
  const clientCpu = process.cpuUsage();
  const results = await Promise.all(
    Array.from({ length: parts }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * 1000) / parts));
      const rate = spec.overallRate ? share(spec.overallRate, parts, i) : undefined;
      return instance(spec, share(spec.connections, parts, i), rate, latencies);
    }),
  );
  const clientCpuUs = process.cpuUsage(clientCpu);
  const peakRssMb = sampler.stop();
  const otherCpuPercent = monitor.otherPercent();
  const diskWriteBytes = writes.bytes();
  const sorted = latencies.sorted();
  const failures: Record<string, number> = {};
  let ok = 0;
  let rps = 0;
  let errors = 0;
  for (const result of results) {
    ok += result['2xx'];
    rps += result['2xx'] / result.duration;
    errors += result.errors + result.non2xx;
    for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
      if (!code.startsWith('2')) failures[code] = (failures[code] ?? 0) + count;
    }
    if (result.errors > 0) failures.error = (failures.error ?? 0) + result.errors;
  }
  return {
    connections: spec.connections,
    overallRate: spec.overallRate ?? null,
    elapsedS: Math.max(...results.map((r) => r.duration)),
    ok,
    rps,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    errors,
    failures,
    peakRssMb,
    otherCpuPercent,
    diskWriteBytes,
    clientCpuUsPerRequest: ok > 0 ? (clientCpuUs.user + clientCpuUs.system) / ok : null,
  };
}
