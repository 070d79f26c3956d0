import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';

/** The database is held the other way: in use by a process while a restore waits, or the reverse. */
export class DatabaseLocked extends Error {}

/** A lock on a SQLite install, held until released or until the process ends. */
export interface DatabaseLock {
  release(): void;
}

/** The lock file of a database file: beside it, named after it. */
export function lockFileOf(file: string): string {
  return `${file}.lock`;
}

/**
 * Locks a SQLite install: `shared` for every process that uses its database (`errata serve`, the
 * commands), `exclusive` for `errata restore`, which must be alone. SQLite's own locks on the
 * database cannot tell: in WAL mode an idle connection holds none that an exclusive-mode
 * connection would wait for. So the lock is a file of its own, an empty SQLite database that each
 * process opens in exclusive locking mode: a read takes a shared lock and a `begin exclusive` an
 * exclusive one, both kept until the connection closes. They are the operating system's advisory
 * locks, gone when the process ends however it ends, so a crash never leaves a stale lock.
 */
export function lockDatabase(file: string, mode: 'shared' | 'exclusive'): DatabaseLock {
  const lockFile = lockFileOf(file);
  mkdirSync(path.dirname(lockFile), { recursive: true, mode: 0o700 });
  closeSync(openSync(lockFile, 'a', 0o600));
  // Shared: processes starting together each take it at once, but may meet in SQLite's lock steps.
  const lock = new SQLite(lockFile, { timeout: mode === 'shared' ? 2000 : 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    if (mode === 'shared') lock.prepare('select count(*) from sqlite_master').get();
    else lock.exec('begin exclusive');
  } catch (error) {
    lock.close();
    if (!String((error as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY')) throw error;
    throw new DatabaseLocked(
      mode === 'shared'
        ? `the database ${file} is being restored (errata restore holds ${lockFile}); start again once it is done`
        : `the database ${file} is in use: stop every errata process on this data directory first`,
    );
  }
  return {
    release() {
      if (lock.inTransaction) lock.exec('rollback');
      lock.close();
    },
  };
}
