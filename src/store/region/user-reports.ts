import type { Kysely, Selectable } from 'kysely';
import type { RegionSchema, UserReportTable } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** What a user wrote about a problem: a legacy user report or a feedback event. */
export interface NewUserReport {
  readonly projectId: number;
  /** The event the report is about, when it names one. */
  readonly eventId: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly comments: string;
  readonly dateCreated: number;
  /** The item payload as sent. */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface UserReport extends NewUserReport {
  readonly id: number;
}

function toUserReport(row: Selectable<UserReportTable>): UserReport {
  return {
    id: row.id,
    projectId: row.project_id,
    eventId: row.event_id,
    name: row.name,
    email: row.email,
    comments: row.comments,
    dateCreated: row.date_created,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

export async function insertUserReport(db: Db, report: NewUserReport): Promise<number> {
  const row = await db
    .insertInto('user_reports')
    .values({
      project_id: report.projectId,
      event_id: report.eventId,
      name: report.name,
      email: report.email,
      comments: report.comments,
      date_created: report.dateCreated,
      data: JSON.stringify(report.data),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The project's reports, oldest first; only those about `eventId` when given. */
export async function findUserReports(db: Db, projectId: number, eventId?: string): Promise<UserReport[]> {
  let query = db.selectFrom('user_reports').selectAll().where('project_id', '=', projectId);
  if (eventId !== undefined) query = query.where('event_id', '=', eventId);
  const rows = await query.orderBy('date_created').orderBy('id').execute();
  return rows.map(toUserReport);
}
