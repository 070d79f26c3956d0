import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { type Database, type Engine, openSqliteConnection, type SqliteConnection } from './db.js';
import type { RegionSchema } from './schema.js';

/**
 * Where the HTTP thread writes in the background (the notification outbox's claims and outcomes)
 * without stopping requests. On a SQLite file the writer thread holds the one write lock for each
 * commit and digest batch, and SQLite's own wait for it (busy_timeout) sleeps inside the call: on
 * the HTTP thread that would hold back every request for as long as the writer thread's
 * transaction lasts. These writes go through a connection of their own that never waits inside
 * SQLite: a write that finds the lock taken fails at once, and is tried again on a timer.
 * PostgreSQL, and SQLite in memory (one connection, no writer thread), write as usual.
 */
export interface BackgroundWrites {
  readonly engine: Engine;
  /**
   * Runs `op` (a statement or a transaction) and resolves with its result; on a SQLite file it is
   * run again while the write lock is taken, for up to `BUSY_DEADLINE_MS`.
   */
  run<T>(op: (db: Kysely<RegionSchema>) => Promise<T>): Promise<T>;
  /**
   * On a SQLite file, runs `op` on the connection's driver itself, again while the write lock is
   * taken, for the statements Kysely cannot run to their end (better-sqlite3 steps a statement
   * that returns no rows once, and `pragma incremental_vacuum` frees one page per step); null
   * elsewhere.
   */
  runSqlite<T>(op: (sqlite: SQLite.Database) => T): Promise<T | null>;
  /** Closes the connection of its own, if it opened one; a later `run` opens it again. */
  close(): Promise<void>;
}

/** How long a background write keeps trying for the write lock: as long as SQLite's busy_timeout. */
export const BUSY_DEADLINE_MS = 10_000;
/** The longest wait between two tries: the writer thread's commits take milliseconds each. */
const MAX_PAUSE_MS = 20;

export function isSqliteBusy(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code?.toString().startsWith('SQLITE_BUSY') === true;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `op` until it does not fail with SQLITE_BUSY, pausing between tries on a timer. */
export async function retryWhileBusy<T>(op: () => Promise<T>, deadlineMs = BUSY_DEADLINE_MS): Promise<T> {
  const started = Date.now();
  for (let pauseMs = 1; ; pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2)) {
    try {
      return await op();
    } catch (error) {
      if (!isSqliteBusy(error) || Date.now() - started >= deadlineMs) throw error;
    }
    // Jittered, so that two waiting writers do not retry in step.
    await pause(pauseMs * (0.5 + Math.random()));
  }
}

/** How a background connection writes on a SQLite file. */
export interface BackgroundWriteOptions {
  /**
   * Writes that a later run does again if a power failure loses them (retention's deletes): their
   * commits skip the fsync (`synchronous = NORMAL`, as digest's), and the connection leaves WAL
   * checkpoints to the writer thread, so that neither the disk's flushes nor copying the WAL back
   * happen on the thread that calls. Default false: every commit is on disk when it returns.
   */
  readonly redoable?: boolean;
}

export function backgroundWrites(db: Database, options: BackgroundWriteOptions = {}): BackgroundWrites {
  const file = db.file;
  if (db.engine !== 'sqlite' || file === null) {
    return {
      engine: db.engine,
      run: (op) => op(db.region),
      runSqlite: async () => null,
      close: async () => {},
    };
  }
  let connection: SqliteConnection | null = null;
  const open = (): SqliteConnection => {
    const opened = openSqliteConnection(file, options.redoable ? 'NORMAL' : 'FULL');
    opened.sqlite.pragma('busy_timeout = 0');
    if (options.redoable) opened.sqlite.pragma('wal_autocheckpoint = 0');
    return opened;
  };
  return {
    engine: 'sqlite',
    run(op) {
      connection ??= open();
      const region = connection.kysely as unknown as Kysely<RegionSchema>;
      return retryWhileBusy(() => op(region));
    },
    runSqlite(op) {
      connection ??= open();
      const { sqlite } = connection;
      return retryWhileBusy(async () => op(sqlite));
    },
    async close() {
      const closing = connection;
      connection = null;
      await closing?.kysely.destroy();
    },
  };
}
