import { logLevel } from '../protocol/log-level.js';
import { LOG_ITEMS, type LogRef } from '../store/region/logs.js';
import { dateField, exactValues, idField, projectFields, textField } from './dataset-fields.js';
import type { DatasetField, EventDataset } from './event-datasets.js';

// Sentry's logs dataset (`dataset=logs`, `ourlogs` in its web app) over the logs table: a fixed
// set of fields, and every other well-formed name is an attribute the SDK sent.

type LogField = DatasetField<LogRef>;

const itemId = idField<LogRef>({ column: 'item_id' });
const severity: LogField = {
  type: 'string',
  ref: { column: 'level' },
  sortRef: { column: 'severity_number' },
  // Levels by their canonical name: `warning` finds `warn`.
  stored: exactValues((text) => logLevel(text) ?? text),
};
const message = textField<LogRef>({ column: 'body' });

const LOG_FIELDS: Readonly<Record<string, LogField>> = {
  'sentry.item_id': itemId,
  id: itemId,
  timestamp: dateField({ column: 'timestamp' }),
  // Nanoseconds, as Sentry gives it, for ordering logs of the same millisecond.
  timestamp_precise: { type: 'integer', ref: { column: 'timestamp' }, scale: 1e6 },
  observed_timestamp: dateField({ column: 'observed_timestamp' }),
  message,
  'log.body': message,
  severity,
  level: severity,
  'log.level': severity,
  severity_number: { type: 'integer', ref: { column: 'severity_number' } },
  trace: idField({ column: 'trace_id' }),
  span_id: idField({ column: 'span_id' }),
  ...projectFields<LogRef>({ column: 'project_id' }),
  release: textField({ column: 'release' }),
  environment: textField({ column: 'environment' }),
};

const ATTRIBUTE_KEY = /^[A-Za-z_@][\w.:@-]{0,199}$/;
/** `tags[key]`, `tags[key,string]` or `tags[key,number]`: Sentry's spelling of a typed attribute. */
const TAGGED = /^tags\[([^\],\s]+)(?:,(string|number|boolean))?\]$/;

/** A search key the query parser took out of `tags[key,number]`. */
const TYPED = /^([^\],\s]+),(string|number|boolean)$/;

/** The attribute a field names (`user.id`, `tags[user.id]`), or undefined when it is not one. */
function attributeKey(field: string): string | undefined {
  const tagged = TAGGED.exec(field) ?? TYPED.exec(field);
  const key = tagged ? (tagged[1] as string) : field;
  return ATTRIBUTE_KEY.test(key) ? key : undefined;
}

function fieldOf(name: string): LogField | undefined {
  if (Object.hasOwn(LOG_FIELDS, name)) return LOG_FIELDS[name];
  const key = attributeKey(name);
  if (key === undefined) return undefined;
  const tagged = (TAGGED.exec(name) ?? TYPED.exec(name))?.[2];
  if (tagged === 'number') return { type: 'number', ref: { attribute: key, as: 'number' }, show: parseJson };
  if (tagged === 'boolean')
    return { type: 'boolean', ref: { attribute: key, as: 'boolean' }, show: parseJson };
  return { type: 'string', ref: { attribute: key }, show: parseJson };
}

/** An attribute's value as the SDK typed it: the store gives its JSON. */
function parseJson(raw: unknown): unknown {
  return typeof raw === 'string' ? JSON.parse(raw) : (raw ?? null);
}

/** The logs dataset: log records, newest first unless sorted otherwise; free text searches the body. */
export const LOGS_DATASET: EventDataset<LogRef> = {
  name: 'logs',
  source: LOG_ITEMS,
  field: fieldOf,
  defaultSort: { field: 'timestamp', descending: true },
  text: { column: 'body' },
};
