import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the bench uses (loopback, trust auth), as CI's. */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own on the bench's PostgreSQL, and the DATABASE_URL that selects it. */
export interface BenchSchema {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function run(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const row = (await client.query('show server_version')).rows[0] as { server_version: string };
    return row.server_version;
  } finally {
    await client.end();
  }
}

const created = new Set<string>();

/** Creates `errata_bench_<random>`; `drop` removes it with everything in it. */
export async function createSchema(): Promise<BenchSchema> {
  const name = `errata_bench_${randomBytes(5).toString('hex')}`;
  await run(`create schema ${name}`);
  created.add(name);
  return {
    name,
    url: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${name}`)}`,
    async drop() {
      await run(`drop schema if exists ${name} cascade`);
      created.delete(name);
    },
  };
}

/** Drops every schema this bench created and has not dropped yet (an interrupted run). */
export async function dropSchemas(): Promise<void> {
  for (const name of [...created]) {
    await run(`drop schema if exists ${name} cascade`).catch(() => {});
    created.delete(name);
  }
}
