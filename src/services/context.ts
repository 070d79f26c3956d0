import type { Config } from '../config/config.js';
import type { Database } from '../store/db.js';

/** What every service needs: the database, the configuration and a clock (tests may fix it). */
export interface ServiceContext {
  readonly db: Database;
  readonly config: Config;
  now(): number;
}
