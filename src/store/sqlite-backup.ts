import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { type DatabaseLock, DatabaseLocked, lockDatabase } from './database-lock.js';

/** A backup or restore that cannot go ahead; the message says why and what to do. */
export class BackupRefused extends Error {}

function fsyncPath(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** An empty file only its owner can read: the copy holds password hashes, token hashes and every event. */
function createPrivate(file: string): void {
  closeSync(openSync(file, 'wx', 0o600));
}

/** Checks that a file is a whole SQLite database of Errata's; throws BackupRefused when not. */
export function verifyErrataDatabase(file: string): void {
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupRefused(`${file} cannot be opened as a SQLite database: ${(error as Error).message}`);
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupRefused(`${file} is damaged: ${String(check)}`);
    const table = db
      .prepare("select name from sqlite_master where type = 'table' and name = 'errata_region_migrations'")
      .get();
    if (!table) throw new BackupRefused(`${file} is not an Errata database (it has no migration table)`);
  } catch (error) {
    if (error instanceof BackupRefused) throw error;
    throw new BackupRefused(`${file} cannot be read as a SQLite database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

/**
 * Writes a consistent copy of a SQLite database to `destination` while other connections (a
 * serving Errata) read and write it. `VACUUM INTO` copies within one read transaction, a snapshot
 * that writers in WAL mode never block nor restart (the online backup API starts over whenever
 * another connection writes, which under steady ingest may be forever). The copy is written beside
 * its destination, checked, put on disk, then renamed into place: a destination that exists is one
 * whole backup, never half of one.
 */
export function backupSqlite(source: string, destination: string): { bytes: number } {
  if (!existsSync(source)) throw new BackupRefused(`there is no database at ${source}`);
  if (existsSync(destination)) throw new BackupRefused(`${destination} exists already; choose a new file`);
  const partial = path.join(
    path.dirname(destination),
    `.${path.basename(destination)}.partial-${process.pid}`,
  );
  createPrivate(partial);
  try {
    const db = new SQLite(source, { fileMustExist: true, timeout: 10_000 });
    try {
      db.prepare('vacuum into ?').run(partial);
    } finally {
      db.close();
    }
    verifyErrataDatabase(partial);
    fsyncPath(partial);
    renameSync(partial, destination);
    fsyncPath(path.dirname(destination));
    return { bytes: statSync(destination).size };
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * Puts a backup in place of the database `target` of a stopped install. The backup is checked
 * and copied beside the target first; the database it replaces (with its WAL) is kept beside it,
 * renamed, and its name returned. Refuses while any Errata process has the database open: it holds
 * the install's lock (store/database-lock.ts) exclusively from start to end, so none starts
 * meanwhile either.
 */
export function restoreSqlite(backup: string, target: string): { replaced: string | null } {
  verifyErrataDatabase(backup);
  let lock: DatabaseLock;
  try {
    lock = lockDatabase(target, 'exclusive');
  } catch (error) {
    if (error instanceof DatabaseLocked) throw new BackupRefused(error.message);
    throw error;
  }
  try {
    return replaceWith(backup, target);
  } finally {
    lock.release();
  }
}

function replaceWith(backup: string, target: string): { replaced: string | null } {
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.restore-${process.pid}`);
  createPrivate(partial);
  try {
    // A copy through SQLite (not of the bytes): a backup taken of a WAL database may not carry
    // its last pages in the main file alone.
    const from = new SQLite(backup, { readonly: true, fileMustExist: true });
    try {
      from.prepare('vacuum into ?').run(partial);
    } finally {
      from.close();
    }
    fsyncPath(partial);
    let replaced: string | null = null;
    if (existsSync(target)) {
      replaced = `${target}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, replaced);
      // A WAL left by a process that did not close belongs to the old database, not to the backup.
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${replaced}${suffix}`);
      }
    }
    renameSync(partial, target);
    fsyncPath(path.dirname(target));
    return { replaced };
  } finally {
    rmSync(partial, { force: true });
  }
}
