import SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Database } from './db.js';

/** Whether a database answers a query within a time limit, without waiting longer than that. */
export interface DatabaseProbe {
  /** Resolves when every database of the node answered; rejects with the first that did not. */
  check(): Promise<void>;
  close(): void;
}

export class ProbeTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

function within<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
  });
  // The query left behind ends by the pool's own query timeout; its failure is not this probe's.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** SQLite: how long the probe sleeps between two tries at the write lock. */
const SQLITE_RETRY_MS = 20;

function isBusy(error: unknown): boolean {
  return String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY');
}

/**
 * A probe of the node's databases. PostgreSQL: `select 1` through the pool, bounded by the
 * timeout. A SQLite file: on a connection of the probe's own, takes the write lock and lets it go
 * (`begin immediate; rollback`, which writes nothing), as ingest's commit needs it. SQLite runs on
 * the calling thread, so the probe never waits in SQLite's busy handler (the server's connections
 * wait up to ten seconds there): it tries again every few milliseconds, between which the thread
 * serves HTTP, until the timeout. It fails while another process holds the write lock (a sqlite3
 * shell, a tool's long transaction) and when the file cannot be read or written.
 */
export function databaseProbe(db: Database, timeoutMs: number): DatabaseProbe {
  let sqlite: SQLite.Database | null = null;
  const sqliteLock = async (file: string) => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        sqlite ??= new SQLite(file, { fileMustExist: true, timeout: 0 });
        sqlite.exec('begin immediate');
        sqlite.exec('rollback');
        return;
      } catch (error) {
        // A connection that saw an I/O error may stay broken: the next try opens a fresh one.
        if (!isBusy(error)) {
          sqlite?.close();
          sqlite = null;
          throw error;
        }
      }
      if (performance.now() + SQLITE_RETRY_MS > deadline) throw new ProbeTimeout(timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, SQLITE_RETRY_MS));
    }
  };
  const ping = async <S>(kysely: Kysely<S>) => {
    await sql`select 1`.execute(kysely);
  };
  return {
    async check() {
      if (db.engine === 'sqlite' && db.file !== null) await sqliteLock(db.file);
      else await within(ping(db.region), timeoutMs);
      if (db.separateControl) await within(ping(db.control), timeoutMs);
    },
    close() {
      (sqlite as SQLite.Database | null)?.close();
      sqlite = null;
    },
  };
}
