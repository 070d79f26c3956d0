import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

export interface TagValueCount {
  readonly key: string;
  readonly value: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** Tag keys of an issue with their totals and number of distinct values. */
export async function listIssueTagKeys(
  db: Db,
  issueId: number,
): Promise<{ key: string; totalValues: number; uniqueValues: number }[]> {
  const rows = await db
    .selectFrom('issue_tags')
    .select([
      'key',
      (eb) => eb.fn.sum<number>('times_seen').as('total'),
      (eb) => eb.fn.countAll<number>().as('distinct'),
    ])
    .where('issue_id', '=', issueId)
    .groupBy('key')
    .orderBy('key')
    .execute();
  return rows.map((r) => ({ key: r.key, totalValues: Number(r.total), uniqueValues: Number(r.distinct) }));
}

/** The values of one tag of an issue, most frequent first (then by value, so pages are stable). */
export async function listIssueTagValues(
  db: Db,
  issueId: number,
  key: string,
  page: { limit: number; offset: number },
  sort: 'count' | 'date' | 'age' = 'count',
): Promise<TagValueCount[]> {
  let q = db.selectFrom('issue_tags').selectAll().where('issue_id', '=', issueId).where('key', '=', key);
  q =
    sort === 'date'
      ? q.orderBy('last_seen', 'desc')
      : sort === 'age'
        ? q.orderBy('first_seen', 'asc')
        : q.orderBy('times_seen', 'desc');
  const rows = await q.orderBy('value').limit(page.limit).offset(page.offset).execute();
  return rows.map((r) => ({
    key: r.key,
    value: r.value,
    count: r.times_seen,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  }));
}
