import type { BenchContext } from './context.js';
import type { ErrataNode } from './errata.js';
import { type LoadResult, runLoad } from './load.js';
import type { BenchOptions } from './options.js';
import { bodyTemplates, type CapturedRequest, type IngestTarget } from './payloads.js';
import { ProcessCpu } from './process-counters.js';
import type { IngestRun } from './results.js';
import { type StoreProbe, waitForDigest } from './store-probe.js';
import { ingestTraffic } from './traffic.js';

/** Fingerprints (variants) per run: how many issues the traffic can fall into. */
export const VARIANTS = 200;
/** autocannon instances of a fixed-rate run, started evenly over a second (see LoadSpec.instances). */
export const FIXED_RATE_INSTANCES = 8;

/** A running server that takes envelopes: where, which processes, and how to count what it stored. */
export interface IngestServer {
  readonly urls: readonly string[];
  readonly pids: readonly number[];
  readonly target: IngestTarget;
  /** Errata only: counts events in its store, to measure digest. */
  readonly probe?: StoreProbe;
  /** The server stores in PostgreSQL: count PostgreSQL's disk writes as its own. */
  readonly postgres?: boolean;
}

/**
 * Drives one server through the runs of a scenario (each concurrency level, then an optional
 * fixed-rate run), after a warm-up. For Errata, after each run it waits until every acknowledged
 * event is queryable before the next run starts, and reports how long that took.
 */
export class IngestDriver {
  private acknowledged = 0;
  private seed = 1;

  constructor(
    private readonly server: IngestServer,
    private readonly captured: readonly CapturedRequest[],
    private readonly options: BenchOptions,
    private readonly log: (line: string) => void,
  ) {}

  private async load(connections: number, durationS: number, overallRate?: number): Promise<LoadResult> {
    const templates = bodyTemplates(this.captured, this.server.target, VARIANTS);
    const traffic = ingestTraffic(templates, this.seed++);
    const result = await runLoad({
      urls: this.server.urls,
      connections,
      durationS,
      requests: traffic.requests,
      pids: this.server.pids,
      postgres: this.server.postgres ?? false,
      ...(overallRate ? { overallRate, instances: FIXED_RATE_INSTANCES } : {}),
    });
    this.acknowledged += result.ok;
    return result;
  }

  private async digest(loadEndedAt: number, timeoutS: number): Promise<IngestRun['digest']> {
    if (!this.server.probe) return null;
    return waitForDigest(this.server.probe, this.acknowledged, loadEndedAt, timeoutS * 1000);
  }

  async warmUp(): Promise<void> {
    if (this.options.warmupS <= 0) return;
    await this.load(this.options.levels[0] ?? 16, this.options.warmupS);
    await this.digest(performance.now(), this.options.digestWaitS);
  }

  async run(connections: number, overallRate?: number): Promise<IngestRun> {
    const cpu = new ProcessCpu(this.server.pids, this.server.postgres ?? false);
    const load = await this.load(connections, this.options.durationS, overallRate);
    const digest = await this.digest(performance.now(), this.options.digestWaitS);
    // Load and digest both: what the server spent on the requests of this run.
    const cpuUsPerRequest = load.ok > 0 ? (cpu.ms() * 1000) / load.ok : null;
    const rate = overallRate ? ` at ${overallRate}/s` : '';
    const lag = digest
      ? `, digest lag ${digest.lagMs === null ? `> ${this.options.digestWaitS} s` : `${Math.round(digest.lagMs)} ms`}`
      : '';
    this.log(
      `  c=${connections}${rate}: ${Math.round(load.rps)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, ${load.errors} errors${lag}, other CPU ${load.otherCpuPercent.toFixed(0)} %, server CPU ${cpuUsPerRequest === null ? '–' : Math.round(cpuUsPerRequest)} µs/req`,
    );
    return { load, digest, cpuUsPerRequest };
  }

  /** Every concurrency level of the options, in order. */
  async runLevels(): Promise<IngestRun[]> {
    await this.warmUp();
    const runs: IngestRun[] = [];
    for (const connections of this.options.levels) runs.push(await this.run(connections));
    return runs;
  }
}

/** The driver of one Errata node over SQLite, sending to the project its first start printed. */
export function errataNodeDriver(ctx: BenchContext, node: ErrataNode, probe: StoreProbe): IngestDriver {
  if (!node.firstStart) throw new Error('errata serve printed no first-start DSN');
  return new IngestDriver(
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
}
