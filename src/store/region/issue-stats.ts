import { type Kysely, sql } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/**
 * Event counts per issue per bucket, for the small graphs of issue lists: `buckets` intervals of
 * `bucketMs` ending at `end`. One query over events(issue_id, timestamp).
 */
export async function issueEventStats(
  db: Db,
  issueIds: readonly number[],
  end: number,
  bucketMs: number,
  buckets: number,
): Promise<Map<number, [number, number][]>> {
  const start = Math.floor(end / bucketMs) * bucketMs - (buckets - 1) * bucketMs;
  const out = new Map<number, [number, number][]>();
  for (const id of issueIds) {
    out.set(
      id,
      Array.from({ length: buckets }, (_, i) => [(start + i * bucketMs) / 1000, 0]),
    );
  }
  if (issueIds.length === 0) return out;
  // CAST: SQLite binds JS numbers as REAL, so its division would not truncate; grouping by the
  // alias keeps PostgreSQL from seeing two different parameterized expressions.
  const bucket = sql<number>`cast((timestamp - ${start}) / ${bucketMs} as integer)`;
  const rows = await db
    .selectFrom('events')
    .select(['issue_id', bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('issue_id', 'in', [...issueIds])
    .where('timestamp', '>=', start)
    .groupBy(['issue_id', sql`bucket`])
    .execute();
  for (const row of rows) {
    const point = row.issue_id === null ? undefined : out.get(row.issue_id)?.[Number(row.bucket)];
    if (point) point[1] += Number(row.n);
  }
  return out;
}
