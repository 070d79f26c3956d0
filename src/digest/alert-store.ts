// What issue alert evaluation reads and writes beyond the digest's own tables: the rules, the
// project's webhook URLs, who turned alert mail off, and the outbox. Each method runs in the
// digest transaction it is handed, so that a notification is enqueued with the batch that decided
// it, or not at all.
import type { Kysely } from 'kysely';
import { alertNotifications, type FiredAlert } from '../alerts/alert-notifications.js';
import type { AlertRule } from '../alerts/rule-model.js';
import { findWebhookUrls, listRulesOfProjects } from '../store/region/alert-rules.js';
import { enqueueNotifications } from '../store/region/notification-outbox.js';
import { listAlertEmailOptOuts } from '../store/region/notification-settings.js';
import type { RegionSchema } from '../store/schema.js';

type Db = Kysely<RegionSchema>;

export interface AlertStore {
  /**
   * The issue alert rules of each project, by project id (a project without rules may be
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
 * The alert store digest runs with: the project's rules and webhooks plugin (alert-rules.ts), the
 * alert-mail opt-outs of its members (notification-settings.ts), and the notification outbox.
 */
export function regionAlertStore(): AlertStore {
  return {
    rulesOf: listRulesOfProjects,
    webhookUrls: findWebhookUrls,
    optedOut: listAlertEmailOptOuts,
    enqueue: async (trx, fired, now) => {
      await enqueueNotifications(trx, fired.flatMap(alertNotifications), now);
    },
  };
}
