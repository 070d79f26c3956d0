import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type LogEvent,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDriver,
} from 'kysely';
import type PgModule from 'pg';
import { SearchPathPostgresDialect } from './pg-introspector.js';
import type { ControlSchema, RegionSchema } from './schema.js';

/**
 * The pg driver, loaded the first time a PostgreSQL database is opened: a SQLite server never
 * loads it (a few MiB of idle RSS).
 */
let pgModule: typeof PgModule | undefined;
function loadPg(): typeof PgModule {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof PgModule;
    // PostgreSQL returns BIGINT as text; every BIGINT here (ids, epoch milliseconds, counters) fits in a double.
    pgModule.types.setTypeParser(pgModule.types.builtins.INT8, (value) => Number(value));
  }
  return pgModule;
}

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
 * The two stores a node reads: the control store (users, tokens, the organization→region map) and
 * its region's store (everything inside an organization). On a one-region install both are one
 * database; with several regions the control store is a database of its own that every region
 * shares, and `control` is a second connection to it.
 */
export interface Database {
  /** The region database's engine. */
  readonly engine: Engine;
  /** The control database's engine (the region's when they are one). */
  readonly controlEngine: Engine;
  /** False when the control store is the region database itself. */
  readonly separateControl: boolean;
  /** The SQLite file (null for PostgreSQL and for `:memory:`), for a second connection of the same process. */
  readonly file: string | null;
  /** How it was opened: another thread opens its own connection to the same database with it. */
  readonly target: DatabaseTarget;
  readonly control: Kysely<ControlSchema>;
  readonly region: Kysely<RegionSchema>;
  /** Reports each query's time on this process's connections (for metrics). */
  readonly timing: QueryTiming;
  destroy(): Promise<void>;
}

/** Called with each query's time in milliseconds, and whether it failed. */
export type QueryListener = (durationMs: number, failed: boolean) => void;

/**
 * Where a connection reports its queries' times: Kysely's log, which measures each query when a
 * log function is set. No listener until metrics attach one.
 */
export class QueryTiming {
  listener: QueryListener | null = null;
  readonly log = (event: LogEvent): void => {
    this.listener?.(event.queryDurationMillis, event.level === 'error');
  };
}

/** Statements kept per connection; SQL whose text varies (IN lists) would otherwise grow it forever. */
export const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares every query it runs, and ingest and digest run the same few
 * queries thousands of times a second: keep each prepared statement and reuse it.
 * Safe because the driver runs one query at a time and never streams (`iterate`) here. When full,
 * the statement used least recently goes, so the busiest ones are never prepared again.
 */
export function withStatementCache(sqlite: Pick<SQLite.Database, 'prepare' | 'close'>): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        // Map keeps insertion order: moved to the end, the first key is the least recently used.
        statements.delete(sql);
      } else {
        if (statements.size >= MAX_CACHED_STATEMENTS)
          statements.delete(statements.keys().next().value as string);
        statement = sqlite.prepare(sql);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE: they take the write lock up front, waiting for it
 * under busy_timeout. A deferred transaction that reads first and writes later fails at once with
 * SQLITE_BUSY when another connection (the ingest thread) committed in between.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/**
 * The WAL is copied back into the database once it holds this many pages (SQLite's default is
 * 1,000). Under ingest, raw envelopes are written, digested and deleted within milliseconds and
 * their pages reused, so between two checkpoints the same pages are written many times but copied
 * back once: fewer bytes written per event, and shorter digest commits. The WAL grows to tens of
 * MB under load.
 */
export const WAL_CHECKPOINT_PAGES = 10_000;
/** What is left of the WAL file after a checkpoint has emptied it (bytes); it is truncated to this. */
export const WAL_KEEP_BYTES = 16 * 1024 * 1024;

/**
 * Makes the database's directory (when it creates it) and files readable by their owner only:
 * they hold password hashes, tokens' hashes and every event. SQLite gives the WAL and its index
 * the database file's permissions when it creates them; files from an older start are tightened.
 */
function ownerOnly(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(each)) chmodSync(each, 0o600);
  }
}

export interface SqliteConnection {
  /** The driver itself, for the few synchronous writes of the ingest thread. */
  readonly sqlite: SQLite.Database;
  readonly kysely: Kysely<ControlSchema & RegionSchema>;
}

/**
 * One SQLite connection. `synchronous` FULL (the default) puts every commit on disk before it
 * returns, so nothing acknowledged is lost even on power failure; NORMAL leaves the WAL's fsync to
 * the next FULL commit or checkpoint, for writes that can be redone (digest, whose commit also
 * deletes the raw rows it digested: if it is lost, they are digested again).
 */
export function openSqliteConnection(
  file: string,
  synchronous: 'FULL' | 'NORMAL' = 'FULL',
  timing?: QueryTiming,
): SqliteConnection {
  const empty = file === ':memory:' || !existsSync(file) || statSync(file).size === 0;
  if (file !== ':memory:') ownerOnly(file);
  const sqlite = new SQLite(file);
  // Only a file with no tables yet can take it (and on another, setting it waits for the write
  // lock): pages freed by deletes can then be given back (retention's incremental vacuum). Older
  // files switch once, at migration.
  if (empty) sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
  sqlite.pragma('foreign_keys = ON');
  const kysely = new Kysely<ControlSchema & RegionSchema>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
    ...(timing ? { log: timing.log } : {}),
  });
  return { sqlite, kysely };
}

function openPostgres(
  target: Extract<DatabaseTarget, { engine: 'postgres' }>,
  timing: QueryTiming,
): Kysely<ControlSchema & RegionSchema> {
  const pool = new (loadPg().Pool)({
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
  // instead, and the pool drops the broken client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely({ dialect: new SearchPathPostgresDialect({ pool }), log: timing.log });
}

function connect(target: DatabaseTarget, timing: QueryTiming): Kysely<ControlSchema & RegionSchema> {
  return target.engine === 'sqlite'
    ? openSqliteConnection(target.file, 'FULL', timing).kysely
    : openPostgres(target, timing);
}

/**
 * Opens a region database, and the control database when it is another one. Nothing is queried
 * yet: call `migrateToLatest` (store/migrate.ts) before use.
 */
export function openDatabase(target: DatabaseTarget, controlTarget?: DatabaseTarget): Database {
  const timing = new QueryTiming();
  const kysely = connect(target, timing);
  const control = controlTarget ? connect(controlTarget, timing) : kysely;
  return {
    engine: target.engine,
    controlEngine: controlTarget?.engine ?? target.engine,
    separateControl: controlTarget !== undefined,
    file: target.engine === 'sqlite' && target.file !== ':memory:' ? target.file : null,
    target,
    control: control as unknown as Kysely<ControlSchema>,
    region: kysely as unknown as Kysely<RegionSchema>,
    timing,
    destroy: async () => {
      await Promise.all([kysely.destroy(), control === kysely ? undefined : control.destroy()]);
    },
  };
}
