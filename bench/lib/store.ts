import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { sleep } from './processes.js';

/** The PostgreSQL the tests use too: loopback, trust auth. */
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Counts digested (queryable) events from outside the server, as another client would. */
export type EventCounter = { count(): Promise<number>; close(): Promise<void> };

/** Counts the rows of `table` (events, or spans, logs…) of `project` (every project when none). */
export function sqliteCounter(file: string, table = 'events', project?: number): EventCounter {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  const where = project === undefined ? '' : ` where project_id = ${Number(project)}`;
  const count = db.prepare(`select count(*) from ${table}${where}`).pluck();
  return { count: async () => count.get() as number, close: async () => void db.close() };
}

export async function postgresCounter(url: string): Promise<EventCounter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const count = async () => Number((await client.query('select count(*) as n from events')).rows[0].n);
  return { count, close: () => client.end() };
}

/**
 * Rows of `table` missing for the requests acknowledged with `ids`: each should have stored
 * `rowsPerId` rows whose `column` (event_id, trace_id) is its id. Rows of requests whose answer the
 * load generator never read (in flight when a run ended) are no loss, so they are not counted.
 */
export function missingRows(
  file: string,
  where: { table: string; column: string; project?: number },
  ids: readonly string[],
  rowsPerId: number,
): number {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const filter = where.project === undefined ? '' : ` where project_id = ${Number(where.project)}`;
    const rows = db
      .prepare(
        `select ${where.column} as id, count(*) as n from ${where.table}${filter} group by ${where.column}`,
      )
      .all() as { id: string; n: number }[];
    const stored = new Map(rows.map((r) => [r.id, r.n]));
    return ids.reduce((missing, id) => missing + Math.max(0, rowsPerId - (stored.get(id) ?? 0)), 0);
  } finally {
    db.close();
  }
}

/** Ms until the store holds `expected` events, or null if it did not within `timeoutMs`. */
export async function waitForEvents(counter: EventCounter, expected: number, timeoutMs: number) {
  const started = performance.now();
  while ((await counter.count()) < expected) {
    if (performance.now() - started > timeoutMs) return null;
    await sleep(25);
  }
  return performance.now() - started;
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

const schemas = new Set<string>();

/** A fresh schema and the DATABASE_URL that selects it; `dropSchemas` removes it. */
export async function createSchema(): Promise<string> {
  const name = `errata_bench_${randomBytes(5).toString('hex')}`;
  await sql(`create schema ${name}`);
  schemas.add(name);
  return `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
}

export async function dropSchemas(): Promise<void> {
  for (const name of schemas) {
    await sql(`drop schema if exists ${name} cascade`);
    schemas.delete(name);
  }
}
