import { asCount, asObject, asString } from '../../protocol/json-read.js';
import { type ClientOutcome, upsertClientOutcomes } from '../../store/region/client-outcomes.js';
import type { ItemDigester } from '../item-digester.js';
import { clientTime, hourBucket, readJsonObject } from './read-item.js';

/** Each list a client report may hold, and the outcome its entries are counted as (Relay's names). */
export const CLIENT_REPORT_OUTCOMES: Readonly<Record<string, string>> = Object.freeze({
  discarded_events: 'client_discard',
  rate_limited_events: 'rate_limited',
  filtered_events: 'filtered',
  filtered_sampling_events: 'filtered_sampling',
});

/**
 * `client_report` items: what the SDK dropped and why, `{timestamp, discarded_events: [{reason,
 * category, quantity}], …}`. Quantities are summed per hour (of `timestamp`, else the receive
 * time), outcome, reason and category. Entries without a reason, a category or a positive
 * quantity are left out.
 */
export const digestClientReport: ItemDigester = async (ctx, item) => {
  const report = readJsonObject(item.payload);
  if (report === undefined) return;
  const bucket = hourBucket(clientTime(ctx, report.timestamp));
  const outcomes: ClientOutcome[] = [];
  for (const [list, outcome] of Object.entries(CLIENT_REPORT_OUTCOMES)) {
    const entries = report[list];
    if (!Array.isArray(entries)) continue;
    for (const value of entries) {
      const entry = asObject(value);
      const reason = asString(entry?.reason);
      const category = asString(entry?.category);
      const quantity = asCount(entry?.quantity);
      if (!reason || !category || !quantity) continue;
      outcomes.push({ projectId: ctx.raw.projectId, bucket, outcome, reason, category, quantity });
    }
  }
  await upsertClientOutcomes(ctx.trx, outcomes);
};
