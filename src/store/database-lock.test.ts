import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseLocked, lockDatabase } from './database-lock.js';

// The install's lock, within one process (SQLite keeps the operating system's per-process locks
// apart per connection); across processes `errata serve` against `errata restore` is in
// test/e2e/backup.test.ts. SQLite only: PostgreSQL installs have no data directory to lock.

describe('the lock of a SQLite install', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'errata-lock-'));
  const file = path.join(dir, 'data', 'errata.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets several users share it, and a restore in only once they are gone', () => {
    const first = lockDatabase(file, 'shared');
    const second = lockDatabase(file, 'shared');
    expect(() => lockDatabase(file, 'exclusive')).toThrow(DatabaseLocked);
    expect(() => lockDatabase(file, 'exclusive')).toThrow(/is in use: stop every errata process/);
    first.release();
    expect(() => lockDatabase(file, 'exclusive')).toThrow(DatabaseLocked);
    second.release();
    const restore = lockDatabase(file, 'exclusive');
    expect(() => lockDatabase(file, 'shared')).toThrow(/is being restored/);
    restore.release();
    lockDatabase(file, 'shared').release();
  });
});
