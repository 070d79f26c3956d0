import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_CACHED_STATEMENTS,
  openSqliteConnection,
  WAL_CHECKPOINT_PAGES,
  WAL_KEEP_BYTES,
  withStatementCache,
} from './db.js';

describe('a SQLite connection', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errata-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['FULL', 2],
    ['NORMAL', 1],
  ] as const)(
    'runs in WAL mode at synchronous = %s, checkpointing every 10,000 pages',
    async (level, code) => {
      const { sqlite, kysely } = openSqliteConnection(path.join(dir, `${level}.sqlite`), level);
      try {
        const pragma = (name: string) => sqlite.pragma(name, { simple: true });
        expect(pragma('journal_mode')).toBe('wal');
        expect(pragma('synchronous')).toBe(code);
        expect(pragma('wal_autocheckpoint')).toBe(WAL_CHECKPOINT_PAGES);
        expect(WAL_CHECKPOINT_PAGES).toBe(10_000);
        expect(pragma('journal_size_limit')).toBe(WAL_KEEP_BYTES);
        expect(pragma('foreign_keys')).toBe(1);
      } finally {
        await kysely.destroy();
      }
    },
  );
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
