import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import { freePort, runErrata } from '../support/server.js';

// Upgrades as a deploy script sees them: `errata migrate --check` says which migrations are
// pending (exit 1) or that the database is current (exit 0), and changes nothing; a database that
// a newer version migrated (a migration this version does not know) makes `--check` exit 3 and
// `serve` and `migrate` refuse, naming the migration.

const NEWER = '20991231T2359-from-a-newer-version';

/** SQL on the install's database, whichever the engine. */
interface Install {
  readonly env: Record<string, string>;
  exec(statement: string): Promise<void>;
  names(table: string): Promise<string[]>;
  close(): Promise<void>;
}

async function sqliteInstall(): Promise<Install> {
  const dir = mkdtempSync(path.join(tmpdir(), 'errata-migrate-'));
  const file = path.join(dir, 'errata.sqlite');
  const open = () => new SQLite(file);
  return {
    env: { ERRATA_DATA_DIR: dir, DATABASE_URL: '' },
    async exec(statement) {
      const db = open();
      db.exec(statement);
      db.close();
    },
    async names(table) {
      const db = open();
      const rows = db.prepare(`select name from ${table} order by name`).all() as { name: string }[];
      db.close();
      return rows.map((r) => r.name);
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresInstall(): Promise<Install> {
  const schema: PgSchema = await createPgSchema('errata_migrate');
  const run = async <T>(work: (client: Awaited<ReturnType<PgSchema['connect']>>) => Promise<T>) => {
    const client = await schema.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    env: { DATABASE_URL: schema.url() },
    exec: (statement) => run(async (c) => void (await c.query(statement))),
    names: (table) =>
      run(async (c) =>
        (await c.query<{ name: string }>(`select name from ${table} order by name`)).rows.map((r) => r.name),
      ),
    close: () => schema.drop(),
  };
}

describe.each(TEST_ENGINES)('migrate --check and a database from a newer version (%s)', (engine) => {
  let install: Install;
  beforeAll(async () => {
    install = engine === 'sqlite' ? await sqliteInstall() : await postgresInstall();
  });
  afterAll(async () => {
    await install?.close();
  });

  const errata = (...args: string[]) => runErrata(args, install.env);

  it('says every migration is pending on an empty database, and changes nothing', {
    timeout: 60_000,
  }, async () => {
    const result = await errata('migrate', '--check');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^control: 20261128T1700-identity pending$/m);
    expect(result.stdout).toMatch(/^region: 20261128T1800-events pending$/m);
    expect(result.stderr).toMatch(/^errata: \d+ migrations pending; run errata migrate$/m);
    const again = await errata('migrate', '--check');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe(result.stdout);
  });

  it('exits 0 once migrated, and names a pending migration exactly', { timeout: 60_000 }, async () => {
    expect((await errata('migrate')).code).toBe(0);
    const current = await errata('migrate', '--check');
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toBe('control: up to date\nregion: up to date\n');

    // As a database of the version before the latest region migration looks to this one.
    const applied = await install.names('errata_region_migrations');
    const last = applied.at(-1) as string;
    await install.exec(`delete from errata_region_migrations where name = '${last}'`);
    try {
      const pending = await errata('migrate', '--check');
      expect(pending.code).toBe(1);
      expect(pending.stdout).toBe(`control: up to date\nregion: ${last} pending\n`);
      expect(pending.stderr).toBe('errata: 1 migration pending; run errata migrate\n');
    } finally {
      await install.exec(
        `insert into errata_region_migrations (name, timestamp) values ('${last}', '2026-12-07T00:00:00.000Z')`,
      );
    }
  });

  it('refuses to start, migrate or pass the check on a database a newer version migrated', {
    timeout: 90_000,
  }, async () => {
    await install.exec(
      `insert into errata_region_migrations (name, timestamp) values ('${NEWER}', '2099-12-31T23:59:00.000Z')`,
    );
    const checked = await errata('migrate', '--check');
    expect(checked.code).toBe(3);
    expect(checked.stdout).toBe(`control: up to date\nregion: ${NEWER} unknown to this version\n`);
    expect(checked.stderr).toMatch(/a newer version of Errata migrated this database/);

    const message = new RegExp(
      `^errata: the database has migrations this version of Errata does not know \\(region: ${NEWER}\\): a newer version applied them\\.`,
      'm',
    );
    const migrated = await errata('migrate');
    expect(migrated.code).toBe(1);
    expect(migrated.stderr).toMatch(message);

    const served = await runErrata(['serve'], { ...install.env, ERRATA_PORT: String(await freePort()) });
    expect(served.code).toBe(1);
    expect(served.stderr).toMatch(message);
    expect(served.stdout).not.toContain('Errata is listening');
    // Nothing was changed: the unknown migration is still the only addition.
    expect((await install.names('errata_region_migrations')).filter((n) => n === NEWER)).toEqual([NEWER]);
  });
});
