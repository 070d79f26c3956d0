import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
import type { ValuePattern } from '../../protocol/issue-query.js';
import type { Engine } from '../db.js';
import type { LogTable, RegionSchema } from '../schema.js';
import { contains, escapeLike, like, valuesMatch } from './sql-match.js';

type Db = Kysely<RegionSchema>;
type Eb = ExpressionBuilder<RegionSchema, 'logs'>;
type Condition = Expression<SqlBool>;

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

/** What a search term or sort names: a column, or an attribute's value by key. */
export type LogRef = { readonly column: LogColumn } | { readonly attribute: string };

export type LogCondition =
  /** The body holds this text, ignoring case. */
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'match';
      readonly ref: LogRef;
      readonly negated: boolean;
      readonly values: readonly ValuePattern[];
    }
  /** The attribute is present (`has:key`) or absent (`!has:key`). */
  | { readonly kind: 'has'; readonly attribute: string; readonly negated: boolean };

export interface LogSearch {
  readonly projectIds: readonly number[];
  /** Epoch ms, inclusive. */
  readonly start: number;
  readonly end: number;
  readonly conditions: readonly LogCondition[];
  readonly sort: readonly { readonly ref: LogRef; readonly descending: boolean }[];
  readonly limit: number;
  readonly offset: number;
}

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

/** A searched value's JSON texts: a string, and also the bare literal when it reads as a number or boolean. */
function jsonTexts(value: string): string[] {
  const bare = /^(true|false|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value) ? [value] : [];
  return [JSON.stringify(value), ...bare];
}

function refExpression(eb: Eb, engine: Engine, ref: LogRef): Expression<unknown> {
  return 'column' in ref ? eb.ref(`logs.${ref.column}`) : attributeText(eb, engine, ref.attribute);
}

function match(eb: Eb, engine: Engine, ref: LogRef, values: readonly ValuePattern[]): Condition {
  if ('column' in ref) return valuesMatch(eb, eb.ref(`logs.${ref.column}`) as Expression<string>, values);
  const json = attributeJson(eb, engine, ref.attribute);
  const text = attributeText(eb, engine, ref.attribute);
  return eb.or(
    values.map((v) =>
      v.kind === 'exact' ? eb(json, 'in', jsonTexts(v.value)) : like(text, v.parts.map(escapeLike).join('%')),
    ),
  );
}

function condition(eb: Eb, engine: Engine, c: LogCondition): Condition {
  switch (c.kind) {
    case 'text':
      return contains(eb.ref('logs.body'), c.text);
    case 'has': {
      const present = eb(attributeJson(eb, engine, c.attribute), 'is not', null);
      return c.negated ? eb.not(present) : present;
    }
    case 'match': {
      const matched = match(eb, engine, c.ref, c.values);
      if (!c.negated) return matched;
      // A negated term keeps records that lack the column or attribute, as Sentry's `!key:value` does.
      const ref = refExpression(eb, engine, c.ref);
      return eb.or([eb(ref, 'is', null), eb.not(matched)]);
    }
  }
}

/** One page of the logs in the projects and time range that meet every condition, in the asked order. */
export async function searchLogs(db: Db, engine: Engine, search: LogSearch): Promise<Log[]> {
  if (search.projectIds.length === 0) return [];
  let query = db
    .selectFrom('logs')
    .selectAll()
    .where('project_id', 'in', [...search.projectIds])
    .where('timestamp', '>=', search.start)
    .where('timestamp', '<=', search.end)
    .where((eb) => eb.and(search.conditions.map((c) => condition(eb, engine, c))));
  for (const s of search.sort) {
    query = query.orderBy((eb) => refExpression(eb, engine, s.ref), s.descending ? 'desc' : 'asc');
  }
  // Ties (logs of the same instant) keep one order from page to page.
  const lastDescending = search.sort.at(-1)?.descending ?? true;
  const rows = await query
    .orderBy('id', lastDescending ? 'desc' : 'asc')
    .limit(search.limit)
    .offset(search.offset)
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
