import { type ItemType, itemType } from '../protocol/item-type.js';
import type { ItemDigester } from './item-digester.js';
import { digestAttachment } from './items/attachment.js';
import { digestCheckIn } from './items/check-in.js';
import { digestClientReport } from './items/client-report.js';
import { digestLog } from './items/log.js';
import { digestSession, digestSessions } from './items/session.js';
import { digestSpan } from './items/span.js';
import { digestTransaction } from './items/transaction.js';
import { digestFeedback, digestUserReport } from './items/user-report.js';

/** The digester of each item type besides `event` (which digest groups in batches); others are skipped. */
export const ITEM_DIGESTERS: Readonly<Partial<Record<ItemType, ItemDigester>>> = Object.freeze({
  transaction: digestTransaction,
  span: digestSpan,
  log: digestLog,
  attachment: digestAttachment,
  session: digestSession,
  sessions: digestSessions,
  client_report: digestClientReport,
  user_report: digestUserReport,
  feedback: digestFeedback,
  check_in: digestCheckIn,
});

/**
 * The digester of the type an item header names, if any.
 *
 * @example
 * const digest = digesterOf(item.headers.type);
 * if (digest) await digest(ctx, item);
 */
export function digesterOf(name: string): ItemDigester | undefined {
  const type = itemType(name);
  return type === undefined ? undefined : ITEM_DIGESTERS[type];
}
