import { SPAN_ITEMS, type SpanRef } from '../store/region/spans.js';
import { dateField, durationField, idField, projectFields, textField } from './dataset-fields.js';
import type { DatasetField, EventDataset } from './event-datasets.js';

// Sentry's older Discover dataset of transactions (`dataset=transactions`): one row per
// transaction, whether it came as a transaction event or as a segment of streamed spans. Its root
// span holds what the row shows.

const TRANSACTION_FIELDS: Readonly<Record<string, DatasetField<SpanRef>>> = {
  transaction: textField({ column: 'transaction_name' }),
  'transaction.duration': durationField({ derived: 'duration' }),
  'transaction.op': textField({ column: 'op' }),
  'transaction.status': textField({ derived: 'status' }),
  trace: idField({ column: 'trace_id' }),
  'trace.span': idField({ column: 'span_id' }),
  'trace.parent_span': idField({ column: 'parent_span_id' }),
  // The event's id; a segment of streamed spans has no event, and answers with its span id.
  id: idField({ derived: 'event_or_span_id' }),
  // When the transaction ended, as Discover gives it; the window reads when it started.
  timestamp: dateField({ column: 'timestamp' }),
  ...projectFields<SpanRef>({ column: 'project_id' }),
  environment: textField({ column: 'environment' }),
  release: textField({ column: 'release' }),
};

/** Percentiles given no field read the transaction's duration, as Discover has them. */
const DEFAULT_ARGUMENTS = Object.fromEntries(
  ['p50', 'p75', 'p90', 'p95', 'p99', 'p100'].map((fn) => [fn, 'transaction.duration']),
);

/** The transactions dataset: newest first unless sorted otherwise; free text searches the name. */
export const TRANSACTIONS_DATASET: EventDataset<SpanRef> = {
  name: 'transactions',
  source: SPAN_ITEMS,
  field: (name) => (Object.hasOwn(TRANSACTION_FIELDS, name) ? TRANSACTION_FIELDS[name] : undefined),
  defaultSort: { field: 'timestamp', descending: true },
  text: { column: 'transaction_name' },
  base: [
    {
      kind: 'range',
      ref: { column: 'is_segment' },
      negated: false,
      lower: { value: 1, inclusive: true },
      upper: { value: 1, inclusive: true },
    },
  ],
  defaultArguments: DEFAULT_ARGUMENTS,
  status: { derived: 'status' },
};
