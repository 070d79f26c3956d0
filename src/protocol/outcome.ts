import type { EnvelopeItem } from './envelope.js';
import type { ProtocolErrorCode } from './protocol-error.js';
import { type DataCategory, dataCategoryForItemType } from './rate-limits.js';

/** What became of data sent to Errata, in Sentry's words (its `Outcome` enum, lower-cased). */
export const OUTCOMES = [
  'accepted',
  'filtered',
  'rate_limited',
  'invalid',
  'abuse',
  'client_discard',
  'cardinality_limited',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Categories Sentry's usage stats report as one: `error` stands for every error-like category. */
export const ERROR_CATEGORIES: readonly DataCategory[] = ['error', 'default', 'security'];

/** The most records a log container's `item_count` is believed for (digest believes as many). */
const MAX_LOG_RECORDS = 10_000;

/** How much of a category one item is: bytes for attachments (and logs' `log_byte`), else one. */
export interface OutcomeUnit {
  readonly category: DataCategory;
  readonly quantity: number;
}

/**
 * The units an envelope item counts as in outcomes, as Relay counts them: an attachment its bytes,
 * a log container its records (`item_count`) as `log_item` and its bytes as `log_byte`, any other data item one of its category.
 * Client reports (`internal`) are reports about data, not data; a legacy user report rides along
 * with an event counted already. Unknown item types count as nothing.
 *
 * @example outcomeUnits({ headers: { type: 'attachment' }, payload }) // [{ category: 'attachment', quantity: payload.length }]
 */
export function outcomeUnits(item: Pick<EnvelopeItem, 'headers' | 'payload'>): OutcomeUnit[] {
  const type = item.headers.type;
  if (type === 'user_report') return [];
  const category = dataCategoryForItemType(type);
  if (category === undefined || category === 'internal') return [];
  if (category === 'attachment') return [{ category, quantity: item.payload.length }];
  if (category === 'log_item') {
    // A log item is a container: its header says how many records it holds, believed only so far.
    const count = item.headers.item_count;
    const records =
      typeof count === 'number' && Number.isInteger(count) && count > 0
        ? Math.min(count, MAX_LOG_RECORDS)
        : 1;
    return [
      { category, quantity: records },
      { category: 'log_byte', quantity: item.payload.length },
    ];
  }
  return [{ category, quantity: 1 }];
}

/** The units of all of an envelope's items. */
export function envelopeUnits(items: readonly Pick<EnvelopeItem, 'headers' | 'payload'>[]): OutcomeUnit[] {
  return items.flatMap(outcomeUnits);
}

/**
 * The reason an `invalid` outcome gives for a payload the protocol refuses: Relay's discard
 * reason names where Relay has one.
 */
export function invalidReason(code: ProtocolErrorCode | 'too_large'): string {
  switch (code) {
    case 'invalid_event':
      return 'invalid_json';
    case 'invalid_envelope':
      return 'invalid_envelope';
    case 'invalid_event_id':
      return 'invalid_event_id';
    case 'invalid_check_in':
      return 'invalid_check_in';
    case 'too_large':
      return 'too_large';
    default:
      return code;
  }
}
