import type { Config, DatabaseConfig } from '../config/config.js';
import { lockDatabase } from './database-lock.js';
import { type Database, type DatabaseTarget, openDatabase } from './db.js';

function targetOf(config: Config, database: DatabaseConfig): DatabaseTarget {
  return database.engine === 'sqlite'
    ? { engine: 'sqlite', file: database.file }
    : {
        engine: 'postgres',
        url: database.url,
        poolMax: config.dbPoolMax,
        connectTimeoutMs: config.dbConnectTimeoutMs,
        queryTimeoutMs: config.dbQueryTimeoutMs,
      };
}

/**
 * Opens the databases the configuration names: the region's (SQLite under the data directory
 * unless DATABASE_URL is set) and, with ERRATA_CONTROL_DATABASE_URL, the shared control database.
 */
export function openConfiguredDatabase(config: Config): Database {
  const open = () =>
    openDatabase(
      targetOf(config, config.database),
      config.controlDatabase ? targetOf(config, config.controlDatabase) : undefined,
    );
  if (config.database.engine !== 'sqlite') return open();
  // Held while the database is open, so that `errata restore` never replaces it under a process.
  const lock = lockDatabase(config.database.file, 'shared');
  let db: Database;
  try {
    db = open();
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    ...db,
    async destroy() {
      try {
        await db.destroy();
      } finally {
        lock.release();
      }
    },
  };
}
