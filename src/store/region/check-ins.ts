import type { Kysely, Selectable } from 'kysely';
import type { CheckInTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** One run of a cron monitor in one environment. */
export interface NewCheckIn {
  readonly projectId: number;
  readonly monitorEnvironmentId: number;
  /** 32 lowercase hex. */
  readonly checkInId: string;
  readonly monitorSlug: string;
  /** `in_progress`, `ok`, `error`, `missed` or `timeout`. */
  readonly status: string;
  /** Milliseconds (SDKs send seconds). */
  readonly duration: number | null;
  readonly environment: string;
  readonly dateCreated: number;
  /** When the clock expected the run (missed runs), else null. */
  readonly expectedTime: number | null;
  /** When a run still in progress becomes a timeout; null unless `in_progress`. */
  readonly timeoutAt: number | null;
  /** The check-in payload as sent (the clock's own for missed runs). */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface CheckIn extends NewCheckIn {
  readonly id: number;
  readonly dateUpdated: number;
}

function toCheckIn(row: Selectable<CheckInTable>): CheckIn {
  return {
    id: Number(row.id),
    projectId: Number(row.project_id),
    monitorEnvironmentId: Number(row.monitor_environment_id),
    checkInId: row.check_in_id,
    monitorSlug: row.monitor_slug,
    status: row.status,
    duration: row.duration,
    environment: row.environment ?? '',
    dateCreated: Number(row.date_created),
    dateUpdated: Number(row.date_updated ?? row.date_created),
    expectedTime: row.expected_time === null ? null : Number(row.expected_time),
    timeoutAt: row.timeout_at === null ? null : Number(row.timeout_at),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** What recording a check-in did: a new run, the close of one in progress, or nothing (finished already). */
export type RecordedCheckIn =
  | { readonly kind: 'new'; readonly checkIn: CheckIn }
  | { readonly kind: 'closed'; readonly checkIn: CheckIn }
  | { readonly kind: 'ignored' };

/**
 * Records a check-in. A check-in id the monitor has not seen is a new run, kept beside every
 * other. One it has seen closes that run if it is still in progress (status, duration: the one
 * sent, else the time since the run began); a run already finished (or timed out) is left as it is.
 */
export async function recordCheckIn(db: Db, checkIn: NewCheckIn, now: number): Promise<RecordedCheckIn> {
  const inserted = await db
    .insertInto('check_ins')
    .values({
      project_id: checkIn.projectId,
      monitor_environment_id: checkIn.monitorEnvironmentId,
      check_in_id: checkIn.checkInId,
      monitor_slug: checkIn.monitorSlug,
      status: checkIn.status,
      duration: checkIn.duration,
      environment: checkIn.environment,
      date_created: checkIn.dateCreated,
      date_updated: now,
      expected_time: checkIn.expectedTime,
      timeout_at: checkIn.timeoutAt,
      data: JSON.stringify(checkIn.data),
    })
    .onConflict((oc) => oc.columns(['project_id', 'monitor_slug', 'check_in_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { kind: 'new', checkIn: toCheckIn(inserted) };
  if (checkIn.status === 'in_progress') return { kind: 'ignored' };
  const closed = await db
    .updateTable('check_ins')
    .set((eb) => ({
      status: checkIn.status,
      duration: checkIn.duration ?? eb(eb.val(checkIn.dateCreated), '-', eb.ref('date_created')),
      date_updated: now,
      timeout_at: null,
      data: JSON.stringify(checkIn.data),
    }))
    .where('project_id', '=', checkIn.projectId)
    .where('monitor_slug', '=', checkIn.monitorSlug)
    .where('check_in_id', '=', checkIn.checkInId)
    .where('status', '=', 'in_progress')
    .returningAll()
    .executeTakeFirst();
  return closed ? { kind: 'closed', checkIn: toCheckIn(closed) } : { kind: 'ignored' };
}

/** The check-in id of the environment's latest run still in progress, if there is one. */
export async function findLatestInProgressCheckInId(
  db: Db,
  monitorEnvironmentId: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('check_ins')
    .select('check_in_id')
    .where('monitor_environment_id', '=', monitorEnvironmentId)
    .where('status', '=', 'in_progress')
    .orderBy('date_created', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.check_in_id;
}

/** Runs still in progress past their timeout at `now`, oldest first. */
export async function listTimedOutCheckIns(db: Db, now: number, limit: number): Promise<CheckIn[]> {
  const rows = await db
    .selectFrom('check_ins')
    .selectAll()
    .where('status', '=', 'in_progress')
    .where('timeout_at', '<=', now)
    .orderBy('timeout_at')
    .limit(limit)
    .execute();
  return rows.map(toCheckIn);
}

/** Marks a run that is still in progress as timed out: true for exactly one caller. */
export async function claimTimeout(db: Db, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('check_ins')
    .set((eb) => ({
      status: 'timeout',
      date_updated: now,
      duration: eb(eb.val(now), '-', eb.ref('date_created')),
    }))
    .where('id', '=', id)
    .where('status', '=', 'in_progress')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The check-ins of these monitor environments, newest first, a page at a time. */
export async function listCheckIns(
  db: Db,
  monitorEnvironmentIds: readonly number[],
  page: { readonly limit: number; readonly offset: number },
): Promise<CheckIn[]> {
  if (monitorEnvironmentIds.length === 0) return [];
  const rows = await db
    .selectFrom('check_ins')
    .selectAll()
    .where('monitor_environment_id', 'in', [...monitorEnvironmentIds])
    .orderBy('date_created', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toCheckIn);
}
