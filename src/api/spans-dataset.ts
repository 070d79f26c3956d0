import { SPAN_ITEMS, type SpanRef } from '../store/region/spans.js';
import {
  booleanField,
  dateField,
  durationField,
  idField,
  projectFields,
  textField,
} from './dataset-fields.js';
import type { DatasetField, EventDataset } from './event-datasets.js';

// Sentry's spans dataset (`dataset=spans`): every span, from transactions and from span items
// alike. A transaction's root span is `is_transaction:true` and carries the transaction's name,
// so `field=transaction&field=p95()&query=is_transaction:true` gives each transaction's p95.

const spanId = idField<SpanRef>({ column: 'span_id' });
const description = textField<SpanRef>({ column: 'description' });
const eventId = idField<SpanRef>({ column: 'transaction_event_id' });
/** Seconds, as Sentry's trace view reads span times. */
const seconds = (column: 'start_timestamp' | 'timestamp'): DatasetField<SpanRef> => ({
  type: 'number',
  ref: { column },
  scale: 1 / 1000,
});

const SPAN_FIELDS: Readonly<Record<string, DatasetField<SpanRef>>> = {
  id: spanId,
  span_id: spanId,
  trace: idField({ column: 'trace_id' }),
  parent_span: idField({ column: 'parent_span_id' }),
  transaction: textField({ column: 'transaction_name' }),
  'transaction.event_id': eventId,
  'transaction.id': eventId,
  'transaction.span_id': idField({ column: 'segment_id' }),
  is_transaction: booleanField({ column: 'is_segment' }),
  'span.op': textField({ column: 'op' }),
  'span.description': description,
  'span.name': description,
  'span.status': textField({ column: 'status' }),
  'span.duration': durationField({ derived: 'duration' }),
  // When the span started: the window reads the same.
  timestamp: dateField({ column: 'start_timestamp' }),
  'precise.start_ts': seconds('start_timestamp'),
  'precise.finish_ts': seconds('timestamp'),
  ...projectFields<SpanRef>({ column: 'project_id' }),
  environment: textField({ column: 'environment' }),
  release: textField({ column: 'release' }),
};

/** Functions given no field read the span's duration, as Sentry's spans dataset has them. */
const DEFAULT_ARGUMENTS = Object.fromEntries(
  ['avg', 'sum', 'min', 'max', 'p50', 'p75', 'p90', 'p95', 'p99', 'p100'].map((fn) => [fn, 'span.duration']),
);

/** The spans dataset: spans newest first unless sorted otherwise; free text searches the description. */
export const SPANS_DATASET: EventDataset<SpanRef> = {
  name: 'spans',
  source: SPAN_ITEMS,
  field: (name) => (Object.hasOwn(SPAN_FIELDS, name) ? SPAN_FIELDS[name] : undefined),
  defaultSort: { field: 'timestamp', descending: true },
  text: { column: 'description' },
  defaultArguments: DEFAULT_ARGUMENTS,
  status: { column: 'status' },
};
