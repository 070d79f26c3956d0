import type { Kysely } from 'kysely';
import type { EmailMessage } from '../alerts/notification-model.js';
import type { Config } from '../config/config.js';
import { enqueueNotifications } from '../store/region/notification-outbox.js';
import type { RegionSchema } from '../store/schema.js';

/** What an email is about, for the delivery history (all optional: an account email is about none). */
export interface EmailSubject {
  readonly projectId?: number;
  readonly ruleId?: number;
  readonly issueId?: number;
}

/**
 * Queues an email in the region's outbox; the delivery worker sends it through ERRATA_SMTP_URL
 * and retries while the mail server is away, so nothing waits on SMTP here. Pass a transaction to
 * have the email exist exactly when the change that caused it commits. Resolves with the
 * notification's id (its history is in `listDeliveries`).
 *
 * @example
 * await queueEmail(ctx.db.region, { to, subject, text, html }, ctx.now());
 */
export async function queueEmail(
  db: Kysely<RegionSchema>,
  message: EmailMessage,
  now: number,
  about: EmailSubject = {},
): Promise<number> {
  const [id] = await enqueueNotifications(
    db,
    [
      {
        channel: 'email',
        message,
        ruleId: about.ruleId ?? null,
        projectId: about.projectId ?? null,
        issueId: about.issueId ?? null,
      },
    ],
    now,
  );
  return id as number;
}

/** Whether this deployment sends email (ERRATA_SMTP_URL and ERRATA_EMAIL_FROM are set). */
export function emailConfigured(config: Config): boolean {
  return config.smtpUrl !== null && config.emailFrom !== null;
}
