import type { LoadResult } from './load.js';
import type { StoreCounts } from './store-probe.js';

/** One load run of an ingest scenario, with what digest did after it. */
export interface IngestRun {
  readonly load: LoadResult;
  /** For Errata: how long until every acknowledged event was queryable, and the store then. */
  readonly digest: { readonly lagMs: number | null; readonly counts: StoreCounts } | null;
  /**
   * CPU time the server's processes (and PostgreSQL's, when it stores there) used per 2xx answer,
   * microseconds, from the start of the load until digest caught up; null when nothing was answered.
   */
  readonly cpuUsPerRequest: number | null;
}

export interface IngestScenario {
  readonly id: string;
  readonly title: string;
  readonly runs: IngestRun[];
  /** The fixed-rate run, when there is one. */
  readonly fixedRate: IngestRun | null;
  /** VmHWM of each server process when it was stopped, MiB. */
  readonly peakRssMb: readonly number[];
  readonly notes: string[];
}

export interface RestEndpointResult {
  readonly name: string;
  readonly path: string;
  readonly load: LoadResult;
}

export interface RestScenario {
  readonly events: number;
  readonly issues: number;
  readonly fileBytes: number;
  readonly seededInS: number | null;
  readonly endpoints: RestEndpointResult[];
  readonly peakRssMb: number;
  readonly notes: string[];
}

export interface Footprint {
  /** Spawn to the first 200 on GET /api/0/, on an empty data directory (migrations, first owner). */
  readonly firstStartMs: number;
  /** The same on an existing data directory (a restart). */
  readonly restartMs: number;
  /** VmRSS 2 s after a restart, no request served yet. */
  readonly startRssMb: number;
  /** VmRSS once idle long enough for V8 to give back start-up garbage; null when not waited for (--quick). */
  readonly idleRssMb: number | null;
  readonly idleAfterS: number;
}

export interface ProfileEntry {
  readonly name: string;
  readonly where: string;
  readonly selfPercent: number;
}

export interface ProfileSummary {
  readonly scenario: string;
  readonly file: string;
  readonly totalMs: number;
  /** Share of samples where the main thread was busy (not idle). */
  readonly busyPercent: number;
  readonly top: ProfileEntry[];
  /** Busy time by the part of the server whose code is on the stack (digest, ingest, HTTP, GC, …). */
  readonly byPath: { path: string; selfPercent: number }[];
  /** Self time grouped by where the code lives (a package, a folder of src/, Node internals, GC). */
  readonly byArea: { area: string; selfPercent: number }[];
}

/** Latencies of the 2xx answers of one kind of request in the probe scenario. */
export interface LatencySummary {
  readonly count: number;
  /** Non-2xx answers and failed requests. */
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rps: number;
}

/** The probe (`GET /api/0/`) alone, and while tags/ of a tag-heavy issue and slow bodies load the server. */
export interface ProbeScenario {
  readonly events: number;
  readonly tagsPerEvent: number;
  readonly tagLoops: number;
  readonly slowConnections: number;
  /** Slow-body connections the server closed before the scenario ended (its timeouts are longer). */
  readonly slowClosedByServer: number;
  readonly alone: LatencySummary;
  /** While only the slow-body connections are open. */
  readonly slowBodiesOnly: LatencySummary;
  /** While the slow bodies are open and the tags/ loops run. */
  readonly underAbuse: LatencySummary;
  readonly tags: LatencySummary;
  /** Share of the machine's CPU used by other work during the loaded part. */
  readonly otherCpuPercent: number;
}
