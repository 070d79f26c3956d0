import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** Adds one to a window's counter and returns the new count (one upsert: atomic across nodes). */
export async function incrementRateCounter(db: Db, bucket: string, windowStart: number): Promise<number> {
  const row = await db
    .insertInto('rate_counters')
    .values({ bucket, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['bucket', 'window_start'])
        .doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', 1) })),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return row.count;
}

/** Drops windows that ended before `before`. */
export async function deleteRateCountersBefore(db: Db, before: number): Promise<void> {
  await db.deleteFrom('rate_counters').where('window_start', '<', before).execute();
}
