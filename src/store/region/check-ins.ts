import type { Kysely, Selectable } from 'kysely';
import type { CheckInTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** One run of a cron monitor, as its latest check-in describes it. */
export interface NewCheckIn {
  readonly projectId: number;
  /** 32 lowercase hex. */
  readonly checkInId: string;
  readonly monitorSlug: string;
  /** `in_progress`, `ok`, `error`, `missed`, `timeout` or `unknown`. */
  readonly status: string;
  /** Milliseconds (SDKs send seconds). */
  readonly duration: number | null;
  readonly environment: string | null;
  readonly dateCreated: number;
  /** The latest check-in payload as sent. */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface CheckIn extends NewCheckIn {
  readonly id: number;
}

function toCheckIn(row: Selectable<CheckInTable>): CheckIn {
  return {
    id: row.id,
    projectId: row.project_id,
    checkInId: row.check_in_id,
    monitorSlug: row.monitor_slug,
    status: row.status,
    duration: row.duration,
    environment: row.environment,
    dateCreated: row.date_created,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/**
 * Records a check-in. A check-in id the monitor has already seen updates that run (status,
 * duration, environment when given, payload) and keeps its first `dateCreated`, the run's start;
 * SDKs send `in_progress` and then the same id with `ok` or `error`.
 */
export async function upsertCheckIn(db: Db, checkIn: NewCheckIn): Promise<void> {
  await db
    .insertInto('check_ins')
    .values({
      project_id: checkIn.projectId,
      check_in_id: checkIn.checkInId,
      monitor_slug: checkIn.monitorSlug,
      status: checkIn.status,
      duration: checkIn.duration,
      environment: checkIn.environment,
      date_created: checkIn.dateCreated,
      data: JSON.stringify(checkIn.data),
    })
    .onConflict((oc) =>
      oc.columns(['project_id', 'monitor_slug', 'check_in_id']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        duration: eb.ref('excluded.duration'),
        environment:
          checkIn.environment === null ? eb.ref('check_ins.environment') : eb.ref('excluded.environment'),
        data: eb.ref('excluded.data'),
      })),
    )
    .execute();
}

/** The project's check-ins, oldest first; only one monitor's when `monitorSlug` is given. */
export async function findCheckIns(db: Db, projectId: number, monitorSlug?: string): Promise<CheckIn[]> {
  let query = db.selectFrom('check_ins').selectAll().where('project_id', '=', projectId);
  if (monitorSlug !== undefined) query = query.where('monitor_slug', '=', monitorSlug);
  const rows = await query.orderBy('date_created').orderBy('id').execute();
  return rows.map(toCheckIn);
}
