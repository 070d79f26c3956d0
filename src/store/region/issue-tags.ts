import { type Kysely, sql } from 'kysely';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

export interface TagValueCount {
  readonly key: string;
  readonly value: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/**
 * How many tag keys an issue's tag summary lists, the most seen first. An issue collects the keys of
 * all its events, so without a bound one sender could make every summary read (and send) thousands.
 */
export const MAX_ISSUE_TAG_KEYS = 100;

export interface TagKeySummary {
  readonly key: string;
  /** Events that carried the key. */
  readonly totalValues: number;
  readonly uniqueValues: number;
  /** The most frequent values first, then by value, at most `valueLimit` of them. */
  readonly topValues: TagValueCount[];
}

/**
 * The tag summary of an issue in one query: its most seen keys (at most MAX_ISSUE_TAG_KEYS, or just
 * `only`), each with its totals and its `valueLimit` most frequent values, in key order. Each key's
 * top values are one range of the `issue_tags_issue_key_seen` index, read for that key alone
 * (PostgreSQL: a lateral join; SQLite has none, so a correlated list of row ids), never a ranking
 * of every value of the issue.
 */
export async function listIssueTagSummaries(
  db: Db,
  engine: Engine,
  issueId: number,
  options: { valueLimit: number; only?: string },
): Promise<TagKeySummary[]> {
  const onlyKey = options.only === undefined ? sql`` : sql`AND key = ${options.only}`;
  const kept = sql`
    SELECT key, SUM(times_seen) AS total, COUNT(*) AS unique_values
    FROM issue_tags
    WHERE issue_id = ${issueId} ${onlyKey}
    GROUP BY key
    ORDER BY SUM(times_seen) DESC, key
    LIMIT ${MAX_ISSUE_TAG_KEYS}`;
  const top =
    engine === 'postgres'
      ? sql`CROSS JOIN LATERAL (
          SELECT u.value, u.times_seen, u.first_seen, u.last_seen FROM issue_tags u
          WHERE u.issue_id = ${issueId} AND u.key = kept.key
          ORDER BY u.times_seen DESC, u.value
          LIMIT ${options.valueLimit}
        ) t`
      : sql`JOIN issue_tags t ON t.rowid IN (
          SELECT u.rowid FROM issue_tags u
          WHERE u.issue_id = ${issueId} AND u.key = kept.key
          ORDER BY u.times_seen DESC, u.value
          LIMIT ${options.valueLimit}
        )`;
  const result = await sql<{
    key: string;
    total: number | string;
    unique_values: number | string;
    value: string;
    times_seen: number | string;
    first_seen: number | string;
    last_seen: number | string;
  }>`
    WITH kept AS (${kept})
    SELECT kept.key, kept.total, kept.unique_values, t.value, t.times_seen, t.first_seen, t.last_seen
    FROM kept ${top}
    ORDER BY kept.key, t.times_seen DESC, t.value
  `.execute(db);
  const summaries: TagKeySummary[] = [];
  for (const row of result.rows) {
    let summary = summaries.at(-1);
    if (summary?.key !== row.key) {
      summary = {
        key: row.key,
        totalValues: Number(row.total),
        uniqueValues: Number(row.unique_values),
        topValues: [],
      };
      summaries.push(summary);
    }
    summary.topValues.push({
      key: row.key,
      value: row.value,
      count: Number(row.times_seen),
      firstSeen: Number(row.first_seen),
      lastSeen: Number(row.last_seen),
    });
  }
  return summaries;
}

/** An issue's most seen tag keys (at most MAX_ISSUE_TAG_KEYS) with how often each was seen, in key order. */
export async function listIssueTagKeyTotals(
  db: Db,
  issueId: number,
): Promise<{ key: string; totalValues: number }[]> {
  const rows = await db
    .selectFrom('issue_tags')
    .select(['key', (eb) => eb.fn.sum<number | string>('times_seen').as('total')])
    .where('issue_id', '=', issueId)
    .groupBy('key')
    .orderBy((eb) => eb.fn.sum('times_seen'), 'desc')
    .orderBy('key')
    .limit(MAX_ISSUE_TAG_KEYS)
    .execute();
  return rows
    .map((r) => ({ key: r.key, totalValues: Number(r.total) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
