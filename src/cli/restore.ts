import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { BackupRefused, restoreSqlite } from '../store/sqlite-backup.js';
import { UsageError } from './args.js';
import { ON_POSTGRES } from './backup.js';

/**
 * `errata restore FILE`: puts a backup in place of the SQLite database of a stopped install.
 * Refuses (exit 1) while any process has the database open, or when FILE is no whole Errata
 * database; the database it replaces is kept beside it under a new name.
 */
export async function restore(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0]?.startsWith('-')) throw new UsageError('usage: errata restore FILE');
  const config = loadConfig(process.env);
  if (config.database.engine !== 'sqlite') throw new UsageError(ON_POSTGRES);
  const backup = path.resolve(argv[0] as string);
  try {
    const { replaced } = restoreSqlite(backup, config.database.file);
    process.stdout.write(`restored ${backup} to ${config.database.file}\n`);
    if (replaced) process.stdout.write(`the database it replaced is kept as ${replaced}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupRefused)) throw error;
    process.stderr.write(`errata: ${error.message}\n`);
    return 1;
  }
}
