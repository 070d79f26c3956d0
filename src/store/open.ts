import type { Config } from '../config/config.js';
import { type Database, openDatabase } from './db.js';

/** Opens the database the configuration names (SQLite under the data directory unless DATABASE_URL is set). */
export function openConfiguredDatabase(config: Config): Database {
  return config.database.engine === 'sqlite'
    ? openDatabase({ engine: 'sqlite', file: config.database.file })
    : openDatabase({
        engine: 'postgres',
        url: config.database.url,
        poolMax: config.dbPoolMax,
        connectTimeoutMs: config.dbConnectTimeoutMs,
        queryTimeoutMs: config.dbQueryTimeoutMs,
      });
}
