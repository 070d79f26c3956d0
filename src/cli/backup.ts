import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { BackupRefused, backupSqlite } from '../store/sqlite-backup.js';
import { UsageError } from './args.js';

/** What PostgreSQL installs do instead (the README has the commands). */
const ON_POSTGRES =
  'DATABASE_URL is PostgreSQL: back it up with pg_dump and restore it with pg_restore (see "Backups" in the README)';

/**
 * `errata backup FILE`: a consistent copy of the SQLite database, taken while the server runs.
 * Exit 0 with the copy's size; 1 when it cannot be taken (FILE exists, no database).
 */
export async function backup(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0]?.startsWith('-')) throw new UsageError('usage: errata backup FILE');
  const config = loadConfig(process.env);
  if (config.database.engine !== 'sqlite') throw new UsageError(ON_POSTGRES);
  const destination = path.resolve(argv[0] as string);
  try {
    const started = performance.now();
    const { bytes } = backupSqlite(config.database.file, destination);
    process.stdout.write(
      `backed up ${config.database.file} to ${destination} (${bytes} bytes, ${Math.round(performance.now() - started)} ms)\n`,
    );
    if (config.controlDatabase?.engine === 'sqlite')
      process.stdout.write(
        `the control database ${config.controlDatabase.file} is another file: back it up too (ERRATA_DATA_DIR=${path.dirname(config.controlDatabase.file)} errata backup …)\n`,
      );
    return 0;
  } catch (error) {
    if (!(error instanceof BackupRefused)) throw error;
    process.stderr.write(`errata: ${error.message}\n`);
    return 1;
  }
}

export { ON_POSTGRES };
