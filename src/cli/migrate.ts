import { loadConfig } from '../config/config.js';
import { MigrationFailed, migrateToLatest } from '../store/migrate.js';
import { openConfiguredDatabase } from '../store/open.js';

/** `errata migrate`: applies pending migrations and prints each one's status; non-zero on failure. */
export async function migrate(): Promise<number> {
  const config = loadConfig(process.env);
  const db = openConfiguredDatabase(config);
  try {
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
