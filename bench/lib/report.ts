import type { IngestRow } from './ingest.js';

/** Figures that targets are checked against, filled in by the scenarios that measure them. */
export interface Figures {
  fixedRate?: { rate: number; p99Ms: number };
  startup?: { firstMs: number; restartMs: number };
  idle?: { rssMB: number; afterS: number };
  sigkill?: { acknowledged: number; lost: number };
  issueList?: { medianMs: number; events: number };
  /** Time to content of the triage pages, each page's every call on opening it. */
  pages?: { name: string; p50Ms: number; p99Ms: number; events: number }[];
  probeP99Ms?: number;
  /** The same fixed rate of new, mailed issues with the mail server up, then down. */
  smtpDown?: {
    rate: number;
    upP99Ms: number;
    downP99Ms: number;
    /** Emails queued during the run with it down. */
    queued: number;
    /** Tries that failed until they were all sent. */
    failedTries: number;
    /** Ms from the mail server's return until none was pending; null: not within the wait. */
    resendMs: number | null;
    /** Emails failed for good. */
    lost: number;
  };
  /** Errors at a fixed rate beside span and log envelopes, against the same errors alone. */
  mixed?: {
    /** Errors asked per second. */
    rate: number;
    /** Errors accepted and digested per second beside spans and logs ÷ alone. */
    ratio: number;
    minRatio: number;
    p99Ratio: number;
    /** Acknowledged errors, spans and log records missing from the store at the end. */
    lost: number;
  };
  /** One project's errors beside a flood of another's refused requests, against without. */
  refusals?: {
    /** Flood requests asked per second. */
    floodRate: number;
    /** Errors accepted and digested per second beside the flood ÷ alone. */
    ratio: number;
    minRatio: number;
    /** Server CPU per refused request, its outcome count included, with the flood alone. */
    cpuUsPerRefusal: number;
    /** Server CPU per accepted error of the other project alone. */
    cpuUsPerError: number;
    /** Acknowledged errors of either project, and refusals, missing from the store at the end. */
    lost: number;
  };
}

export interface Results {
  readonly ingest: IngestRow[];
  readonly figures: Figures;
  /** Markdown sections of the scenarios with tables of their own, in run order. */
  readonly sections: string[];
  readonly failures: { scenario: string; error: string }[];
}

export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
export const ms = (n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : n < 100 ? n.toFixed(1) : int(n);

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const rule = head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [head, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Req/s of `server` at this concurrency, as fast as it answers (not at a fixed rate). */
function at(results: Results, server: string, connections: number): number | undefined {
  const row = results.ingest.find((r) => r.server === server && r.connections === connections && !r.rate);
  return row?.load.rps;
}

/** One row per target whose scenario ran: target, goal, measured, met. */
function targets(results: Results): string[][] {
  const rows: string[][] = [];
  const check = (name: string, goal: string, measured: string, met: boolean) =>
    rows.push([name, goal, measured, met ? 'met' : '**missed**']);
  const { fixedRate, idle, startup, issueList, pages, sigkill, probeP99Ms, smtpDown, mixed, refusals } =
    results.figures;
  const sqlite = at(results, 'Errata, SQLite', 64);
  const floor = at(results, 'HTTP floor', 64);
  const peer = at(results, 'Spotlight', 64);
  if (sqlite && floor) {
    const share = sqlite / floor;
    check('SQLite ingest ÷ HTTP floor, c=64', '≥ 25 %', `${(100 * share).toFixed(0)} %`, share >= 0.25);
  }
  if (sqlite && peer) {
    const times = sqlite / peer;
    check('SQLite ingest ÷ peer (Spotlight), c=64', '≥ 3×', `${times.toFixed(2)}×`, times >= 3);
  }
  const lags = results.ingest.filter((r) => r.server === 'Errata, SQLite').map((r) => r.lagMs ?? Infinity);
  if (lags.length > 0) {
    const worst = Math.max(...lags);
    const shown = Number.isFinite(worst) ? `${ms(worst)} ms` : 'over the wait';
    check('SQLite digest lag after the load stops, worst run', '≤ 2 s', shown, worst <= 2000);
  }
  const pg = results.ingest.filter((r) => r.server === 'Errata, PostgreSQL, 1 node');
  if (pg.length > 0) {
    const best = Math.max(...pg.map((r) => r.digestedPerS ?? 0));
    check('PostgreSQL 1 node, events/s ingested and digested', '≥ 3,000/s', `${int(best)}/s`, best >= 3000);
  }
  if (fixedRate) {
    const { rate, p99Ms } = fixedRate;
    check(
      'p99 ingest latency, SQLite at half its best rate',
      '≤ 50 ms',
      `${ms(p99Ms)} ms at ${rate}/s`,
      p99Ms <= 50,
    );
  }
  if (smtpDown) {
    const times = smtpDown.downP99Ms / smtpDown.upP99Ms;
    const shown = `${times.toFixed(2)}× (${ms(smtpDown.downP99Ms)} ÷ ${ms(smtpDown.upP99Ms)} ms at ${int(smtpDown.rate)}/s)`;
    check('p99 ingest latency, mail server down ÷ up, new issues mailed', '≤ 1.25×', shown, times <= 1.25);
    const sent = smtpDown.resendMs !== null && smtpDown.lost === 0;
    const after =
      smtpDown.resendMs === null
        ? 'some still pending'
        : `all sent ${ms(smtpDown.resendMs)} ms after its return`;
    check(
      'emails queued while the mail server was down, sent once it is back',
      'all',
      `${int(smtpDown.queued)} queued, ${int(smtpDown.failedTries)} tries failed, ${after}, ${smtpDown.lost} lost`,
      sent,
    );
  }
  if (mixed) {
    const shown = `${mixed.ratio.toFixed(2)}× at ${int(mixed.rate)} errors/s (p99 ${mixed.p99Ratio.toFixed(2)}×)`;
    check(
      'errors accepted and digested beside spans and logs ÷ alone, the mix at half the server',
      `≥ ${mixed.minRatio}×`,
      shown,
      mixed.ratio >= mixed.minRatio,
    );
    check('acknowledged errors, spans and logs lost', '0', `${int(mixed.lost)}`, mixed.lost === 0);
  }
  if (refusals) {
    const cpu = refusals.cpuUsPerRefusal / refusals.cpuUsPerError;
    const shown = `${refusals.ratio.toFixed(2)}× (flood at ${int(refusals.floodRate)}/s; CPU per refusal ${cpu.toFixed(2)}× an accepted error's)`;
    check(
      'errors accepted and digested during a flood of 429s on another project ÷ without',
      `≥ ${refusals.minRatio}×`,
      shown,
      refusals.ratio >= refusals.minRatio,
    );
    check(
      'acknowledged errors and counted refusals lost, flood run',
      '0',
      `${int(refusals.lost)}`,
      refusals.lost === 0,
    );
  }
  if (idle)
    check('idle RSS', '≤ 80 MB', `${idle.rssMB.toFixed(0)} MB after ${idle.afterS} s`, idle.rssMB <= 80);
  if (startup) {
    const worst = Math.max(startup.firstMs, startup.restartMs);
    const shown = `${int(startup.firstMs)} ms first start, ${int(startup.restartMs)} ms restart`;
    check('start-up, spawn to the first 200 on `GET /api/0/`', '≤ 1 s', shown, worst <= 1000);
  }
  if (issueList) {
    const name = `issue list, first page, at ${int(issueList.events)} events`;
    check(name, '≤ 30 ms median', `${ms(issueList.medianMs)} ms`, issueList.medianMs <= 30);
  }
  for (const page of pages ?? []) {
    const name = `time to content, ${page.name}, at ${int(page.events)} events`;
    const shown = `${ms(page.p50Ms)} ms median, ${ms(page.p99Ms)} ms p99`;
    check(name, '< 300 ms p99', shown, page.p99Ms < 300);
  }
  if (sigkill) {
    const shown = `${sigkill.lost} of ${int(sigkill.acknowledged)}`;
    check('acknowledged events lost to SIGKILL under load', '0', shown, sigkill.lost === 0);
  }
  if (probeP99Ms !== undefined)
    check('health probe p99 under abuse', '< 100 ms', `${ms(probeP99Ms)} ms`, probeP99Ms < 100);
  return rows;
}

function ingestTable(results: Results): string {
  // A fixed-rate run is compared with nothing: its rate is the one asked for.
  const times = (row: IngestRow, server: string) => {
    const other = row.rate === undefined ? at(results, server, row.connections) : undefined;
    return other && row.server !== server ? `${(row.load.rps / other).toFixed(2)}×` : '–';
  };
  const rows = results.ingest.map((r) => [
    r.server,
    r.rate === undefined ? `${r.connections}` : `${r.connections} @ ${int(r.rate)}/s`,
    int(r.load.rps),
    times(r, 'HTTP floor'),
    times(r, 'Spotlight'),
    ms(r.load.p50Ms),
    ms(r.load.p99Ms),
    int(r.load.errors),
    r.peakMB.map((mb) => mb.toFixed(0)).join(' / '),
    r.lagMs === undefined ? '–' : r.lagMs === null ? 'over the wait' : `${ms(r.lagMs)} ms`,
    int(r.digestedPerS ?? Number.NaN),
    int(r.cpuUsPerReq),
  ]);
  const head = ['server', 'connections', 'req/s', '× floor', '× peer', 'p50 ms', 'p99 ms', 'errors'];
  return table([...head, 'peak RSS MB', 'digest lag', 'digested/s', 'CPU µs/req'], rows);
}

/** The whole report: a header line, the targets, the ingest table, then each scenario's own tables. */
export function renderReport(results: Results, header: string): string {
  const parts = [header];
  const checked = targets(results);
  if (checked.length > 0) parts.push('## Targets', table(['target', 'goal', 'measured', ''], checked));
  if (results.ingest.length > 0) parts.push('## Ingest', ingestTable(results));
  parts.push(...results.sections);
  const failed = results.failures.map((f) => [f.scenario, f.error]);
  if (failed.length > 0) parts.push('## Failed scenarios', table(['scenario', 'error'], failed));
  return `${parts.join('\n\n')}\n`;
}
