import type { ItemDigester } from './item-digester.js';
import { digestAttachment } from './items/attachment.js';
import { digestCheckIn } from './items/check-in.js';
import { digestClientReport } from './items/client-report.js';
import { digestSession, digestSessions } from './items/session.js';
import { digestSpan } from './items/span.js';
import { digestTransaction } from './items/transaction.js';
import { digestFeedback, digestUserReport } from './items/user-report.js';

/**
 * The digester of each envelope item type besides `event`; types missing here are skipped.
 * Null-prototype, so a sent type such as `constructor` finds nothing.
 *
 * @example
 * const digest = ITEM_DIGESTERS[item.headers.type];
 * if (digest) await digest(ctx, item);
 */
export const ITEM_DIGESTERS: Readonly<Record<string, ItemDigester>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ItemDigester>, {
    transaction: digestTransaction,
    span: digestSpan,
    attachment: digestAttachment,
    session: digestSession,
    sessions: digestSessions,
    client_report: digestClientReport,
    user_report: digestUserReport,
    feedback: digestFeedback,
    check_in: digestCheckIn,
  }),
);
