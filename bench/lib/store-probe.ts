import SQLite from 'better-sqlite3';
import pg from 'pg';

/** Row counts that tell whether digest has caught up with what ingest acknowledged. */
export interface StoreCounts {
  /** Digested events (queryable through the API). */
  readonly events: number;
  readonly issues: number;
  /** Raw envelopes still waiting for digest. */
  readonly waiting: number;
}

/** Reads the counts of a store from outside the server, as another client would. */
export interface StoreProbe {
  counts(): Promise<StoreCounts>;
  close(): Promise<void>;
}

const COUNTS = `select
  (select count(*) from events) as events,
  (select count(*) from issues) as issues,
  (select count(*) from raw_envelopes where digest_error is null) as waiting`;

/** A read-only connection to the SQLite file of a data directory. */
export function sqliteProbe(file: string): StoreProbe {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const statement = db.prepare(COUNTS);
  return {
    counts: async () => {
      const row = statement.get() as { events: number; issues: number; waiting: number };
      return { events: Number(row.events), issues: Number(row.issues), waiting: Number(row.waiting) };
    },
    close: async () => {
      db.close();
    },
  };
}

/** One connection to a PostgreSQL schema. */
export async function postgresProbe(url: string): Promise<StoreProbe> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    counts: async () => {
      const row = (await client.query(COUNTS)).rows[0] as Record<string, string>;
      return { events: Number(row.events), issues: Number(row.issues), waiting: Number(row.waiting) };
    },
    close: () => client.end(),
  };
}

export interface DigestWait {
  /** Milliseconds from the end of the load until every acknowledged event was queryable; null if it never was. */
  readonly lagMs: number | null;
  readonly counts: StoreCounts;
}

/** Polls until the store holds `expectedEvents` events (and nothing waits), or `timeoutMs` passes. */
export async function waitForDigest(
  probe: StoreProbe,
  expectedEvents: number,
  loadEndedAt: number,
  timeoutMs: number,
): Promise<DigestWait> {
  for (;;) {
    const counts = await probe.counts();
    const now = performance.now();
    if (counts.events >= expectedEvents && counts.waiting === 0) return { lagMs: now - loadEndedAt, counts };
    if (now - loadEndedAt > timeoutMs) return { lagMs: null, counts };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
