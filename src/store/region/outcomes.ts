import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** What an hourly outcome row is keyed by, in both outcome tables. */
export interface OutcomeKey {
  readonly projectId: number;
  /** The hour's start, epoch ms. */
  readonly bucket: number;
  /** Sentry's outcome: `accepted`, `rate_limited`, `invalid`… */
  readonly outcome: string;
  /** Why (a discard reason or a rate limit's reason code); empty for `accepted`. */
  readonly reason: string;
  readonly category: string;
}

/** How much of a data category a project's data came to in one hour, with one outcome and reason. */
export interface OutcomeCount extends OutcomeKey {
  /** Items, or bytes for byte categories (attachments, `log_byte`). */
  readonly quantity: number;
  /** How many times the outcome happened: items, also for byte categories. */
  readonly timesSeen: number;
}

/** The key columns of both outcome tables, for an upsert's conflict target. */
export const OUTCOME_KEY_COLUMNS = ['project_id', 'bucket', 'outcome', 'reason', 'category'] as const;

/** The key columns' values of one row. */
export const keyColumns = (o: OutcomeKey) => ({
  project_id: o.projectId,
  bucket: o.bucket,
  outcome: o.outcome,
  reason: o.reason,
  category: o.category,
});

/**
 * One item per key, equal keys combined with `add`: PostgreSQL refuses an upsert that touches one
 * row twice.
 */
export function sumEqualKeys<T extends OutcomeKey>(items: readonly T[], add: (seen: T, o: T) => T): T[] {
  const summed = new Map<string, T>();
  for (const o of items) {
    const key = JSON.stringify([o.projectId, o.bucket, o.outcome, o.reason, o.category]);
    const seen = summed.get(key);
    summed.set(key, seen ? add(seen, o) : o);
  }
  return [...summed.values()];
}

/** Adds each count to its hour's row, creating rows at zero first. */
export async function upsertOutcomes(db: Db, counts: readonly OutcomeCount[]): Promise<void> {
  const summed = sumEqualKeys(counts, (seen, o) => ({
    ...seen,
    quantity: seen.quantity + o.quantity,
    timesSeen: seen.timesSeen + o.timesSeen,
  }));
  if (summed.length === 0) return;
  await db
    .insertInto('outcomes')
    .values(
      summed.map((o) => ({
        ...keyColumns(o),
        quantity: o.quantity,
        times_seen: o.timesSeen,
      })),
    )
    .onConflict((oc) =>
      oc.columns([...OUTCOME_KEY_COLUMNS]).doUpdateSet((eb) => ({
        quantity: eb('outcomes.quantity', '+', eb.ref('excluded.quantity')),
        times_seen: eb('outcomes.times_seen', '+', eb.ref('excluded.times_seen')),
      })),
    )
    .execute();
}

/** Columns usage stats group by, as the union below names them. */
export type OutcomeGroupColumn = 'project_id' | 'outcome' | 'category' | 'reason';

/** Which hours usage stats read: [start, end) of these projects, narrowed by the lists given. */
export interface OutcomeScope {
  readonly projectIds: readonly number[];
  readonly start: number;
  readonly end: number;
  readonly outcomes?: readonly string[];
  readonly categories?: readonly string[];
  readonly reasons?: readonly string[];
}

export interface OutcomeSums {
  readonly key: Readonly<Partial<Record<OutcomeGroupColumn, string | number>>>;
  /** Slot n covers [start + n·interval, start + (n+1)·interval); 0 without an interval. */
  readonly slot: number;
  readonly quantity: number;
  readonly timesSeen: number;
}

// Both tables as one, in the words usage stats answer in: error-like categories are `error`, and
// the SDKs' `filtered_sampling` is Sentry's `filtered`. A client report says how many items it
// dropped, not in how many reports: each item counts as seen once.
const ALL_OUTCOMES = sql`(
  select project_id, bucket, outcome, reason,
    case when category in ('default', 'security') then 'error' else category end as category,
    quantity, times_seen
  from outcomes
  union all
  select project_id, bucket,
    case when outcome = 'filtered_sampling' then 'filtered' else outcome end as outcome, reason,
    case when category in ('default', 'security') then 'error' else category end as category,
    quantity, quantity as times_seen
  from client_outcomes
) all_outcomes`;

function where(scope: OutcomeScope): RawBuilder<unknown> {
  const terms: RawBuilder<unknown>[] = [
    sql`project_id in (${sql.join(scope.projectIds.map((id) => sql.lit(id)))})`,
    sql`bucket >= ${sql.lit(scope.start)}`,
    sql`bucket < ${sql.lit(scope.end)}`,
  ];
  const among = (column: string, values: readonly string[] | undefined) => {
    if (values && values.length > 0) terms.push(sql`${sql.ref(column)} in (${sql.join([...values])})`);
  };
  among('outcome', scope.outcomes);
  among('category', scope.categories);
  among('reason', scope.reasons);
  return sql.join(terms, sql` and `);
}

/**
 * Quantities and times seen per group (and interval slot) over the hourly rows of both outcome
 * tables.
 *
 * @example sumOutcomes(db, { projectIds: [1], start, end }, { by: ['outcome'], interval: 86_400_000 })
 */
export async function sumOutcomes(
  db: Db,
  scope: OutcomeScope,
  split: { readonly by: readonly OutcomeGroupColumn[]; readonly interval?: number },
): Promise<OutcomeSums[]> {
  if (scope.projectIds.length === 0) return [];
  // Whole numbers the caller computed, inlined so both engines see one slot expression.
  const slot =
    split.interval === undefined
      ? sql`0`
      : sql`(bucket - ${sql.lit(scope.start)}) / ${sql.lit(split.interval)}`;
  const columns = split.by.map((c) => sql.ref(c));
  const result = await sql<Record<string, unknown>>`
    select ${sql.join([...columns, sql`${slot} as slot`])},
      sum(quantity) as quantity, sum(times_seen) as times_seen
    from ${ALL_OUTCOMES}
    where ${where(scope)}
    group by ${sql.join([...columns, sql`slot`])}`.execute(db);
  return result.rows.map((row) => {
    const key: Partial<Record<OutcomeGroupColumn, string | number>> = {};
    for (const column of split.by) {
      key[column] = column === 'project_id' ? Number(row[column]) : String(row[column]);
    }
    return {
      key,
      slot: Number(row.slot),
      quantity: Number(row.quantity),
      timesSeen: Number(row.times_seen),
    };
  });
}

/** One refusal as ingest hands it to digest in a raw `outcomes` row: the project and hour come from the row. */
export type RefusedOutcome = Omit<OutcomeCount, 'projectId' | 'bucket'>;

/** The payload of a raw `outcomes` row. */
export function encodeRefusals(refusals: readonly RefusedOutcome[]): Buffer {
  return Buffer.from(JSON.stringify(refusals));
}

/** The refusals of a raw `outcomes` row; entries of another shape are left out. */
export function decodeRefusals(payload: Buffer): RefusedOutcome[] {
  const parsed: unknown = JSON.parse(payload.toString('utf8'));
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (r): r is RefusedOutcome =>
      typeof r === 'object' &&
      r !== null &&
      typeof r.outcome === 'string' &&
      typeof r.reason === 'string' &&
      typeof r.category === 'string' &&
      Number.isSafeInteger(r.quantity) &&
      Number.isSafeInteger(r.timesSeen),
  );
}
