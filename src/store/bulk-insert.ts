import { CompiledQuery, type QueryResult } from 'kysely';
import type { Engine } from './db.js';

/**
 * A multi-row INSERT that digest runs once a batch (events, tag values, issue users). Its SQL is
 * written here as text, the same for both engines but for the placeholders, and cached per row
 * count: built through Kysely's query builder, each of the hundreds of values a batch carries was
 * parsed, frozen and visited as a node, which cost the writer thread more than SQLite's own
 * work on the rows.
 */
export interface BulkInsert {
  readonly table: string;
  readonly columns: readonly string[];
  /** What follows the VALUES list: `on conflict …`, `returning …`, or nothing. */
  readonly tail: string;
  /** Rows per statement at most: far below either engine's parameter limit. */
  readonly maxRows: number;
}

const texts = new WeakMap<BulkInsert, Map<string, string>>();

function placeholders(engine: Engine, rows: number, columns: number): string {
  const list: string[] = [];
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const values: string[] = [];
    for (let c = 0; c < columns; c++) values.push(engine === 'postgres' ? `$${++n}` : '?');
    list.push(`(${values.join(', ')})`);
  }
  return list.join(', ');
}

/** The statement's text for `rows` rows on `engine`, built once per row count. */
export function bulkInsertSql(spec: BulkInsert, engine: Engine, rows: number): string {
  let byCount = texts.get(spec);
  if (!byCount) {
    byCount = new Map();
    texts.set(spec, byCount);
  }
  const key = `${engine}:${rows}`;
  let text = byCount.get(key);
  if (text === undefined) {
    const columns = spec.columns.map((c) => `"${c}"`).join(', ');
    text = `insert into "${spec.table}" (${columns}) values ${placeholders(engine, rows, spec.columns.length)}${spec.tail ? ` ${spec.tail}` : ''}`;
    byCount.set(key, text);
  }
  return text;
}

/**
 * How many rows each statement takes on SQLite: the powers of two that add up to `rows`, largest
 * first (37: 32, 4, 1). Each insert then has at most ten texts to prepare, not one per row
 * count: digest's batches bring every count from 1 to hundreds, and preparing a wide statement
 * costs SQLite more than running it. PostgreSQL prepares
 * nothing here (pg sends unnamed statements), and each statement is a round trip: one for all.
 */
export function statementSizes(rows: number): number[] {
  const sizes: number[] = [];
  for (let size = 2 ** Math.floor(Math.log2(Math.max(rows, 1))); size >= 1; size /= 2)
    if (rows & size) sizes.push(size);
  return sizes;
}

/** Rows per statement for `rows` rows: `maxRows` at most, and on SQLite the sizes `statementSizes` gives. */
function chunkSizes(engine: Engine, rows: number, maxRows: number): number[] {
  const sizes: number[] = [];
  for (let left = rows; left > 0; left -= maxRows) {
    const chunk = Math.min(left, maxRows);
    if (engine === 'sqlite') sizes.push(...statementSizes(chunk));
    else sizes.push(chunk);
  }
  return sizes;
}

/**
 * Runs the insert for `rows`, each holding one value per column in `spec.columns` order, in
 * statements of `spec.maxRows` rows at most (on SQLite split as `statementSizes` says), and returns
 * what its `returning` tail gives back (nothing without one). Every row is checked before anything
 * runs.
 */
export async function bulkInsert<Row = never>(
  db: { executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> },
  engine: Engine,
  spec: BulkInsert,
  rows: readonly (readonly unknown[])[],
): Promise<Row[]> {
  const width = spec.columns.length;
  for (const row of rows)
    if (row.length !== width)
      throw new Error(`bulk insert into ${spec.table}: ${row.length} values for ${width} columns`);
  const returned: Row[] = [];
  let from = 0;
  for (const size of chunkSizes(engine, rows.length, spec.maxRows)) {
    const parameters: unknown[] = new Array(size * width);
    let at = 0;
    for (let r = from; r < from + size; r++)
      for (const value of rows[r] as readonly unknown[]) parameters[at++] = value;
    from += size;
    const result = await db.executeQuery<Row>(
      CompiledQuery.raw(bulkInsertSql(spec, engine, size), parameters),
    );
    for (const row of result.rows) returned.push(row);
  }
  return returned;
}
