/** The targets of issue #6 on this 2-core machine, in one place. */
export const TARGETS = {
  /** Errata's ingest on SQLite, as a share of the floor's requests/s at the same concurrency. */
  floorShare: 0.25,
  /** Errata's ingest over the peer's, at the same concurrency. */
  peerRatio: 10,
  /** Events per second ingested and digested (every acknowledged event queryable). */
  eventsPerSecond: 10_000,
  /** p99 ingest latency at half `eventsPerSecond`, milliseconds. */
  p99AtHalfRateMs: 50,
  /** From the end of a load until every acknowledged event is queryable, milliseconds. */
  digestLagMs: 2_000,
  idleRssMb: 80,
  startupMs: 1_000,
  peakRssMb: 400,
  /** Median of the issue list's first page on the 1,000,000-event store, milliseconds. */
  issueListMedianMs: 30,
  /** p99 of `GET /api/0/` while a tag-heavy issue's tags/ and slow-body clients load the server, milliseconds. */
  probeUnderAbuseP99Ms: 100,
} as const;
