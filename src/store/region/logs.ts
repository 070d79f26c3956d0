import { type Expression, type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { Engine } from '../db.js';
import type { LogTable, RegionSchema } from '../schema.js';
import type { ItemSource } from './item-query.js';
import { escapeLike, like, valuesMatch } from './sql-match.js';

type Db = Kysely<RegionSchema>;
type Eb = ExpressionBuilder<RegionSchema, 'logs'>;

/** One attribute as SDKs send it: `{value, type}` with type `string`, `integer`, `double` or `boolean`. */
export interface LogAttribute {
  readonly value: unknown;
  readonly type?: string;
}

/** One log record. Times are epoch ms; `timestamp` keeps the sub-millisecond part the SDK sent. */
export interface NewLog {
  readonly projectId: number;
  /** 32 lowercase hex, derived from the record so that a record sent twice is kept once. */
  readonly itemId: string;
  readonly timestamp: number;
  /** When Errata received it. */
  readonly observedTimestamp: number;
  readonly traceId: string;
  readonly spanId: string | null;
  /** `trace`, `debug`, `info`, `warn`, `error` or `fatal`. */
  readonly level: string;
  readonly severityNumber: number;
  readonly body: string;
  readonly attributes: Readonly<Record<string, LogAttribute>>;
  readonly release: string | null;
  readonly environment: string | null;
  /** `name/version` of the SDK that sent it. */
  readonly sdk: string | null;
}

export interface Log extends NewLog {
  readonly id: number;
}

/** The columns a search may filter and sort on. */
export type LogColumn =
  | 'item_id'
  | 'project_id'
  | 'timestamp'
  | 'observed_timestamp'
  | 'trace_id'
  | 'span_id'
  | 'level'
  | 'severity_number'
  | 'body'
  | 'release'
  | 'environment'
  | 'sdk';

/**
 * What a dataset field reads: a column, or an attribute's value by key; `as` reads only values
 * the SDK sent as that JSON type: a number, or a boolean as 1 or 0.
 */
export type LogRef =
  | { readonly column: LogColumn }
  | { readonly attribute: string; readonly as?: 'number' | 'boolean' };

// 14 parameters a row: 500 rows stay far below SQLite's and PostgreSQL's parameter limits.
const ROWS_PER_INSERT = 500;

function toLog(row: Selectable<LogTable>): Log {
  return {
    id: row.id,
    projectId: row.project_id,
    itemId: row.item_id,
    timestamp: row.timestamp,
    observedTimestamp: row.observed_timestamp,
    traceId: row.trace_id,
    spanId: row.span_id,
    level: row.level,
    severityNumber: row.severity_number,
    body: row.body,
    attributes: JSON.parse(row.attributes) as Record<string, LogAttribute>,
    release: row.release,
    environment: row.environment,
    sdk: row.sdk,
  };
}

export async function insertLogs(db: Db, logs: readonly NewLog[]): Promise<void> {
  for (let i = 0; i < logs.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('logs')
      .values(
        logs.slice(i, i + ROWS_PER_INSERT).map((l) => ({
          project_id: l.projectId,
          item_id: l.itemId,
          timestamp: l.timestamp,
          observed_timestamp: l.observedTimestamp,
          trace_id: l.traceId,
          span_id: l.spanId,
          level: l.level,
          severity_number: l.severityNumber,
          body: l.body,
          attributes: JSON.stringify(l.attributes),
          release: l.release,
          environment: l.environment,
          sdk: l.sdk,
        })),
      )
      // A record sent again (a retried envelope) is kept once.
      .onConflict((oc) => oc.columns(['project_id', 'item_id']).doNothing())
      .execute();
  }
}

/**
 * An attribute's value as JSON text (`"abc"`, `42`, `true`): both engines print it the same way,
 * so exact matches compare it with the JSON text of the value searched for. The key is an object
 * label to both `->` operators, never a path, so no key needs escaping.
 */
function attributeJson(eb: Eb, engine: Engine, key: string): Expression<string | null> {
  return engine === 'postgres'
    ? sql<
        string | null
      >`cast(cast(${eb.ref('logs.attributes')} as jsonb) -> cast(${key} as text) -> 'value' as text)`
    : sql<string | null>`(${eb.ref('logs.attributes')} -> ${key} -> 'value')`;
}

/** An attribute's value as plain text (a string unquoted), for wildcard matches and sorting. */
function attributeText(eb: Eb, engine: Engine, key: string): Expression<string | null> {
  return engine === 'postgres'
    ? sql<string | null>`(cast(${eb.ref('logs.attributes')} as jsonb) -> cast(${key} as text) ->> 'value')`
    : sql<string | null>`(${eb.ref('logs.attributes')} -> ${key} ->> 'value')`;
}

/** An attribute's value where it is a JSON number, else null: what numeric filters and functions read. */
function attributeNumber(eb: Eb, engine: Engine, key: string): Expression<number | null> {
  const attributes = eb.ref('logs.attributes');
  return engine === 'postgres'
    ? sql<
        number | null
      >`(case when jsonb_typeof(cast(${attributes} as jsonb) -> cast(${key} as text) -> 'value') = 'number'
        then cast(cast(${attributes} as jsonb) -> cast(${key} as text) ->> 'value' as double precision) end)`
    : sql<number | null>`(case when json_type(${attributes} -> ${key} -> 'value') in ('integer', 'real')
        then ${attributes} -> ${key} ->> 'value' end)`;
}

/** An attribute's value where it is a JSON boolean, as 1 or 0, else null. */
function attributeBoolean(eb: Eb, engine: Engine, key: string): Expression<number | null> {
  const attributes = eb.ref('logs.attributes');
  return engine === 'postgres'
    ? sql<
        number | null
      >`(case when jsonb_typeof(cast(${attributes} as jsonb) -> cast(${key} as text) -> 'value') = 'boolean'
        then case when cast(${attributes} as jsonb) -> cast(${key} as text) ->> 'value' = 'true' then 1 else 0 end end)`
    : sql<
        number | null
      >`(case json_type(${attributes} -> ${key} -> 'value') when 'true' then 1 when 'false' then 0 end)`;
}

/** A searched value's JSON texts: a string, and also the bare literal when it reads as a number or boolean. */
function jsonTexts(value: string): string[] {
  const bare = /^(true|false|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value) ? [value] : [];
  return [JSON.stringify(value), ...bare];
}

/** The logs table for the events endpoint's queries (item-query.ts). */
export const LOG_ITEMS: ItemSource<LogRef> = {
  table: 'logs',
  timeColumn: 'timestamp',
  value(eb, engine, ref) {
    const e = eb as Eb;
    if ('column' in ref) return e.ref(`logs.${ref.column}`);
    if (ref.as === 'number') return attributeNumber(e, engine, ref.attribute);
    if (ref.as === 'boolean') return attributeBoolean(e, engine, ref.attribute);
    return attributeText(e, engine, ref.attribute);
  },
  shown(eb, engine, ref) {
    const e = eb as Eb;
    return 'column' in ref ? e.ref(`logs.${ref.column}`) : attributeJson(e, engine, ref.attribute);
  },
  match(eb, engine, ref, values) {
    const e = eb as Eb;
    if ('column' in ref) return valuesMatch(e, e.ref(`logs.${ref.column}`) as Expression<string>, values);
    const json = attributeJson(e, engine, ref.attribute);
    const text = attributeText(e, engine, ref.attribute);
    return e.or(
      values.map((v) =>
        v.kind === 'exact'
          ? e(json, 'in', jsonTexts(v.value))
          : like(text, v.parts.map(escapeLike).join('%')),
      ),
    );
  },
  present(eb, engine, ref) {
    const e = eb as Eb;
    if ('column' in ref) return e(e.ref(`logs.${ref.column}`), 'is not', null);
    return e(attributeJson(e, engine, ref.attribute), 'is not', null);
  },
};

/** Every log of the project, earliest first. */
export async function findLogsByProject(db: Db, projectId: number): Promise<Log[]> {
  const rows = await db
    .selectFrom('logs')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('timestamp')
    .orderBy('id')
    .execute();
  return rows.map(toLog);
}

/** The project's log of this item id, if any. */
export async function findLogByItemId(db: Db, projectId: number, itemId: string): Promise<Log | undefined> {
  const row = await db
    .selectFrom('logs')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  return row && toLog(row);
}
