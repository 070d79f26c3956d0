import type { Context } from '../lib/context.js';
import { failOnLoss, type IngestRow, ingestDriver, keptUp, storedSummary } from '../lib/ingest.js';
import { tracingRequests } from '../lib/payloads.js';
import { int, ms, table } from '../lib/report.js';
import { sqliteCounter } from '../lib/store.js';
import { startSqlite } from './sqlite.js';

/**
 * The mix, per error event: a service where 2 % of requests report an error and 10 % are traced
 * sends 5 traced requests per error, each as @sentry/node 11 sends it: one span envelope (18 spans)
 * and one log envelope (11 records). Logs of untraced requests are left out, so a real service
 * sends more logs than this.
 */
const SPAN_ENVELOPES_PER_ERROR = 5;
const LOG_ENVELOPES_PER_ERROR = 5;

/**
 * The share of the server the whole mix asks for, counted from what it takes of each kind alone:
 * half, as the fixed-rate scenario asks half of SQLite's best rate.
 */
const LOAD_SHARE = 0.5;

/**
 * Errors accepted and digested per second beside spans and logs, as a share of the same error
 * rate alone, below which the scenario fails. With the mix at half of the server, a server whose
 * span and log work does not hold errors back keeps the asked rate (1.0); the fifth below that is
 * room for the shared machine, whose load swings within a run.
 */
const MIN_ERROR_RATE_RATIO = 0.8;

/** The fewest errors per second asked: a fixed rate is split over 8 staggered load instances. */
const MIN_RATE = 8;

const lag = (row: IngestRow) => (row.lagMs === null ? 'over the wait' : `${ms(row.lagMs)} ms`);

/**
 * Does span and log ingest slow error ingest? Errata on SQLite takes each kind alone first, at
 * c=64 as fast as it answers, which sizes the mix: errors at a fixed rate with
 * {@link SPAN_ENVELOPES_PER_ERROR} span and {@link LOG_ENVELOPES_PER_ERROR} log envelopes per
 * error beside them, all together {@link LOAD_SHARE} of the server. Then the errors alone at that
 * rate, and the same errors with the spans and logs, each kind on up to 64 connections of its own;
 * three rounds of both, alternating.
 * Fails when the errors' rate beside spans and logs falls below {@link MIN_ERROR_RATE_RATIO} of
 * their rate alone, or when an acknowledged error, span or log record is not in the store at the end.
 */
export async function mixed(ctx: Context): Promise<void> {
  const { node, driver: errors, file, target } = await startSqlite(ctx, 'mixed', { keepIds: true });
  const tracing = (kind: 'spans' | 'logs') => {
    const rows = sqliteCounter(file, kind, { project: Number(target.projectId), idColumn: 'trace_id' });
    ctx.defer(() => rows.close());
    const name = `Errata, SQLite, ${kind === 'spans' ? 'span' : 'log'} envelopes`;
    const load = tracingRequests(target, kind);
    const driver = ingestDriver(ctx, {
      name,
      urls: [node.url],
      pids: [node.child.pid],
      target,
      counter: rows,
      load,
    });
    return { ...driver, load };
  };
  const spans = tracing('spans');
  const logs = tracing('logs');
  await errors.warmUp(true);
  for (const driver of [spans, logs]) await driver.warmUp();

  const alone = [await errors.run(64), await spans.run(64), await logs.run(64)];
  const [errorsBest, spansBest, logsBest] = alone.map((row) => row.digestedPerS ?? row.load.rps) as [
    number,
    number,
    number,
  ];
  const share = 1 / errorsBest + SPAN_ENVELOPES_PER_ERROR / spansBest + LOG_ENVELOPES_PER_ERROR / logsBest;
  const rate = Math.max(MIN_RATE, Math.round(LOAD_SHARE / share));
  const spanRate = rate * SPAN_ENVELOPES_PER_ERROR;
  const logRate = rate * LOG_ENVELOPES_PER_ERROR;
  ctx.log(`  the mix: ${rate} errors/s, ${spanRate} span and ${logRate} log envelopes/s`);

  // Rounds alternate, so that a neighbour's load on the machine falls on both alike.
  const rounds: { alone: IngestRow; beside: IngestRow; spans: IngestRow; logs: IngestRow }[] = [];
  for (let round = 0; round < (ctx.options.quick ? 1 : 3); round++) {
    const alone = await errors.run(64, rate);
    const [beside, spanRow, logRow] = await Promise.all([
      errors.run(64, rate),
      spans.run(64, spanRate),
      logs.run(64, logRate),
    ]);
    rounds.push({ alone, beside, spans: spanRow, logs: logRow });
  }
  const mean = (pick: (round: (typeof rounds)[number]) => number) =>
    rounds.reduce((n, round) => n + pick(round), 0) / rounds.length;

  const checks = [
    { what: 'error events', ...(await errors.stored()) },
    { what: 'spans', ...(await spans.stored()) },
    { what: 'log records', ...(await logs.stored()) },
  ];
  const lost = checks.reduce((n, c) => n + c.missing, 0);
  const ratio = mean((r) => keptUp(r.beside)) / mean((r) => keptUp(r.alone));
  const p50Ratio = mean((r) => r.beside.load.p50Ms) / mean((r) => r.alone.load.p50Ms);
  const p99Ratio = mean((r) => r.beside.load.p99Ms) / mean((r) => r.alone.load.p99Ms);
  ctx.results.figures.mixed = { rate, ratio, minRatio: MIN_ERROR_RATE_RATIO, p99Ratio, lost };

  const spansPerEnvelope = spans.load.rowsPerRequest;
  const logsPerEnvelope = logs.load.rowsPerRequest;
  const perEnvelope = [1, spansPerEnvelope, logsPerEnvelope];
  const digested = (row: IngestRow, rows: number) => int(keptUp(row) * rows);
  const errorCells = (row: IngestRow, errorCount: number) => [
    int(row.load.rps),
    int(keptUp(row)),
    ms(row.load.p50Ms),
    ms(row.load.p99Ms),
    int(errorCount),
    lag(row),
  ];
  ctx.results.sections.push(
    '## Errors beside spans and logs (SQLite, up to 64 connections each)',
    `Each kind alone, as fast as it answers; a span envelope holds ${spansPerEnvelope} spans, a log envelope ${logsPerEnvelope} records:`,
    table(
      ['envelopes', 'req/s', 'digested/s', 'rows digested/s', 'p50 ms', 'p99 ms', 'errors', 'CPU µs/req'],
      alone.map((row, i) => [
        ['error events', 'spans', 'logs'][i] as string,
        int(row.load.rps),
        int(row.digestedPerS ?? Number.NaN),
        int((row.digestedPerS ?? Number.NaN) * (perEnvelope[i] as number)),
        ms(row.load.p50Ms),
        ms(row.load.p99Ms),
        int(row.load.errors),
        int(row.cpuUsPerReq),
      ]),
    ),
    `The mix at ${LOAD_SHARE * 100} % of that: ${int(rate)} errors/s and, per error, ${SPAN_ENVELOPES_PER_ERROR} span ` +
      `and ${LOG_ENVELOPES_PER_ERROR} log envelopes (${int(spanRate)} and ${int(logRate)}/s):`,
    table(
      [
        `errors at ${int(rate)}/s`,
        'req/s',
        'accepted and digested/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'digest lag',
        'spans/s digested',
        'logs/s digested',
      ],
      rounds.flatMap((r, i) => [
        [`round ${i + 1}, alone`, ...errorCells(r.alone, r.alone.load.errors), '–', '–'],
        [
          `round ${i + 1}, beside spans and logs`,
          ...errorCells(r.beside, r.beside.load.errors + r.spans.load.errors + r.logs.load.errors),
          digested(r.spans, spansPerEnvelope),
          digested(r.logs, logsPerEnvelope),
        ],
      ]),
    ),
    `Errors accepted and digested beside spans and logs ÷ alone, means of the rounds: ${ratio.toFixed(2)}× ` +
      `(fails below ${MIN_ERROR_RATE_RATIO}×); p50 ${p50Ratio.toFixed(2)}×, p99 ${p99Ratio.toFixed(2)}×. Of every ` +
      `row acknowledged in the scenario, stored at the end: ` +
      storedSummary(checks) +
      '.',
  );

  failOnLoss(checks);
  if (!(ratio >= MIN_ERROR_RATE_RATIO))
    throw new Error(
      `errors beside spans and logs at ${ratio.toFixed(2)}× their rate alone, below ${MIN_ERROR_RATE_RATIO}×`,
    );
}
