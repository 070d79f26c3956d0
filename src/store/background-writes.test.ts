import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backgroundWrites, retryWhileBusy } from './background-writes.js';
import { openDatabase, openSqliteConnection } from './db.js';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('background writes on a SQLite file', () => {
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'errata-bg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A database with one table, and a second connection (another thread's, in production) to hold its write lock. */
  function setup(name: string) {
    const file = path.join(dir, `${name}.sqlite`);
    const db = openDatabase({ engine: 'sqlite', file });
    const holder = openSqliteConnection(file);
    holder.sqlite.exec('create table t (x integer)');
    return { db, holder, writes: backgroundWrites(db) };
  }

  it('waits for a write lock another connection holds without stopping this thread, then writes', async () => {
    const { db, holder, writes } = setup('waits');
    try {
      holder.sqlite.exec('begin immediate');
      const written = writes.run(async (region) => {
        await sql`insert into t values (1)`.execute(region);
        return 'done';
      });
      // Timers still fire on time while the write waits: SQLite's own wait would sleep in this thread
      // (and, the lock's holder being this thread too, never end).
      const started = performance.now();
      let ticks = 0;
      while (performance.now() - started < 150) {
        await pause(5);
        ticks++;
      }
      expect(ticks).toBeGreaterThan(5);
      expect(holder.sqlite.prepare('select count(*) from t').pluck().get()).toBe(0);
      holder.sqlite.exec('commit');
      await expect(written).resolves.toBe('done');
      expect(holder.sqlite.prepare('select count(*) from t').pluck().get()).toBe(1);
    } finally {
      await writes.close();
      await holder.kysely.destroy();
      await db.destroy();
    }
  });

  it('runs a transaction again from its start when the lock was taken', async () => {
    const { db, holder, writes } = setup('transaction');
    try {
      holder.sqlite.exec('begin immediate');
      let starts = 0;
      const written = writes.run((region) =>
        region.transaction().execute(async (trx) => {
          starts++;
          await sql`insert into t values (1)`.execute(trx);
          await sql`insert into t values (2)`.execute(trx);
        }),
      );
      await pause(50);
      holder.sqlite.exec('commit');
      await written;
      expect(starts).toBe(1);
      expect(holder.sqlite.prepare('select count(*) from t').pluck().get()).toBe(2);
    } finally {
      await writes.close();
      await holder.kysely.destroy();
      await db.destroy();
    }
  });

  it('gives up with SQLITE_BUSY once its deadline has passed, and passes other errors on at once', async () => {
    let tries = 0;
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    await expect(
      retryWhileBusy(async () => {
        tries++;
        throw busy;
      }, 60),
    ).rejects.toBe(busy);
    expect(tries).toBeGreaterThan(2);

    tries = 0;
    const other = Object.assign(new Error('no such table: u'), { code: 'SQLITE_ERROR' });
    await expect(
      retryWhileBusy(async () => {
        tries++;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(tries).toBe(1);
  });

  it('runs on the driver itself, and for redoable writes neither flushes at commit nor checkpoints', async () => {
    const { db, holder } = setup('redoable');
    const plain = backgroundWrites(db);
    const redoable = backgroundWrites(db, { redoable: true });
    try {
      const settings = (sqlite: Parameters<Parameters<typeof plain.runSqlite>[0]>[0]) => ({
        synchronous: sqlite.pragma('synchronous', { simple: true }),
        autocheckpoint: sqlite.pragma('wal_autocheckpoint', { simple: true }),
      });
      // FULL is 2, NORMAL 1 (SQLite's numbers).
      expect(await plain.runSqlite(settings)).toEqual({ synchronous: 2, autocheckpoint: 10_000 });
      expect(await redoable.runSqlite(settings)).toEqual({ synchronous: 1, autocheckpoint: 0 });
      // Tried again while the lock is taken, as `run` is.
      holder.sqlite.exec('begin immediate');
      const written = redoable.runSqlite(
        (sqlite) => sqlite.prepare('insert into t values (2)').run().changes,
      );
      await pause(30);
      holder.sqlite.exec('commit');
      expect(await written).toBe(1);
    } finally {
      await plain.close();
      await redoable.close();
      holder.sqlite.close();
      await db.destroy();
    }
  });

  it('writes on the database connection itself for SQLite in memory', async () => {
    const db = openDatabase({ engine: 'sqlite', file: ':memory:' });
    const writes = backgroundWrites(db);
    try {
      await sql`create table t (x integer)`.execute(db.region);
      await writes.run((region) => sql`insert into t values (1)`.execute(region));
      const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(db.region);
      expect(rows.rows[0]?.n).toBe(1);
    } finally {
      await writes.close();
      await db.destroy();
    }
  });
});
