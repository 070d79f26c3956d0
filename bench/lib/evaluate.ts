import { int, mb, ms, percent, ratio } from './format.js';
import type { LeastWork } from './least-work.js';
import type { Machine } from './machine.js';
import type { BenchOptions } from './options.js';
import type {
  Footprint,
  IngestRun,
  IngestScenario,
  ProbeScenario,
  ProfileSummary,
  RestScenario,
} from './results.js';
import { TARGETS } from './targets.js';

/** Everything one bench run measured. */
export interface BenchResults {
  readonly startedAt: Date;
  readonly durationS: number;
  readonly options: BenchOptions;
  readonly machine: Machine;
  readonly payloads: string[];
  readonly ingest: IngestScenario[];
  readonly extraFixed: IngestRun[];
  /** Decoding and parsing the requests of the mix, timed alone; null when no ingest scenario ran. */
  readonly leastWork: LeastWork | null;
  readonly rest: RestScenario | null;
  readonly probe: ProbeScenario | null;
  readonly footprint: Footprint | null;
  readonly profile: ProfileSummary[] | null;
  readonly failures: { scenario: string; error: string }[];
}

export interface TargetRow {
  readonly id: string;
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  /** null when the scenario did not run. */
  readonly met: boolean | null;
  /** For a missed target: how far off, as a factor. */
  readonly shortBy: string | null;
}

/** MiB (what /proc gives, as the tables show) in MB (10^6 bytes, as the targets are written). */
function megabytes(mib: number): number {
  return (mib * 1024 * 1024) / 1_000_000;
}

export function scenario(results: BenchResults, id: string): IngestScenario | undefined {
  return results.ingest.find((s) => s.id === id);
}

/** The run of `other` at the same concurrency as `run`, if it had one. */
export function sameLevel(run: IngestRun, other: IngestScenario | undefined): IngestRun | undefined {
  return other?.runs.find((r) => r.load.connections === run.load.connections);
}

/** The least CPU a request of the mix costs on this machine, and the rate that allows. */
export interface Ceiling {
  readonly connections: number;
  /** The load generator's CPU per answer in the floor's run at this concurrency, µs. */
  readonly clientUs: number;
  /** The floor's server CPU per answer there, µs: reading the request and answering it. */
  readonly httpUs: number;
  /** Decompressing and parsing the body, timed alone (see LeastWork), µs. */
  readonly readUs: number;
  /** All three: the least CPU one request costs here, µs. */
  readonly costUs: number;
  /** Requests per second the machine's cores allow at that cost, for any server that parses the events. */
  readonly rps: number;
}

/**
 * The most requests per second any server that parses these events could answer here, at the
 * floor's concurrency `connections`: the cores divided by the least CPU a request costs (the load
 * generator's share, the floor's server, and decoding and parsing the body). It stores nothing, so
 * a real server answers fewer.
 */
export function ceiling(results: BenchResults, connections: number): Ceiling | null {
  const floorRun = scenario(results, 'floor')?.runs.find((r) => r.load.connections === connections);
  const least = results.leastWork;
  if (!floorRun?.cpuUsPerRequest || !floorRun.load.clientCpuUsPerRequest || !least) return null;
  const clientUs = floorRun.load.clientCpuUsPerRequest;
  const httpUs = floorRun.cpuUsPerRequest;
  const readUs = least.decodeUs + least.parseUs;
  const costUs = clientUs + httpUs + readUs;
  return { connections, clientUs, httpUs, readUs, costUs, rps: (results.machine.cores * 1_000_000) / costUs };
}

/** Events per second from the start of a run until digest had caught up with it. */
export function digestedRate(run: IngestRun, capS: number): { rate: number; lowerBound: boolean } {
  const lagS = run.digest?.lagMs === null || run.digest === null ? capS : (run.digest.lagMs as number) / 1000;
  return { rate: run.load.ok / (run.load.elapsedS + lagS), lowerBound: run.digest?.lagMs === null };
}

function row(
  id: string,
  name: string,
  goal: string,
  measured: string | null,
  met: boolean | null,
  shortBy: string | null = null,
): TargetRow {
  return {
    id,
    name,
    goal,
    measured: measured ?? 'not measured',
    met: measured === null ? null : met,
    shortBy: met ? null : shortBy,
  };
}

/** For a floor that was not reached: how much more is needed. */
function below(goal: number, have: number): string {
  return have > 0 ? `needs ${(goal / have).toFixed(1)}× more` : 'nothing measured';
}

/** For a ceiling that was passed: how far past it. */
function above(have: number, limit: number): string {
  return `${(have / limit).toFixed(1)}× the limit`;
}

/** Each target of issue #6 against what this run measured. */
export function evaluateTargets(results: BenchResults): TargetRow[] {
  const sqlite = scenario(results, 'sqlite');
  const floor = scenario(results, 'floor');
  const peer = scenario(results, 'spotlight');
  const rows: TargetRow[] = [];

  const shares = (sqlite?.runs ?? []).flatMap((run) => {
    const other = sameLevel(run, floor);
    return other ? [{ c: run.load.connections, value: run.load.rps / other.load.rps }] : [];
  });
  const worstShare = shares.sort((a, b) => a.value - b.value)[0];
  rows.push(
    row(
      'floor-share',
      'SQLite ingest vs the HTTP floor, same concurrency',
      `≥ ${percent(TARGETS.floorShare * 100)} of its req/s`,
      worstShare
        ? `${percent(worstShare.value * 100)} (lowest, at c=${worstShare.c}); ${shares.map((s) => `c=${s.c}: ${percent(s.value * 100)}`).join(', ')}`
        : null,
      worstShare ? worstShare.value >= TARGETS.floorShare : null,
      worstShare ? below(TARGETS.floorShare, worstShare.value) : null,
    ),
  );

  const ratios = (sqlite?.runs ?? []).flatMap((run) => {
    const other = sameLevel(run, peer);
    return other ? [{ c: run.load.connections, value: run.load.rps / other.load.rps }] : [];
  });
  const worstRatio = ratios.sort((a, b) => a.value - b.value)[0];
  rows.push(
    row(
      'peer-ratio',
      'SQLite ingest vs the peer (Spotlight), same concurrency',
      `≥ ${TARGETS.peerRatio}× its req/s`,
      worstRatio
        ? `${ratio(worstRatio.value)} (lowest, at c=${worstRatio.c}); ${ratios.map((s) => `c=${s.c}: ${ratio(s.value)}`).join(', ')}`
        : null,
      worstRatio ? worstRatio.value >= TARGETS.peerRatio : null,
      worstRatio ? below(TARGETS.peerRatio, worstRatio.value) : null,
    ),
  );

  const capS = results.options.digestWaitS;
  const rates = (sqlite?.runs ?? []).map((run) => ({ c: run.load.connections, ...digestedRate(run, capS) }));
  const best = rates.sort((a, b) => b.rate - a.rate)[0];
  rows.push(
    row(
      'events-per-second',
      'SQLite events/s, ingested and digested (load start until every acknowledged event is queryable)',
      `≥ ${int(TARGETS.eventsPerSecond)}/s`,
      best ? `${best.lowerBound ? '≥ ' : ''}${int(best.rate)}/s (best, at c=${best.c})` : null,
      best ? best.rate >= TARGETS.eventsPerSecond && !best.lowerBound : null,
      best ? below(TARGETS.eventsPerSecond, best.rate) : null,
    ),
  );

  const fixed = sqlite?.fixedRate;
  const halfRate = TARGETS.eventsPerSecond / 2;
  const carried = fixed ? fixed.load.rps >= 0.95 * halfRate : false;
  rows.push(
    row(
      'p99-half-rate',
      `SQLite p99 ingest latency at ${int(halfRate)} req/s (autocannon overallRate)`,
      `≤ ${TARGETS.p99AtHalfRateMs} ms`,
      fixed
        ? `${ms(fixed.load.p99Ms)} ms at ${int(fixed.load.rps)} req/s achieved${carried ? '' : ' (the rate was not reached)'}`
        : null,
      fixed ? fixed.load.p99Ms <= TARGETS.p99AtHalfRateMs && carried : null,
      fixed
        ? carried
          ? above(fixed.load.p99Ms, TARGETS.p99AtHalfRateMs)
          : `carries ${int(fixed.load.rps)} of ${int(halfRate)} req/s`
        : null,
    ),
  );

  const lags = (sqlite?.runs ?? []).map((run) => run.digest?.lagMs ?? null);
  const stuck = lags.some((l) => l === null);
  const worstLag = stuck ? null : Math.max(...(lags as number[]));
  rows.push(
    row(
      'digest-lag',
      'SQLite digest lag after the load stops (worst run)',
      `≤ ${TARGETS.digestLagMs / 1000} s`,
      sqlite
        ? stuck
          ? `> ${capS} s (digest had not caught up when the bench stopped waiting)`
          : `${ms(worstLag)} ms`
        : null,
      sqlite ? !stuck && (worstLag as number) <= TARGETS.digestLagMs : null,
      sqlite
        ? stuck
          ? `not caught up after ${capS} s`
          : above(worstLag as number, TARGETS.digestLagMs)
        : null,
    ),
  );

  const postgres = scenario(results, 'postgres-1');
  const pgLags = (postgres?.runs ?? []).map((run) => run.digest?.lagMs ?? null);
  const pgStuck = pgLags.some((l) => l === null);
  const pgWorst = pgStuck ? null : Math.max(...(pgLags as number[]));
  rows.push(
    row(
      'digest-lag-postgres',
      'PostgreSQL (one node) digest lag after the load stops (worst run)',
      `≤ ${TARGETS.digestLagMs / 1000} s`,
      postgres
        ? pgStuck
          ? `> ${capS} s (digest had not caught up when the bench stopped waiting)`
          : `${ms(pgWorst)} ms`
        : null,
      postgres ? !pgStuck && (pgWorst as number) <= TARGETS.digestLagMs : null,
      postgres
        ? pgStuck
          ? `not caught up after ${capS} s`
          : above(pgWorst as number, TARGETS.digestLagMs)
        : null,
    ),
  );

  const foot = results.footprint;
  const idle = foot ? (foot.idleRssMb ?? foot.startRssMb) : 0;
  rows.push(
    row(
      'idle-rss',
      'Idle RSS after start',
      `≤ ${TARGETS.idleRssMb} MB`,
      foot
        ? foot.idleRssMb === null
          ? `${mb(foot.startRssMb)} MiB 2 s after start (--quick does not wait for it to settle)`
          : `${mb(foot.idleRssMb)} MiB (${int(megabytes(foot.idleRssMb))} MB) after ${foot.idleAfterS} s idle (${mb(foot.startRssMb)} MiB 2 s after start)`
        : null,
      foot ? megabytes(idle) <= TARGETS.idleRssMb : null,
      foot ? above(megabytes(idle), TARGETS.idleRssMb) : null,
    ),
  );
  const slowest = foot ? Math.max(foot.firstStartMs, foot.restartMs) : 0;
  rows.push(
    row(
      'startup',
      'Start-up, spawn to the first 200 on `GET /api/0/`',
      `≤ ${TARGETS.startupMs / 1000} s`,
      foot
        ? `${int(foot.restartMs)} ms restart, ${int(foot.firstStartMs)} ms first start (empty data directory)`
        : null,
      foot ? slowest <= TARGETS.startupMs : null,
      foot ? above(slowest, TARGETS.startupMs) : null,
    ),
  );

  const peaks = [
    ...results.ingest.filter((s) => s.id !== 'floor' && s.id !== 'spotlight').flatMap((s) => s.peakRssMb),
    ...(results.rest ? [results.rest.peakRssMb] : []),
  ];
  const peak = peaks.length > 0 ? Math.max(...peaks) : null;
  rows.push(
    row(
      'peak-rss',
      'Peak RSS of an Errata process under load (VmHWM)',
      `≤ ${TARGETS.peakRssMb} MB`,
      peak === null ? null : `${mb(peak)} MiB (${int(megabytes(peak))} MB)`,
      peak === null ? null : megabytes(peak) <= TARGETS.peakRssMb,
      peak === null ? null : above(megabytes(peak), TARGETS.peakRssMb),
    ),
  );

  const list = results.rest?.endpoints[0];
  rows.push(
    row(
      'issue-list',
      `Issue list, first page, ${results.rest ? int(results.rest.events) : ''} events in ${results.rest ? int(results.rest.issues) : ''} issues`,
      `≤ ${TARGETS.issueListMedianMs} ms median`,
      list
        ? `${ms(list.load.p50Ms)} ms median, ${ms(list.load.p99Ms)} ms p99${list.load.errors > 0 ? `, ${list.load.errors} errors` : ''}`
        : null,
      list ? list.load.p50Ms <= TARGETS.issueListMedianMs && list.load.errors === 0 : null,
      list ? above(list.load.p50Ms, TARGETS.issueListMedianMs) : null,
    ),
  );

  const probe = results.probe;
  const under = probe?.underAbuse;
  rows.push(
    row(
      'probe-under-abuse',
      probe
        ? `\`GET /api/0/\` while ${probe.tagLoops} loops request tags/ of an issue of ${int(probe.events * probe.tagsPerEvent)} tag values and ${int(probe.slowConnections)} clients trickle bodies`
        : '`GET /api/0/` while tags/ of a tag-heavy issue and slow-body clients load the server',
      `< ${TARGETS.probeUnderAbuseP99Ms} ms p99`,
      probe && under
        ? `${ms(under.p50Ms)} ms median, ${ms(under.p99Ms)} ms p99 (alone: ${ms(probe.alone.p50Ms)} / ${ms(probe.alone.p99Ms)} ms)${under.errors > 0 ? `, ${under.errors} errors` : ''}`
        : null,
      under ? under.p99Ms < TARGETS.probeUnderAbuseP99Ms && under.errors === 0 && under.count > 0 : null,
      under ? above(under.p99Ms, TARGETS.probeUnderAbuseP99Ms) : null,
    ),
  );
  return rows;
}
