import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { sleep } from './processes.js';

/** The PostgreSQL the tests use too: loopback, trust auth. */
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Counts digested (queryable) events from outside the server, as another client would; `countOf`,
 * when the counter knows the id column, only the rows of requests with these ids.
 */
export type EventCounter = {
  count(): Promise<number>;
  countOf?(ids: readonly string[]): Promise<number>;
  close(): Promise<void>;
};

/** SQLite's default limit on a statement's parameters is 32,766. */
const IDS_PER_QUERY = 10_000;

/**
 * Counts the rows of `table` (events, or spans, logs…) of `project` (every project when none);
 * with `idColumn` (event_id, trace_id), also those whose column is one of a list of ids.
 */
export function sqliteCounter(
  file: string,
  table = 'events',
  options: { project?: number; idColumn?: string } = {},
): EventCounter {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  const terms = options.project === undefined ? [] : [`project_id = ${Number(options.project)}`];
  const where = (more: string[]) => (more.length > 0 ? ` where ${more.join(' and ')}` : '');
  const count = db.prepare(`select count(*) from ${table}${where(terms)}`).pluck();
  const { idColumn } = options;
  const countOf = async (ids: readonly string[]) => {
    let n = 0;
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      const list = `${idColumn} in (${chunk.map(() => '?').join(', ')})`;
      n += db
        .prepare(`select count(*) from ${table}${where([...terms, list])}`)
        .pluck()
        .get(...chunk) as number;
    }
    return n;
  };
  return {
    count: async () => count.get() as number,
    ...(idColumn ? { countOf } : {}),
    close: async () => void db.close(),
  };
}

export async function postgresCounter(url: string): Promise<EventCounter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const count = async () => Number((await client.query('select count(*) as n from events')).rows[0].n);
  return { count, close: () => client.end() };
}

/** Ms until the store holds `expected` events, or null if it did not within `timeoutMs`. */
export async function waitForEvents(
  counter: Pick<EventCounter, 'count'>,
  expected: number,
  timeoutMs: number,
) {
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
