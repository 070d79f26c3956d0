import type { Config } from '../config/config.js';
import type { Database } from '../store/db.js';
import type { Mailer } from './mailer.js';

/**
 * What every service needs: the database, the configuration, where email goes, and a clock (tests
 * may fix it).
 */
export interface ServiceContext {
  readonly db: Database;
  readonly config: Config;
  readonly mailer: Mailer;
  now(): number;
}
