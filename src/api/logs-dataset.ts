import { badRequest } from '../lib/app-error.js';
import { pattern, type Token, type ValuePattern } from '../protocol/issue-query.js';
import { logLevel } from '../protocol/log-level.js';
import { type Log, type LogCondition, type LogRef, searchLogs } from '../store/region/logs.js';
import type { Project } from '../store/types.js';
import type { DatasetQuery, EventDataset, FieldType } from './event-datasets.js';

// Sentry's logs dataset (`dataset=logs`, `ourlogs` in its web app) over the logs table: a fixed
// set of fields, and every other well-formed name is an attribute the SDK sent.

interface LogField {
  readonly type: FieldType;
  /** What the field filters and sorts on. */
  readonly ref: LogRef;
  /** What it sorts on when not `ref`: levels in order of severity, not of name. */
  readonly sortRef?: LogRef;
  value(log: Log, project: Project): unknown;
}

const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();

const itemId: LogField = { type: 'string', ref: { column: 'item_id' }, value: (l) => l.itemId };
const severity: LogField = {
  type: 'string',
  ref: { column: 'level' },
  sortRef: { column: 'severity_number' },
  value: (l) => l.level,
};
const message: LogField = { type: 'string', ref: { column: 'body' }, value: (l) => l.body };

const LOG_FIELDS: Readonly<Record<string, LogField>> = {
  'sentry.item_id': itemId,
  id: itemId,
  timestamp: { type: 'date', ref: { column: 'timestamp' }, value: (l) => iso(l.timestamp) },
  // Nanoseconds, as Sentry gives it, for ordering logs of the same millisecond.
  timestamp_precise: {
    type: 'integer',
    ref: { column: 'timestamp' },
    value: (l) => Math.round(l.timestamp * 1e6),
  },
  observed_timestamp: {
    type: 'date',
    ref: { column: 'observed_timestamp' },
    value: (l) => iso(l.observedTimestamp),
  },
  message,
  'log.body': message,
  severity,
  level: severity,
  'log.level': severity,
  severity_number: { type: 'integer', ref: { column: 'severity_number' }, value: (l) => l.severityNumber },
  trace: { type: 'string', ref: { column: 'trace_id' }, value: (l) => l.traceId },
  span_id: { type: 'string', ref: { column: 'span_id' }, value: (l) => l.spanId },
  project: { type: 'string', ref: { column: 'project_id' }, value: (_, p) => p.slug },
  'project.id': { type: 'integer', ref: { column: 'project_id' }, value: (l) => l.projectId },
  'project.slug': { type: 'string', ref: { column: 'project_id' }, value: (_, p) => p.slug },
  release: { type: 'string', ref: { column: 'release' }, value: (l) => l.release },
  environment: { type: 'string', ref: { column: 'environment' }, value: (l) => l.environment },
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
  return {
    type: tagged === 'number' ? 'number' : tagged === 'boolean' ? 'boolean' : 'string',
    ref: { attribute: key },
    value: (l) => l.attributes[key]?.value ?? null,
  };
}

/** A term's values as the column holds them: levels by their canonical name, ids in lowercase. */
function storedValues(ref: LogRef, values: readonly ValuePattern[], projects: readonly Project[]) {
  if (!('column' in ref)) return values;
  const exact = (fix: (text: string) => string) =>
    values.map((v): ValuePattern => (v.kind === 'exact' ? { kind: 'exact', value: fix(v.value) } : v));
  switch (ref.column) {
    case 'level':
      return exact((text) => logLevel(text) ?? text);
    case 'trace_id':
    case 'span_id':
    case 'item_id':
      return exact((text) => text.toLowerCase().replaceAll('-', ''));
    case 'project_id':
      // A slug or an id; one the caller does not reach matches nothing.
      return exact((text) =>
        String(projects.find((p) => p.slug === text || String(p.id) === text)?.id ?? -1),
      );
    default:
      return values;
  }
}

function condition(term: Token, projects: readonly Project[]): LogCondition {
  const [first] = term.values;
  if (term.key === null) {
    const text = first?.text ?? '';
    // Sentry's boolean search; read as text it would quietly search for the word "OR".
    if (!first?.quoted && (text === 'OR' || text.startsWith('(') || text.endsWith(')'))) {
      throw badRequest('Invalid query: OR and parentheses are not supported here; all terms must match.');
    }
    return { kind: 'text', text };
  }
  if (term.key === 'has') {
    const key = first === undefined ? undefined : attributeKey(first.text);
    if (key === undefined || term.list) throw badRequest(`Invalid query: has: needs one attribute name.`);
    return { kind: 'has', attribute: key, negated: term.negated };
  }
  const field = fieldOf(term.key);
  if (field === undefined)
    throw badRequest(`Invalid query: "${term.key}" is not a field of the logs dataset.`);
  const values = term.values.map(pattern);
  return {
    kind: 'match',
    ref: field.ref,
    negated: term.negated,
    values: storedValues(field.ref, values, projects),
  };
}

/** The logs dataset: log records, newest first unless sorted otherwise. */
export const LOGS_DATASET: EventDataset = {
  name: 'logs',
  defaultSort: { field: 'timestamp', descending: true },
  fieldType: (field) => fieldOf(field)?.type,
  sortable: (field) => fieldOf(field) !== undefined,
  async rows(db, engine, q: DatasetQuery) {
    const conditions = q.terms.map((term) => condition(term, q.projects));
    if (q.environments.length > 0) {
      conditions.push({
        kind: 'match',
        ref: { column: 'environment' },
        negated: false,
        values: q.environments.map((value) => ({ kind: 'exact', value })),
      });
    }
    const logs = await searchLogs(db, engine, {
      projectIds: q.projects.map((p) => p.id),
      start: q.start,
      end: q.end,
      conditions,
      sort: q.sort.map((s) => {
        const field = fieldOf(s.field) as LogField;
        return { ref: field.sortRef ?? field.ref, descending: s.descending };
      }),
      limit: q.limit,
      offset: q.offset,
    });
    const projects = new Map(q.projects.map((p) => [p.id, p]));
    return logs.map((log) => {
      const project = projects.get(log.projectId) as Project;
      return Object.fromEntries(q.fields.map((f) => [f, (fieldOf(f) as LogField).value(log, project)]));
    });
  },
};
