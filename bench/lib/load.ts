import autocannon, { type Request, type Result } from 'autocannon';
import { sleep } from './processes.js';

export interface LoadSpec {
  /** Several URLs split the connections between them. */
  readonly urls: readonly string[];
  readonly connections: number;
  readonly durationS: number;
  readonly requests: Request[];
  /** Requests per second over all connections; none means as fast as the server answers. */
  readonly rate?: number;
}

export type LoadResult = Awaited<ReturnType<typeof runLoad>>;

/** autocannon instances of a fixed-rate run, started an eighth of a second apart. */
const RATE_INSTANCES = 8;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * Runs autocannon: 2xx answers and their rate, their latency (ms, kept at full precision where
 * autocannon's histogram keeps whole ms), errors (socket errors, timeouts and other statuses), the
 * answers by status and the latency of those refused with 429, and the CPU this process spent
 * generating the load, µs per 2xx.
 * A fixed rate is split over staggered instances: autocannon lets each connection send its share
 * of a second back to back as the second starts, and eight smaller bursts are nearer an SDK fleet.
 */
export async function runLoad(spec: LoadSpec) {
  // Requests built, to tell how many were sent but never answered (the last build may go unsent).
  let built = 0;
  const requests = spec.requests.map((request) => {
    const setup = request.setupRequest;
    if (!setup) return request;
    return {
      ...request,
      setupRequest: (r: Request, context: Record<string, unknown>) => {
        built++;
        return setup(r, context);
      },
    };
  });
  const latencies: number[] = [];
  const refusedLatencies: number[] = [];
  const statuses: Record<number, number> = {};
  const parts = spec.rate ? RATE_INSTANCES : 1;
  const share = (total: number, i: number) => Math.floor(total / parts) + (i < total % parts ? 1 : 0);
  const cpu = process.cpuUsage();
  const results = await Promise.all(
    Array.from({ length: parts }, async (_, i) => {
      await sleep((i * 1000) / parts);
      return new Promise<Result>((resolve, reject) => {
        const options = {
          url: [...spec.urls],
          connections: share(spec.connections, i),
          duration: spec.durationS,
          requests,
          timeout: 30,
          ...(spec.rate ? { overallRate: share(spec.rate, i) } : {}),
        };
        const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
        instance.on('response', (_client, status, _bytes, ms) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) latencies.push(ms);
          else if (status === 429) refusedLatencies.push(ms);
        });
      });
    }),
  );
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  refusedLatencies.sort((a, b) => a - b);
  const ok = results.reduce((n, r) => n + r['2xx'], 0);
  return {
    ok,
    rps: results.reduce((n, r) => n + r['2xx'] / r.duration, 0),
    elapsedS: Math.max(...results.map((r) => r.duration)),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
    /** Answers by HTTP status. */
    statuses,
    /**
     * At most this many requests were sent without their answer being read (in flight when the
     * run ended, or timed out): built less answered.
     */
    unanswered: built - results.reduce((n, r) => n + r['2xx'] + r.non2xx, 0),
    /** Latency of the answers refused with 429 (rate limited). */
    refusedP50Ms: quantile(refusedLatencies, 0.5),
    refusedP99Ms: quantile(refusedLatencies, 0.99),
    clientUsPerReq: ok > 0 ? (used.user + used.system) / ok : Number.NaN,
  };
}
