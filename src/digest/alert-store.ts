// What issue alert evaluation reads and writes beyond the digest's own tables: the rules, the
// project's webhook URLs, who turned alert mail off, and the outbox. Each method runs in the
// digest transaction it is handed, so that a notification is enqueued with the batch that decided
// it, or not at all.
import type { Kysely } from 'kysely';
import { alertNotifications, type FiredAlert } from '../alerts/alert-notifications.js';
import type { AlertRule } from '../alerts/rule-model.js';
import { enqueueNotifications } from '../store/region/notification-outbox.js';
import type { RegionSchema } from '../store/schema.js';

type Db = Kysely<RegionSchema>;

export interface AlertStore {
  /**
   * The active issue alert rules of each project, by project id (a project without rules may be
   * absent). Called once per digest batch with the batch's projects: keep it one indexed read.
   */
  rulesOf(trx: Db, projectIds: readonly number[]): Promise<ReadonlyMap<number, readonly AlertRule[]>>;
  /** The URLs of the project's webhooks (Sentry's webhooks plugin), for `NotifyEventServiceAction`. */
  webhookUrls(trx: Db, projectId: number): Promise<readonly string[]>;
  /** The user ids of those who turned alert email off for the project. */
  optedOut(trx: Db, projectId: number): Promise<ReadonlySet<number>>;
  /** Renders the fired rules' notifications and writes them to the outbox. */
  enqueue(trx: Db, fired: readonly FiredAlert[], now: number): Promise<void>;
}

/**
 * The alert store digest runs with: the one place where rules, webhooks and alert-mail settings
 * are plugged in. The region store keeps no rules yet: this one finds none, so nothing fires and
 * neither webhooks nor settings are asked for. Fired rules go to the notification outbox.
 */
export function regionAlertStore(): AlertStore {
  const unreachable = async (): Promise<never> => {
    throw new Error('the region alert store has no rules: nothing fires, so nothing else is asked');
  };
  return {
    rulesOf: async () => new Map(),
    webhookUrls: unreachable,
    optedOut: unreachable,
    enqueue: async (trx, fired, now) => {
      await enqueueNotifications(trx, fired.flatMap(alertNotifications), now);
    },
  };
}
