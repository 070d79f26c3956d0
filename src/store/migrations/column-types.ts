import type { CreateTableBuilder } from 'kysely';
import type { Engine } from '../db.js';

/** Adds an auto-incrementing integer primary key, spelled the way each engine wants it. */
export function withId<T extends string>(engine: Engine, table: CreateTableBuilder<T, never>) {
  return engine === 'sqlite'
    ? table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigint', (col) => col.primaryKey().generatedByDefaultAsIdentity());
}

/** Epoch milliseconds and counters: BIGINT on PostgreSQL, INTEGER (64-bit) on SQLite. */
export const big = 'bigint' as const;

/** Raw bytes: BLOB on SQLite, BYTEA on PostgreSQL. */
export function binary(engine: Engine) {
  return engine === 'sqlite' ? ('blob' as const) : ('bytea' as const);
}
