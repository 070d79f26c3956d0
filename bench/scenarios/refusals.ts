import SQLite from 'better-sqlite3';
import type { Context } from '../lib/context.js';
import { failOnLoss, type IngestRow, ingestDriver, keptUp, storedSummary } from '../lib/ingest.js';
import type { LoadResult } from '../lib/load.js';
import type { IngestTarget } from '../lib/payloads.js';
import { cpuMs } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';
import { sqliteCounter, waitForEvents } from '../lib/store.js';
import { startSqlite } from './sqlite.js';

/** The flooding project's key: a low limit, as an owner sets on a key whose clients misbehave. */
const FLOOD_KEY_LIMIT = { count: 60, window: 60 };

/** Connections of the flood: many clients, so that a slow answer does not hold its rate back. */
const FLOOD_CONNECTIONS = 256;

/**
 * The other project's errors accepted and digested per second during the flood, as a share of its
 * rate without, below which the scenario fails: a flood as large as that project's own best rate
 * may take at most a quarter of it. A refusal's cost falls mostly on the HTTP thread (the envelope
 * is read, decompressed and parsed before the limit is checked) plus one outcome row per group
 * commit on the writer thread, where accepted errors are bound by digest. The margin is for the
 * shared machine, whose load moves rounds of one run by up to 2×; the mean of three alternating
 * rounds evens that out only in part.
 */
const MIN_ACCEPTED_RATIO = 0.75;

const refused = (load: LoadResult) => load.statuses[429] ?? 0;

/** A second project of the first start's organization, with a rate-limited key: where the flood goes. */
async function floodTarget(url: string, first: { token: string; org: string }): Promise<IngestTarget> {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/api/0/${path}`, {
      method,
      headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const [team] = await call<{ slug: string }[]>('GET', `organizations/${first.org}/teams/`);
  if (!team) throw new Error(`organization ${first.org} has no team`);
  const project = await call<{ slug: string }>('POST', `teams/${first.org}/${team.slug}/projects/`, {
    name: 'flood',
    default_rules: false,
  });
  const key = await call<{ public: string; projectId: number }>(
    'POST',
    `projects/${first.org}/${project.slug}/keys/`,
    { name: 'rate-limited', rateLimit: FLOOD_KEY_LIMIT },
  );
  return { publicKey: key.public, projectId: String(key.projectId) };
}

/** The error refusals of a project that digest has added to its hourly outcome counts. */
function refusalCounter(file: string, projectId: number) {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  const sum = db
    .prepare(
      `select coalesce(sum(times_seen), 0) from outcomes
       where project_id = ? and outcome = 'rate_limited' and category = 'error'`,
    )
    .pluck();
  return { count: async () => Number(sum.get(projectId)), close: async () => void db.close() };
}

/**
 * Does a flood of refused requests slow the rest? Errata on SQLite with two projects: the first
 * start's, and one whose key allows {@link FLOOD_KEY_LIMIT} errors a minute, so that nearly all its
 * requests are answered 429 and counted as a `rate_limited` outcome (committed before the answer).
 * The first project's errors at c=64 as fast as they are answered, alone and then beside the
 * flood, which asks a fixed rate as high as the first project's rate alone, in three alternating
 * rounds; in the first, between those, the flood alone, for the server's CPU per refusal. Fails
 * when the first project's errors accepted and digested fall below {@link MIN_ACCEPTED_RATIO} of
 * their rate alone, when an acknowledged error of either project is not in the store, or when a
 * refusal is missing from the outcome counts.
 */
export async function refusals(ctx: Context): Promise<void> {
  const { node, driver, file, target } = await startSqlite(ctx, 'refusals', { keepIds: true });
  const flood = await floodTarget(node.url, target);
  const floodEvents = sqliteCounter(file, 'events', {
    project: Number(flood.projectId),
    idColumn: 'event_id',
  });
  const outcomes = refusalCounter(file, Number(flood.projectId));
  ctx.defer(() => floodEvents.close());
  ctx.defer(() => outcomes.close());
  const pids = [node.child.pid];
  const flooder = ingestDriver(ctx, {
    name: 'flood, rate-limited key',
    urls: [node.url],
    pids,
    target: flood,
    counter: floodEvents,
    keepIds: true,
  });
  // Every 429 read, and how many requests might have been refused without the answer being read.
  let refusedSoFar = 0;
  let unanswered = 0;
  const count = (load: LoadResult) => {
    refusedSoFar += refused(load);
    unanswered += load.unanswered;
  };
  /** Ms until every refusal read so far is in the outcome counts; null: not within the wait. */
  const counted = () => waitForEvents(outcomes, refusedSoFar, ctx.options.digestWaitS * 1000);

  await driver.warmUp(true);
  for (const load of await flooder.warmUp()) count(load);
  await counted();

  const rounds: { alone: IngestRow; beside: IngestRow; flood: IngestRow }[] = [];
  let floodRate = 0;
  let floodAlone: IngestRow | undefined;
  let countedMs: number | null = null;
  let cpuUsPerRefusal = Number.NaN;
  // Rounds alternate, so that a neighbour's load on the machine falls on both alike.
  for (let round = 0; round < (ctx.options.quick ? 1 : 3); round++) {
    const alone = await driver.run(64);
    if (!floodAlone) {
      floodRate = Math.max(100, Math.round(keptUp(alone) / 100) * 100);
      const cpuBefore = cpuMs(pids);
      floodAlone = await flooder.run(FLOOD_CONNECTIONS, floodRate);
      count(floodAlone.load);
      countedMs = await counted();
      cpuUsPerRefusal = ((cpuMs(pids) - cpuBefore) * 1000) / refused(floodAlone.load);
    }
    const [beside, flooded] = await Promise.all([driver.run(64), flooder.run(FLOOD_CONNECTIONS, floodRate)]);
    count(flooded.load);
    await counted();
    rounds.push({ alone, beside, flood: flooded });
  }
  const mean = (pick: (round: (typeof rounds)[number]) => number) =>
    rounds.reduce((n, round) => n + pick(round), 0) / rounds.length;

  const outcomeCount = await outcomes.count();
  const checks = [
    { what: 'errors of the first project', ...(await driver.stored()) },
    { what: 'errors the flood got through', ...(await flooder.stored()) },
    {
      what: 'refusals in the outcome counts',
      expected: refusedSoFar,
      missing: Math.max(0, refusedSoFar - outcomeCount),
    },
  ];
  const lost = checks.reduce((n, c) => n + c.missing, 0);
  const ratio = mean((r) => keptUp(r.beside)) / mean((r) => keptUp(r.alone));
  const cpuUsPerError = mean((r) => r.alone.cpuUsPerReq);
  ctx.results.figures.refusals = {
    floodRate,
    ratio,
    minRatio: MIN_ACCEPTED_RATIO,
    cpuUsPerRefusal,
    cpuUsPerError,
    lost,
  };

  const firstRow = (name: string, r: IngestRow) => [
    name,
    int(r.load.rps),
    int(keptUp(r)),
    ms(r.load.p50Ms),
    ms(r.load.p99Ms),
    int(r.load.errors),
  ];
  const floodRow = (name: string, r: IngestRow) => [
    name,
    int(refused(r.load) / r.load.elapsedS),
    ms(r.load.refusedP50Ms),
    ms(r.load.refusedP99Ms),
    int(r.load.ok),
    int(r.load.errors - refused(r.load)),
  ];
  ctx.results.sections.push(
    `## A flood of refused requests (SQLite; the flood at ${int(floodRate)}/s on ${FLOOD_CONNECTIONS} connections to a key limited to ${FLOOD_KEY_LIMIT.count} a minute)`,
    table(
      ['first project, c=64', 'req/s', 'accepted and digested/s', 'p50 ms', 'p99 ms', 'errors'],
      rounds.flatMap((r, i) => [
        firstRow(`round ${i + 1}, alone`, r.alone),
        firstRow(`round ${i + 1}, beside the flood`, r.beside),
      ]),
    ),
    table(
      ['flood', '429/s', '429 p50 ms', '429 p99 ms', 'accepted', 'other errors'],
      [
        ...(floodAlone ? [floodRow('alone', floodAlone)] : []),
        ...rounds.map((r, i) => floodRow(`round ${i + 1}, beside the first project`, r.flood)),
      ],
    ),
    `The first project's errors accepted and digested beside the flood ÷ alone, means of the rounds: ` +
      `${ratio.toFixed(2)}× (fails below ${MIN_ACCEPTED_RATIO}×). Server CPU per refusal with the flood alone, its ` +
      `outcome count included: ${int(cpuUsPerRefusal)} µs, against ${int(cpuUsPerError)} µs per accepted error of the ` +
      `first project alone (${(cpuUsPerRefusal / cpuUsPerError).toFixed(2)}×); the flood's refusals were all counted ` +
      `${countedMs === null ? 'not within the wait' : `${ms(countedMs)} ms after its load`}. At the end: ` +
      `${storedSummary(checks)} ` +
      `(the outcome counts hold ${int(outcomeCount)}, of which up to ${int(unanswered)} for requests whose answer was never read).`,
  );

  if (outcomeCount > refusedSoFar + unanswered)
    throw new Error(`${int(outcomeCount - refusedSoFar - unanswered)} refusals counted more than once`);
  failOnLoss(checks);
  if (!(ratio >= MIN_ACCEPTED_RATIO))
    throw new Error(
      `accepted errors beside the flood at ${ratio.toFixed(2)}× their rate alone, below ${MIN_ACCEPTED_RATIO}×`,
    );
}
