import type { Config } from '../config/config.js';
import type { Database } from '../store/db.js';
import type { Mailer } from './mailer.js';

/** Sends notifications of the outbox at once, without waiting for the delivery worker's turn. */
export interface ImmediateDelivery {
  /**
   * Tries each notification once, now, and resolves when every try is recorded; a failed try is
   * final. For notifications enqueued already claimed (`enqueueNotifications`' `claimedUntil`).
   */
  sendNow(ids: readonly number[]): Promise<void>;
}

/**
 * What every service needs: the database, the configuration, where email goes, and a clock (tests
 * may fix it).
 */
export interface ServiceContext {
  readonly db: Database;
  readonly config: Config;
  readonly mailer: Mailer;
  /** The process's delivery worker, for what must be sent while a request waits (a test notification). */
  readonly delivery?: ImmediateDelivery;
  now(): number;
}
