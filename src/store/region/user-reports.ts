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

/** A report with what it is tied to: the stored event it names, if any, and that event's issue. */
export interface LinkedUserReport extends UserReport {
  /** Whether the event the report names is stored. */
  readonly eventStored: boolean;
  readonly issueId: number | null;
}

/** Which reports a list holds. */
export interface UserReportFilter {
  readonly projectIds: readonly number[];
  readonly issueId?: number;
  /** Only reports about events in these environments. */
  readonly environments?: readonly string[];
  /** Only reports made in this window (milliseconds, both ends included). */
  readonly window?: { readonly start: number; readonly end: number };
  /** Leaves out reports whose issue is resolved or ignored (reports tied to no issue stay). */
  readonly unresolvedOnly?: boolean;
}

/** Reports, newest first, each with its event and issue where they are stored. */
export async function listUserReports(
  db: Db,
  filter: UserReportFilter,
  page: { readonly limit: number; readonly offset: number },
): Promise<LinkedUserReport[]> {
  if (filter.projectIds.length === 0) return [];
  let query = db
    .selectFrom('user_reports')
    .leftJoin('events', (join) =>
      join
        .onRef('events.project_id', '=', 'user_reports.project_id')
        .onRef('events.event_id', '=', 'user_reports.event_id'),
    )
    .leftJoin('issues', 'issues.id', 'events.issue_id')
    .selectAll('user_reports')
    .select(['events.id as event_row', 'events.issue_id as issue_id', 'issues.status as issue_status'])
    .where('user_reports.project_id', 'in', [...filter.projectIds]);
  if (filter.issueId !== undefined) query = query.where('events.issue_id', '=', filter.issueId);
  if (filter.environments !== undefined && filter.environments.length > 0)
    query = query.where('events.environment', 'in', [...filter.environments]);
  if (filter.window !== undefined) {
    query = query
      .where('user_reports.date_created', '>=', filter.window.start)
      .where('user_reports.date_created', '<=', filter.window.end);
  }
  if (filter.unresolvedOnly)
    query = query.where((eb) => eb.or([eb('issues.id', 'is', null), eb('issues.status', '=', 'unresolved')]));
  const rows = await query
    .orderBy('user_reports.date_created', 'desc')
    .orderBy('user_reports.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row) => ({
    ...toUserReport(row),
    eventStored: row.event_row !== null,
    issueId: row.issue_id ?? null,
  }));
}

/** The newest report about one event, as Sentry shows it on the event. */
export async function findLatestUserReport(
  db: Db,
  projectId: number,
  eventId: string,
): Promise<UserReport | undefined> {
  const row = await db
    .selectFrom('user_reports')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('event_id', '=', eventId)
    .orderBy('date_created', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row && toUserReport(row);
}

/** Replaces what a report says (a legacy report sent again within its grace period). */
export async function updateUserReport(
  db: Db,
  id: number,
  change: Pick<NewUserReport, 'name' | 'email' | 'comments' | 'data'>,
): Promise<void> {
  await db
    .updateTable('user_reports')
    .set({
      name: change.name,
      email: change.email,
      comments: change.comments,
      data: JSON.stringify(change.data),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * How many user reports name an event of the issue. Read from the project's reports, each checked
 * against the events' (project, event id) key: an issue may have far more events than its project
 * has reports, and reading its events first took most of a big issue's detail.
 */
export async function countIssueUserReports(db: Db, projectId: number, issueId: number): Promise<number> {
  const row = await db
    .selectFrom('user_reports')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_reports.project_id', '=', projectId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('events')
          .select('events.id')
          .whereRef('events.project_id', '=', 'user_reports.project_id')
          .whereRef('events.event_id', '=', 'user_reports.event_id')
          .where('events.issue_id', '=', issueId),
      ),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
