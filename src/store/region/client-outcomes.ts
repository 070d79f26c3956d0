import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';
import { keyColumns, OUTCOME_KEY_COLUMNS, type OutcomeKey, sumEqualKeys } from './outcomes.js';

type Db = Kysely<RegionSchema>;

/**
 * How many items of a data category were dropped, for one reason, in one hour: as an SDK reported
 * (`client_discard`, `rate_limited`, `filtered`, `filtered_sampling`), or as digest found them
 * unreadable (`invalid`).
 */
export interface ClientOutcome extends OutcomeKey {
  readonly quantity: number;
}

/** Adds each quantity to its bucket row, creating rows at zero first. */
export async function upsertClientOutcomes(db: Db, outcomes: readonly ClientOutcome[]): Promise<void> {
  const summed = sumEqualKeys(outcomes, (seen, o) => ({ ...seen, quantity: seen.quantity + o.quantity }));
  if (summed.length === 0) return;
  await db
    .insertInto('client_outcomes')
    .values(
      summed.map((o) => ({
        ...keyColumns(o),
        quantity: o.quantity,
      })),
    )
    .onConflict((oc) =>
      oc.columns([...OUTCOME_KEY_COLUMNS]).doUpdateSet((eb) => ({
        quantity: eb('client_outcomes.quantity', '+', eb.ref('excluded.quantity')),
      })),
    )
    .execute();
}

/** The project's outcome rows, by hour, outcome, reason and category. */
export async function findClientOutcomes(db: Db, projectId: number): Promise<ClientOutcome[]> {
  const rows = await db
    .selectFrom('client_outcomes')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('bucket')
    .orderBy('outcome')
    .orderBy('reason')
    .orderBy('category')
    .execute();
  return rows.map((r) => ({
    projectId: r.project_id,
    bucket: r.bucket,
    outcome: r.outcome,
    reason: r.reason,
    category: r.category,
    quantity: r.quantity,
  }));
}
