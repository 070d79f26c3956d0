import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type OrderByItemBuilder,
  type RawBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import type { ValuePattern } from '../../protocol/issue-query.js';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';
import { contains, valuesMatch } from './sql-match.js';

// One query over a table of trace items (logs, spans) for the events endpoint's datasets: rows
// filtered by project, time and conditions, either listed or grouped with aggregates. Each table
// says how the references its datasets use become SQL (an ItemSource); the rest is shared.

type Db = Kysely<RegionSchema>;
export type ItemTable = 'logs' | 'spans';
export type ItemEb = ExpressionBuilder<RegionSchema, ItemTable>;
type Condition = Expression<SqlBool>;

/** How one table's references (`Ref`) become SQL. */
export interface ItemSource<Ref> {
  readonly table: ItemTable;
  /** The column the time window reads (epoch ms). */
  readonly timeColumn: 'timestamp' | 'start_timestamp';
  /** What a reference reads: filtered, grouped, sorted and aggregated by this. */
  value(eb: ItemEb, engine: Engine, ref: Ref): Expression<unknown>;
  /** What a listed row shows, when not its value (an attribute's JSON, which keeps its type). */
  shown?(eb: ItemEb, engine: Engine, ref: Ref): Expression<unknown>;
  /** An exact-or-wildcard match, when not a comparison of `value` with the texts. */
  match?(eb: ItemEb, engine: Engine, ref: Ref, values: readonly ValuePattern[]): Condition;
  /** Whether a row has the reference at all (`has:`), when not `value is not null`. */
  present?(eb: ItemEb, engine: Engine, ref: Ref): Condition;
}

/** A bound of a range: the value, and whether the value itself is in the range. */
export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

export type ItemCondition<Ref> =
  /** The reference holds this text, ignoring case. */
  | { readonly kind: 'text'; readonly ref: Ref; readonly text: string }
  | {
      readonly kind: 'match';
      readonly ref: Ref;
      readonly negated: boolean;
      readonly values: readonly ValuePattern[];
    }
  /** A number between the bounds (either may be missing). */
  | {
      readonly kind: 'range';
      readonly ref: Ref;
      readonly negated: boolean;
      readonly lower?: Bound;
      readonly upper?: Bound;
    }
  | { readonly kind: 'has'; readonly ref: Ref; readonly negated: boolean };

/** Aggregates over a group's rows. */
export type Aggregate<Ref> =
  | { readonly fn: 'count' }
  /** `count_of`: the rows where the reference is set. */
  | { readonly fn: 'count_of' | 'count_unique' | 'avg' | 'sum' | 'min' | 'max'; readonly ref: Ref }
  /**
   * Exact: with the group's n values sorted, the value at rank q·(n−1), interpolated linearly
   * between the two values around it (PostgreSQL's percentile_cont, numpy's default).
   */
  | { readonly fn: 'percentile'; readonly ref: Ref; readonly quantile: number }
  /** The share (0 to 1) of rows whose reference is set and none of `values`. */
  | { readonly fn: 'share_outside'; readonly ref: Ref; readonly values: readonly string[] };

export type ItemColumn<Ref> =
  | { readonly kind: 'field'; readonly ref: Ref }
  | { readonly kind: 'aggregate'; readonly aggregate: Aggregate<Ref> };

/** What the rows are ordered by: a reference (listing), or a selected column (grouping). */
export type ItemSort<Ref> = { readonly descending: boolean } & (
  | { readonly ref: Ref }
  | { readonly column: number }
);

export interface ItemQuery<Ref> {
  readonly projectIds: readonly number[];
  /** Epoch ms, inclusive. */
  readonly start: number;
  readonly end: number;
  /** All must hold. */
  readonly conditions: readonly ItemCondition<Ref>[];
  /**
   * What each row holds, as `c0`, `c1`, …. With any aggregate, rows are grouped by the fields
   * and each row is one group; without, each row is one item.
   */
  readonly columns: readonly ItemColumn<Ref>[];
  readonly sort: readonly ItemSort<Ref>[];
  readonly limit: number;
  readonly offset: number;
}

/** Numbers as one SQL type on both engines: PostgreSQL would answer an average of integers as text. */
function asNumber(expr: Expression<unknown>): RawBuilder<number | null> {
  return sql<number | null>`cast(${expr} as double precision)`;
}

function aggregateSql<Ref>(
  eb: ItemEb,
  engine: Engine,
  source: ItemSource<Ref>,
  aggregate: Aggregate<Ref>,
): Expression<unknown> {
  if (aggregate.fn === 'count') return sql`count(*)`;
  const value = () => source.value(eb, engine, aggregate.ref);
  switch (aggregate.fn) {
    case 'count_of':
      return sql`count(${value()})`;
    case 'count_unique':
      return sql`count(distinct ${value()})`;
    case 'avg':
    case 'sum':
    case 'min':
    case 'max':
      return sql`${sql.raw(aggregate.fn)}(${asNumber(value())})`;
    case 'percentile': {
      const q = aggregate.quantile;
      if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile out of range: ${q}`);
      // better-sqlite3 builds SQLite with its percentile functions, PostgreSQL's spelling differs.
      return engine === 'postgres'
        ? sql`percentile_cont(${sql.lit(q)}) within group (order by ${asNumber(value())})`
        : sql`percentile_cont(${asNumber(value())}, ${sql.lit(q)})`;
    }
    case 'share_outside': {
      const v = value();
      return sql`avg(case when ${v} is not null and ${v} not in (${sql.join(
        aggregate.values.map((s) => sql.lit(s)),
      )}) then 1.0 else 0.0 end)`;
    }
  }
}

function rangeCondition(eb: ItemEb, value: Expression<unknown>, lower?: Bound, upper?: Bound): Condition {
  // One value, said as such: SQLite's planner then uses the column of an index after it.
  if (lower?.inclusive && upper?.inclusive && lower.value === upper.value) {
    return eb(value as Expression<number>, '=', lower.value);
  }
  const parts: Condition[] = [];
  if (lower) parts.push(eb(value as Expression<number>, lower.inclusive ? '>=' : '>', lower.value));
  if (upper) parts.push(eb(value as Expression<number>, upper.inclusive ? '<=' : '<', upper.value));
  return eb.and(parts);
}

function condition<Ref>(eb: ItemEb, engine: Engine, source: ItemSource<Ref>, c: ItemCondition<Ref>) {
  const value = source.value(eb, engine, c.ref);
  switch (c.kind) {
    case 'text':
      return contains(value as Expression<string>, c.text);
    case 'has': {
      const present = source.present?.(eb, engine, c.ref) ?? eb(value, 'is not', null);
      return c.negated ? eb.not(present) : present;
    }
    case 'match':
    case 'range': {
      const matched =
        c.kind === 'match'
          ? (source.match?.(eb, engine, c.ref, c.values) ??
            valuesMatch(eb, value as Expression<string>, c.values))
          : rangeCondition(eb, value, c.lower, c.upper);
      if (!c.negated) return matched;
      // A negated term keeps items that lack the value, as Sentry's `!key:value` does.
      return eb.or([eb(value, 'is', null), eb.not(matched)]);
    }
  }
}

/**
 * One page of items, or of groups of items, in the projects and window that meet every
 * condition, in the asked order. Rows are keyed `c0`, `c1`, … after the columns.
 *
 * @example
 * queryItems(db, 'sqlite', SPANS, {
 *   columns: [{ kind: 'field', ref: { column: 'transaction_name' } },
 *             { kind: 'aggregate', aggregate: { fn: 'count' } }],
 *   sort: [{ column: 1, descending: true }], …
 * }) // [{ c0: 'GET /users', c1: 42 }, …]
 */
export async function queryItems<Ref>(
  db: Db,
  engine: Engine,
  source: ItemSource<Ref>,
  q: ItemQuery<Ref>,
): Promise<Record<string, unknown>[]> {
  if (q.projectIds.length === 0) return [];
  const grouped = q.columns.some((c) => c.kind === 'aggregate');
  const table = source.table;
  // The table is chosen at run time; each ItemSource types the references it reads.
  // biome-ignore lint/suspicious/noExplicitAny: kysely cannot type a table named by a variable.
  let query = (db as Kysely<any>)
    .selectFrom(table)
    .where(`${table}.project_id`, 'in', [...q.projectIds])
    .where(`${table}.${source.timeColumn}`, '>=', q.start)
    .where(`${table}.${source.timeColumn}`, '<=', q.end)
    .where((eb: ItemEb) => eb.and(q.conditions.map((c) => condition(eb, engine, source, c))));

  const shown = (eb: ItemEb, ref: Ref) => source.shown?.(eb, engine, ref) ?? source.value(eb, engine, ref);
  q.columns.forEach((column, i) => {
    query = query.select((eb: ItemEb) => {
      const expr =
        column.kind === 'field' ? shown(eb, column.ref) : aggregateSql(eb, engine, source, column.aggregate);
      return sql`${expr}`.as(`c${i}`);
    });
  });
  const groups = q.columns.flatMap((c, i) => (c.kind === 'field' ? [i] : []));
  if (grouped && groups.length > 0) {
    query = query.groupBy(groups.map((i) => sql.ref(`c${i}`)));
  }

  for (const s of q.sort) {
    // Items without the value come last either way, on both engines (their defaults differ).
    const order = (ob: OrderByItemBuilder) => (s.descending ? ob.desc() : ob.asc()).nullsLast();
    query =
      'column' in s
        ? query.orderBy(sql.ref(`c${s.column}`), order)
        : query.orderBy((eb: ItemEb) => source.value(eb, engine, s.ref), order);
  }
  // Ties keep one order from page to page: groups by their fields, items by insertion.
  const lastDescending = q.sort.at(-1)?.descending ?? true;
  if (grouped) {
    for (const i of groups) query = query.orderBy(sql.ref(`c${i}`), 'asc');
  } else {
    query = query.orderBy(`${table}.id`, lastDescending ? 'desc' : 'asc');
  }
  return (await query.limit(q.limit).offset(q.offset).execute()) as Record<string, unknown>[];
}
