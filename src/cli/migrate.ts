import { loadConfig } from '../config/config.js';
import { MigrationFailed, migrateToLatest, migrationStatus } from '../store/migrate.js';
import { openConfiguredDatabase } from '../store/open.js';
import { flags } from './args.js';

/** `errata migrate --check` exit codes a deploy script can tell apart. */
export const CHECK_PENDING = 1;
export const CHECK_NEWER = 3;

/**
 * `errata migrate --check`: changes nothing; prints each store's pending migrations and any the
 * database has that this version does not know. Exit 0 when current, CHECK_PENDING (1) when
 * migrations are pending, CHECK_NEWER (3) when a newer version migrated the database.
 */
async function check(db: ReturnType<typeof openConfiguredDatabase>): Promise<number> {
  const statuses = await migrationStatus(db);
  for (const s of statuses) {
    if (s.pending.length === 0 && s.unknown.length === 0) process.stdout.write(`${s.store}: up to date\n`);
    for (const name of s.pending) process.stdout.write(`${s.store}: ${name} pending\n`);
    for (const name of s.unknown) process.stdout.write(`${s.store}: ${name} unknown to this version\n`);
  }
  if (statuses.some((s) => s.unknown.length > 0)) {
    process.stderr.write(
      'errata: a newer version of Errata migrated this database; this one must not run on it\n',
    );
    return CHECK_NEWER;
  }
  const pending = statuses.reduce((n, s) => n + s.pending.length, 0);
  if (pending > 0) {
    process.stderr.write(
      `errata: ${pending} migration${pending === 1 ? '' : 's'} pending; run errata migrate\n`,
    );
    return CHECK_PENDING;
  }
  return 0;
}

/** `errata migrate [--check]`: applies pending migrations and prints each one's status; non-zero on failure. */
export async function migrate(argv: string[]): Promise<number> {
  const options = flags(argv, { check: { type: 'boolean' } });
  const config = loadConfig(process.env);
  const db = openConfiguredDatabase(config);
  try {
    if (options.check) return await check(db);
    const reports = await migrateToLatest(db);
    for (const report of reports) {
      if (report.results.length === 0) process.stdout.write(`${report.store}: up to date\n`);
      for (const r of report.results)
        process.stdout.write(`${report.store}: ${r.migrationName} ${r.status}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof MigrationFailed) {
      for (const report of error.reports) {
        for (const r of report.results)
          process.stderr.write(`${report.store}: ${r.migrationName} ${r.status}\n`);
      }
    }
    throw error;
  } finally {
    await db.destroy();
  }
}
