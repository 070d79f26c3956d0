import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/** Fixed-window counters for rate limits and quotas that every node of a deployment shares. */
export function rateCounters(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('rate_counters')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('window_start', big, (c) => c.notNull())
        .addColumn('count', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_counters_pk', ['bucket', 'window_start'])
        .execute();
    },
  };
}
