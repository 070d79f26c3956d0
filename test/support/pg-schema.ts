import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_POSTGRES_URL } from './engines.js';

/** An empty schema of its own on the test PostgreSQL, for `errata serve` processes to share. */
export interface PgSchema {
  readonly name: string;
  /**
   * A DATABASE_URL that selects the schema with libpq's `options` (as operators do), optionally
   * through another host:port (a proxy) and with an application_name to find its backends by.
   */
  url(options?: { port?: number; applicationName?: string }): string;
  /** A plain client on the schema (the caller ends it). */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/** Runs `work` with a client on the test PostgreSQL's own database (creating and dropping schemas or databases). */
export async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createPgSchema(prefix: string): Promise<PgSchema> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE SCHEMA ${name}`));
  const url = (options: { port?: number; applicationName?: string } = {}) => {
    const parsed = new URL(TEST_POSTGRES_URL);
    if (options.port !== undefined) parsed.port = String(options.port);
    parsed.searchParams.set('options', `-c search_path=${name}`);
    if (options.applicationName) parsed.searchParams.set('application_name', options.applicationName);
    return parsed.toString();
  };
  return {
    name,
    url,
    async connect() {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      return client;
    },
    async drop() {
      await admin(async (client) => {
        // Backends a killed process left behind would otherwise hold locks on the schema's tables.
        await client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where pid <> pg_backend_pid() and application_name like $1`,
          [`${name}%`],
        );
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      });
    },
  };
}
