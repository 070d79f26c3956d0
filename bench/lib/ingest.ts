import type { Request } from 'autocannon';
import type { Context } from './context.js';
import { type LoadResult, runLoad } from './load.js';
import { type IngestTarget, ingestRequests } from './payloads.js';
import { cpuMs, memoryMB } from './processes.js';
import { int, ms } from './report.js';
import { type EventCounter, waitForEvents } from './store.js';

/** One row of the ingest table. */
export interface IngestRow {
  readonly server: string;
  readonly connections: number;
  /** Requests per second asked of a fixed-rate run. */
  readonly rate?: number;
  readonly load: LoadResult;
  /** VmHWM of each server process after the run, MB. */
  readonly peakMB: number[];
  /** Ms from the end of the load until every acknowledged event was queryable; null: not within the wait. */
  readonly lagMs?: number | null;
  /** Acknowledged events over load time plus digest lag. */
  readonly digestedPerS: number | null;
  /** CPU of the server processes from the start of the load until digest caught up, per 2xx. */
  readonly cpuUsPerReq: number;
}

/** A running server that takes envelopes. */
export interface IngestServer {
  readonly name: string;
  readonly urls: readonly string[];
  readonly pids: readonly number[];
  readonly target: IngestTarget;
  /**
   * For Errata: counts its digested events (or the rows `load` says), to measure the digest lag;
   * by the ids acknowledged when the counter can and the ids are kept, else all rows.
   */
  readonly counter?: EventCounter;
  /** Every request a new issue, instead of 200 fingerprints. */
  readonly uniqueIssues?: boolean;
  /** Keep the event ids of the error envelopes answered 2xx, to look each up in the store. */
  readonly keepIds?: boolean;
  /**
   * Requests other than the error envelopes, how many rows of `counter` each stores, and where
   * their requests keep the ids of those answered 2xx.
   */
  readonly load?: {
    readonly requests: Request[];
    readonly rowsPerRequest: number;
    readonly acknowledged?: readonly string[];
  };
}

/**
 * Acknowledged requests per second spread over the load time plus the digest lag: how many the
 * server took and digested per second.
 */
export function digestedRate(load: LoadResult, lagMs: number): number {
  return (load.rps * load.elapsedS) / (load.elapsedS + lagMs / 1000);
}

/** A run's rate accepted and digested, also at a fixed rate; NaN when digest had not caught up within the wait. */
export function keptUp(row: IngestRow): number {
  return typeof row.lagMs === 'number' ? digestedRate(row.load, row.lagMs) : Number.NaN;
}

/** Runs ingest loads against one server; each starts once digest has caught up with the one before. */
export function ingestDriver(ctx: Context, server: IngestServer) {
  const { options } = ctx;
  const ids: string[] = [];
  const requests =
    server.load?.requests ??
    ingestRequests(server.target, {
      uniqueIssues: server.uniqueIssues === true,
      ...(server.keepIds ? { acknowledged: ids } : {}),
    });
  const rowsPerRequest = server.load?.rowsPerRequest ?? 1;
  const keptIds = server.load?.acknowledged ?? (server.keepIds ? ids : undefined);
  const { counter } = server;
  let acknowledged = 0;

  /**
   * Ms until digest has stored the rows of these ids (or, not knowing them, `expected` rows in
   * all); null when it had not within the wait. Counting all rows can be fooled: a request whose
   * answer was never read (in flight as a run ended) may be stored too.
   */
  async function digested(since: number, expected: number) {
    if (!counter) return undefined;
    const timeoutMs = options.digestWaitS * 1000;
    if (!counter.countOf || !keptIds) return waitForEvents(counter, expected, timeoutMs);
    const these = keptIds.slice(since);
    const countOf = counter.countOf;
    return waitForEvents({ count: () => countOf(these) }, these.length * rowsPerRequest, timeoutMs);
  }

  /** One load, then the wait until digest has caught up with every event acknowledged so far. */
  async function load(connections: number, durationS: number, rate?: number) {
    const since = keptIds?.length ?? 0;
    const result = await runLoad({ urls: server.urls, connections, durationS, requests, rate });
    acknowledged += result.ok;
    const lagMs = await digested(since, acknowledged * rowsPerRequest);
    return { result, lagMs };
  }

  async function run(connections: number, rate?: number): Promise<IngestRow> {
    const cpuBefore = cpuMs(server.pids);
    const { result, lagMs } = await load(connections, options.durationS, rate);
    const lag =
      lagMs === undefined ? '' : `, digest lag ${lagMs === null ? 'over the wait' : `${ms(lagMs)} ms`}`;
    const at = `c=${connections}${rate ? ` at ${rate}/s` : ''}`;
    ctx.log(`  ${server.name} ${at}: ${int(result.rps)} req/s, ${int(result.errors)} errors${lag}`);
    return {
      server: server.name,
      connections,
      rate,
      load: result,
      peakMB: server.pids.map((pid) => memoryMB(pid).peak),
      lagMs,
      // A fixed-rate run measures latency, not how many events the server can take.
      digestedPerS: typeof lagMs === 'number' && !rate ? digestedRate(result, lagMs) : null,
      cpuUsPerReq: ((cpuMs(server.pids) - cpuBefore) * 1000) / result.ok,
    };
  }

  /**
   * Unmeasured load first: JIT, caches and SQLite pages warm, as in a server that has been up a
   * while. `untilIssues`: also a run as long as a measured one at c=64, so that nearly every one of
   * the 200 fingerprints already has its issue (a new issue costs more than an event of a known
   * one). Resolves to the loads' results.
   */
  const warmUp = async (untilIssues = false): Promise<LoadResult[]> => {
    const loads = [await load(16, options.warmupS)];
    if (untilIssues) loads.push(await load(64, options.durationS));
    return loads.map((l) => l.result);
  };

  /** Warm-up, then one run per concurrency level. */
  async function levels(): Promise<IngestRow[]> {
    await warmUp();
    const rows: IngestRow[] = [];
    for (const connections of options.levels) rows.push(await run(connections));
    return rows;
  }

  /**
   * The rows of every request acknowledged so far, and how many of them are not in the store once
   * digest has had the wait to catch up: lost. Needs the ids kept and a counter that counts by them.
   */
  async function stored(): Promise<{ expected: number; missing: number }> {
    if (!counter?.countOf || !keptIds) throw new Error(`${server.name}: no ids to look up in the store`);
    const expected = keptIds.length * rowsPerRequest;
    await digested(0, expected);
    return { expected, missing: expected - (await counter.countOf(keptIds)) };
  }

  return { run, warmUp, levels, stored };
}

/** What one kind of acknowledged row came to in the store, as `stored()` counts it. */
export interface StoredCheck {
  readonly what: string;
  readonly expected: number;
  readonly missing: number;
}

/** "error events 10 of 10, spans 180 of 180": what each check found in the store. */
export function storedSummary(checks: readonly StoredCheck[]): string {
  return checks.map((c) => `${c.what} ${int(c.expected - c.missing)} of ${int(c.expected)}`).join(', ');
}

/** A bench that loses an acknowledged row fails, naming what it lost. */
export function failOnLoss(checks: readonly StoredCheck[]): void {
  const lost = checks.filter((c) => c.missing > 0);
  if (lost.length > 0) throw new Error(`lost ${lost.map((c) => `${int(c.missing)} ${c.what}`).join(', ')}`);
}
