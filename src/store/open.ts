import type { Config, DatabaseConfig } from '../config/config.js';
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
  return openDatabase(
    targetOf(config, config.database),
    config.controlDatabase ? targetOf(config, config.controlDatabase) : undefined,
  );
}
