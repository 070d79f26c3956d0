import type { FastifyBaseLogger } from 'fastify';
import { deleteExpiredPasswordResets } from '../store/control/password-resets.js';
import { deleteExpiredSessions } from '../store/control/sessions.js';
import type { Database } from '../store/db.js';
import { deleteDeliveriesBefore } from '../store/region/notification-outbox.js';
import { deleteRateCountersBefore } from '../store/region/rate-counters.js';
import { deleteSessionStatesBefore } from '../store/region/release-health.js';
import { expireUploads, type UploadRetention } from './expire-uploads.js';

const EVERY_MS = 10 * 60_000;
/** Rate windows are at most a day long (the key rate-limit window's maximum). */
const KEEP_RATE_WINDOWS_MS = 2 * 86_400_000;
/** Session updates older than five days are dropped at digest, so their sessions' states can go a day later. */
const KEEP_SESSION_STATES_MS = 6 * 86_400_000;

/** How long sent and failed notifications stay in the delivery history (Config's). */
export interface DeliveryRetention {
  readonly notifyRetentionDays: number;
}

/**
 * Housekeeping every ten minutes: expired web sessions and password-reset links, finished
 * rate-limit windows, states of sessions too old to be updated and, given their retention, expired uploads (chunks, failed assemblies,
 * unused artifact bundles), and old deliveries.
 */
export function startMaintenance(
  db: Database,
  now: () => number,
  log: Pick<FastifyBaseLogger, 'warn'>,
  retention?: UploadRetention & DeliveryRetention,
): () => void {
  const run = async () => {
    // The control database may be away (another host, shared by every region): the region's own
    // housekeeping goes on without it.
    try {
      await deleteExpiredSessions(db.control, now());
      await deleteExpiredPasswordResets(db.control, now());
    } catch (error) {
      log.warn({ err: error }, 'session and reset-link cleanup failed; trying again later');
    }
    try {
      await deleteRateCountersBefore(db.region, now() - KEEP_RATE_WINDOWS_MS);
      await deleteSessionStatesBefore(db.region, now() - KEEP_SESSION_STATES_MS);
      if (retention) {
        await expireUploads(db.region, retention, now());
        await deleteDeliveriesBefore(db.region, now() - retention.notifyRetentionDays * 86_400_000);
      }
    } catch (error) {
      log.warn({ err: error }, 'maintenance failed; trying again later');
    }
  };
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
