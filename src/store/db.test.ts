import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteConnection, WAL_CHECKPOINT_PAGES, WAL_KEEP_BYTES } from './db.js';

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
