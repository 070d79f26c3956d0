import { type BenchResults, sameLevel, scenario } from './evaluate.js';
import { int } from './format.js';

/** Ten times the peer against the floor, at the concurrency where Errata compares worst with the peer. */
function peerAgainstFloor(results: BenchResults): string {
  const sqlite = scenario(results, 'sqlite');
  const peer = scenario(results, 'spotlight');
  const floor = scenario(results, 'floor');
  const worst = (sqlite?.runs ?? [])
    .map((run) => ({ run, peer: sameLevel(run, peer), floor: sameLevel(run, floor) }))
    .filter((r) => r.peer && r.floor)
    .sort((a, b) => a.run.load.rps / (a.peer?.load.rps ?? 1) - b.run.load.rps / (b.peer?.load.rps ?? 1))[0];
  if (!worst?.peer || !worst.floor) return '';
  const tenfold = 10 * worst.peer.load.rps;
  const floorRps = worst.floor.load.rps;
  const c = worst.run.load.connections;
  return tenfold > floorRps
    ? `Ten times its rate at c=${c} is ${int(tenfold)} req/s, more than the HTTP floor's ${int(floorRps)} req/s there: no server that reads these bodies can meet this target on this machine, so the useful goal is to beat the peer while storing durably.`
    : `Ten times its rate at c=${c} is ${int(tenfold)} req/s, ${Math.round((100 * tenfold) / floorRps)} % of the HTTP floor there.`;
}

/**
 * What limits each target when it is missed, and the next step: the analysis behind the numbers,
 * written from the profile and the runs (see BENCHMARKS.md's Profile section; the statement
 * timings quoted come from a one-off run with a preload that timed every better-sqlite3 call).
 * The report prints an entry only while its target is missed. Keep each one short and tied to
 * evidence, and rewrite it when the evidence changes.
 */
export const FINDINGS: Partial<Record<string, string | ((results: BenchResults) => string)>> = {
  'floor-share':
    'One main thread does all the work of an event. Ingest: read the body, gunzip it (Python), parse the ' +
    'envelope and the whole event JSON to validate it, group-commit the raw row. Digest, right after, on the ' +
    'same thread: parse the event JSON again, normalize, group, about ten Kysely queries per event (each built ' +
    'and compiled at run time), JSON.stringify the stored document, commit. Under load the thread is busy all ' +
    'the time; by stack, digest takes the largest share and most of the Kysely time resumed after an await is ' +
    "digest's too, ingest and HTTP far less (Profile). `executeQuery` self time is SQLite itself, and mostly " +
    'commits, during which better-sqlite3 blocks the event loop: a commit writes the WAL pages of its ' +
    'transaction and, with `synchronous = FULL`, fsyncs them, and every event is written twice (the raw ' +
    'envelope, then the stored document, ~27 KB each), then again by checkpoints (`disk KiB/event` under ' +
    'Ingest). A statement-timing run (c=64, 5 s, quiet machine) counted 595 commits for 5,472 events, 196 ' +
    'group commits of raw envelopes and 399 digest transactions, at 1.8 ms each: 1.1 s, a fifth of the time ' +
    'under load, while every other statement together took 0.7 s. Kysely also prepared every statement ' +
    'anew (9 % of busy time before this bench); src/store/db.ts now keeps prepared statements, and ' +
    '`recordIssueEvent` no longer inlines the timestamp into its SQL. Next, largest first: (1) digest in a ' +
    'worker thread with its own connection, so that ingest has one core and digest the other; (2) commit ' +
    'digest transactions with `synchronous = NORMAL` and let digest take fuller batches: the raw rows a ' +
    'digest transaction deletes commit with it, so a digest commit lost to a power cut is digested again and ' +
    'nothing acknowledged is lost; (3) write a batch with a few multi-row statements (events, tag counts, ' +
    'one update per issue) instead of ~10 statements per event; (4) in ingest, find the event id without ' +
    'parsing the whole event (the event JSON is parsed twice: `parseEventPayload` in the top functions); ' +
    '(5) keep a raw envelope as it arrived when it came compressed (Python: 2.7 KB gzipped, 25 KB after) ' +
    'rather than decompressed, to cut what each event writes.',
  'peer-ratio': (results) =>
    "Spotlight's sidecar parses each envelope and keeps the last 500 in memory; nothing reaches a disk or an " +
    'index, and here it runs without the Sentry telemetry its CLI starts, which only makes it faster. ' +
    `${peerAgainstFloor(results)} Errata is slower than the peer for the reasons under the floor target, and ` +
    'the same steps apply.',
  'events-per-second':
    'Ingest and digest together cost about one millisecond of main-thread time per 25 KB event (one core ' +
    'divided by the digested rate). 10,000 events/s on two cores leaves at most 0.2 ms of CPU per event, ' +
    'which is about what parsing the event JSON twice, serializing the stored document and gunzipping ' +
    'already take (`parseEventPayload`, `eventDocument`, zlib in the Profile). The target needs both the ' +
    'second core for digest and the per-event work cut to one parse and a few batched statements (steps ' +
    '1-4 under the floor target). PostgreSQL is no way round it today: its ingest is faster (no fsync on ' +
    'the event loop) but its digest is slower still (one network round trip per statement, ~10 per event), ' +
    'see its digest lag.',
  'p99-half-rate':
    'The server does not carry 5,000 req/s, so that run measures a saturated server and its p99 is queueing. ' +
    'The second fixed-rate row, at half of what the server does carry, shows the latency it has when it keeps ' +
    'up. The tail comes from the one SQLite connection: Kysely lets a transaction hold it, so a group commit ' +
    'waits behind a whole digest transaction (up to ERRATA_DIGEST_BATCH = 200 envelopes, plus its fsync), ' +
    'which is also where the highest-concurrency p99 comes from. Next: the digest steps under the floor ' +
    'target; meanwhile shorter digest transactions while ingest is waiting.',
  'digest-lag':
    'On SQLite, digest runs between ingest commits on the same thread and connection, so it keeps up by ' +
    'slowing ingest down; when it does fall behind, it is for the reasons under the floor target.',
  'digest-lag-postgres':
    'On PostgreSQL, ingest answers faster than digest can keep up: each envelope costs ~10 statements, each a ' +
    'network round trip awaited in turn inside one transaction per batch, so one node digests a few hundred ' +
    'events/s while ingest takes several times that, and the backlog grows for as long as the load lasts. ' +
    'A second node shares the same two cores (and PostgreSQL), so it adds no digest capacity here. Next: ' +
    'batch the statements of a digest batch (multi-row inserts and upserts: a handful of round trips per ' +
    'batch instead of ~10 per event), and run more than one digest transaction at a time (`FOR UPDATE SKIP ' +
    'LOCKED` already allows it).',
  'idle-rss':
    'Node itself is ~40 MiB here and loading Fastify, Kysely, pg and better-sqlite3 adds ~35 MiB; right ' +
    'after start V8 also holds ~35 MiB of start-up garbage (a heap of 54 MiB with 17 MiB in use) until its ' +
    'idle-time collection, 10-20 s later. Next: load pg only with DATABASE_URL, and the Postgres-only and ' +
    'UI code lazily.',
};
