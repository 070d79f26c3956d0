import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { ControlSchema, RegionSchema } from './schema.js';

// PostgreSQL returns BIGINT as text; every BIGINT here (ids, epoch milliseconds, counters) fits in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Engine = 'sqlite' | 'postgres';

/** How to reach one database: a SQLite file (or ':memory:') or a PostgreSQL URL, optionally inside one schema. */
export type DatabaseTarget =
  | { engine: 'sqlite'; file: string }
  | {
      engine: 'postgres';
      url: string;
      schema?: string;
      poolMax?: number;
      connectTimeoutMs?: number;
      queryTimeoutMs?: number;
    };

/**
 * One open database holding both stores. The control store (users, tokens, the organization→region
 * map) and a region store (everything inside an organization) are typed separately so that a
 * region can move to a database of its own without touching the repositories.
 */
export interface Database {
  readonly engine: Engine;
  readonly control: Kysely<ControlSchema>;
  readonly region: Kysely<RegionSchema>;
  destroy(): Promise<void>;
}

/** Statements kept per connection; SQL whose text varies (multi-row inserts) would otherwise grow it forever. */
const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares every query it runs, and ingest and digest run the same few
 * queries thousands of times a second: keep each prepared statement and reuse it (issue #6).
 * Safe because the driver runs one query at a time and never streams (`iterate`) here.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

function openSqlite(file: string): Kysely<ControlSchema & RegionSchema> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer, so nothing acknowledged is lost even on power failure.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

function openPostgres(
  target: Extract<DatabaseTarget, { engine: 'postgres' }>,
): Kysely<ControlSchema & RegionSchema> {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolMax ?? 10,
    connectionTimeoutMillis: target.connectTimeoutMs ?? 5000,
    query_timeout: target.queryTimeoutMs ?? 15_000,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; the next query reconnects.
  pool.on('error', () => {});
  // A checked-out client (in a transaction, between statements) has no listener of the pool's: an
  // error there (backend terminated, connection cut) would crash the process. Its query fails
  // instead, and the pool drops the broken client on release (issue #5).
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely({ dialect: new PostgresDialect({ pool }) });
}

/** Opens a database. Nothing is queried yet: call `migrateToLatest` (store/migrate.ts) before use. */
export function openDatabase(target: DatabaseTarget): Database {
  const kysely = target.engine === 'sqlite' ? openSqlite(target.file) : openPostgres(target);
  return {
    engine: target.engine,
    control: kysely as unknown as Kysely<ControlSchema>,
    region: kysely as unknown as Kysely<RegionSchema>,
    destroy: () => kysely.destroy(),
  };
}
