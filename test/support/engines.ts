import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Engine } from '../../src/store/db.js';
import { type Database, openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';

const KNOWN_ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/**
 * Reads an engine list such as `sqlite,postgres`. An unknown name throws: dropped silently, a typo
 * (`postgresql`) would run SQLite alone and show the PostgreSQL suites as skipped, not failed.
 */
export function parseTestEngines(value: string | undefined): readonly Engine[] {
  const names = (value ?? 'sqlite')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((s) => !(KNOWN_ENGINES as readonly string[]).includes(s));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `ERRATA_TEST_ENGINES=${JSON.stringify(value)}: ${unknown.length > 0 ? `unknown engine ${unknown.map((s) => JSON.stringify(s)).join(', ')}` : 'no engine named'}; use a comma-separated list of ${KNOWN_ENGINES.join(', ')}`,
    );
  }
  return [...new Set(names as Engine[])];
}

/**
 * Engines the suite runs against: ERRATA_TEST_ENGINES=sqlite,postgres (CI sets both; plain
 * `npm test` uses SQLite in process). PostgreSQL tests each get a schema of their own, dropped after.
 * Every test reads the list from here, never from the environment itself.
 */
export const TEST_ENGINES: readonly Engine[] = parseTestEngines(process.env.ERRATA_TEST_ENGINES);

export const TEST_POSTGRES_URL =
  process.env.ERRATA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly db: Database;
  /** For PostgreSQL, the schema the test owns (so a second process can join it). */
  readonly schema: string | null;
  drop(): Promise<void>;
}

/** Test SQLite files live in memory-backed /dev/shm where there is one: fsync costs nothing there. */
const SQLITE_DIR = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/**
 * A second connection to a test database that another harness owns (as a second Errata node
 * opens the same SQLite file or PostgreSQL schema); dropping it only closes the connection.
 */
export function joinTestDatabase(owner: TestDatabase): TestDatabase {
  const db =
    owner.db.engine === 'sqlite'
      ? openDatabase({ engine: 'sqlite', file: owner.db.file as string })
      : openDatabase({
          engine: 'postgres',
          url: TEST_POSTGRES_URL,
          schema: owner.schema as string,
          poolMax: 5,
        });
  return { db, schema: owner.schema, drop: () => db.destroy() };
}

/**
 * A fresh, migrated database: a SQLite file of its own (a file, as `npm start` has, so that ingest
 * runs in its writer thread as there), or a new schema on the test PostgreSQL server.
 */
export async function openTestDatabase(engine: Engine, file?: string): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = file === undefined ? mkdtempSync(path.join(SQLITE_DIR, 'errata-test-')) : null;
    const db = openDatabase({ engine: 'sqlite', file: file ?? path.join(dir as string, 'errata.sqlite') });
    await migrateToLatest(db);
    return {
      db,
      schema: null,
      async drop() {
        await db.destroy();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `errata_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = openDatabase({ engine: 'postgres', url: TEST_POSTGRES_URL, schema, poolMax: 5 });
  await migrateToLatest(db);
  return {
    db,
    schema,
    async drop() {
      await db.destroy();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}
