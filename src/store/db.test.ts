import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_CACHED_STATEMENTS,
  openSqliteConnection,
  WAL_CHECKPOINT_PAGES,
  withStatementCache,
} from './db.js';

describe('a SQLite connection', () => {
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'errata-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['FULL', 2],
    ['NORMAL', 1],
  ] as const)('runs in WAL mode at synchronous = %s', async (level, code) => {
    const file = path.join(dir, `${level}.sqlite`);
    const { sqlite, kysely } = openSqliteConnection(file, level);
    try {
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('synchronous', { simple: true })).toBe(code);
      sqlite.exec('create table t (x)');
      expect(existsSync(`${file}-wal`)).toBe(true);
    } finally {
      await kysely.destroy();
    }
  });

  it('enforces foreign keys', async () => {
    const { sqlite, kysely } = openSqliteConnection(path.join(dir, 'fk.sqlite'));
    try {
      sqlite.exec(
        'create table parent (id integer primary key); create table child (parent_id references parent (id))',
      );
      expect(() => sqlite.exec('insert into child values (42)')).toThrow(/FOREIGN KEY constraint failed/);
    } finally {
      await kysely.destroy();
    }
  });

  it('copies the WAL back into the database as it grows, so that it stays bounded', async () => {
    // Small pages make the checkpoint threshold a few megabytes rather than tens.
    const file = path.join(dir, 'wal.sqlite');
    const setup = new SQLite(file);
    setup.pragma('page_size = 512');
    setup.exec('create table t (x blob)');
    setup.close();
    const { sqlite, kysely } = openSqliteConnection(file, 'NORMAL');
    try {
      const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
      expect(pageSize).toBe(512);
      const perTransaction = 200;
      const insert = sqlite.prepare('insert into t values (zeroblob(400))');
      const transaction = sqlite.transaction(() => {
        for (let i = 0; i < perTransaction; i++) insert.run();
      });
      // Rows for twice the checkpoint threshold: at least one checkpoint must have run.
      let largestWal = 0;
      for (let written = 0; written < 2 * WAL_CHECKPOINT_PAGES; written += perTransaction) {
        transaction();
        largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
      }
      // One transaction's pages (with their frame headers and the index's) past the threshold at most.
      expect(largestWal).toBeLessThanOrEqual((WAL_CHECKPOINT_PAGES + 2 * perTransaction) * (pageSize + 24));
      expect(statSync(file).size).toBeGreaterThan(WAL_CHECKPOINT_PAGES * pageSize);
    } finally {
      await kysely.destroy();
    }
  });
});

describe('the prepared statement cache', () => {
  it('keeps the statements in use when full, and lets the least recently used go', () => {
    const prepared: string[] = [];
    const cache = withStatementCache({
      prepare: ((sql: string) => {
        prepared.push(sql);
        return { sql };
      }) as unknown as SQLite.Database['prepare'],
      close: () => ({}) as SQLite.Database,
    });
    const hot = cache.prepare('select 1');
    for (let i = 0; i < MAX_CACHED_STATEMENTS * 2; i++) {
      cache.prepare(`select ${i + 2}`);
      expect(cache.prepare('select 1')).toBe(hot);
    }
    expect(prepared.filter((sql) => sql === 'select 1')).toHaveLength(1);
    // The oldest of the others went; the newest is still there.
    const before = prepared.length;
    cache.prepare('select 2');
    expect(prepared.length).toBe(before + 1);
    cache.prepare(`select ${MAX_CACHED_STATEMENTS * 2 + 1}`);
    expect(prepared.length).toBe(before + 1);
  });
});
