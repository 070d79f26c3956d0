import type SQLite from 'better-sqlite3';

/**
 * Gives up to `pages` free pages of a SQLite file (incremental auto-vacuum) back to the file
 * system and returns how many free pages are left; null for a file without incremental
 * auto-vacuum, which frees none. The file itself shrinks at the next WAL checkpoint.
 */
export function freeSqlitePages(sqlite: SQLite.Database, pages: number): number | null {
  if (sqlite.pragma('auto_vacuum', { simple: true }) !== 2) return null;
  // pragma() steps the statement to its end: each step frees one page.
  sqlite.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
  return countFreeSqlitePages(sqlite);
}

/** Free pages of a SQLite file: what deletes left for `freeSqlitePages` to give back. */
export function countFreeSqlitePages(sqlite: SQLite.Database): number {
  return sqlite.pragma('freelist_count', { simple: true }) as number;
}

/** Copies what the WAL holds back into the file without waiting for readers or writers (it may do less). */
export function checkpointSqlite(sqlite: SQLite.Database): void {
  sqlite.pragma('wal_checkpoint(passive)');
}
