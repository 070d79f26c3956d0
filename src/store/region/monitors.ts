import type { Kysely, Selectable } from 'kysely';
import type { MonitorConfig, MonitorSchedule } from '../../protocol/monitor-config.js';
import type { MonitorEnvironmentTable, MonitorTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** A cron monitor: its slug is unique in its organization, and it belongs to one project. */
export interface Monitor {
  readonly id: number;
  readonly organizationId: number;
  readonly projectId: number;
  readonly slug: string;
  readonly name: string;
  readonly status: 'active' | 'disabled';
  readonly isMuted: boolean;
  readonly config: MonitorConfig;
  readonly dateCreated: number;
}

/** A monitor's state in one environment. */
export interface MonitorEnvironment {
  readonly id: number;
  readonly monitorId: number;
  readonly environment: string;
  /** `active` (nothing yet), `ok` or `error`. */
  readonly status: string;
  readonly lastCheckIn: number | null;
  readonly nextCheckIn: number | null;
  readonly nextCheckInLatest: number | null;
  readonly failures: number;
  readonly successes: number;
  readonly incidentEventId: string | null;
  readonly incidentStarted: number | null;
  readonly dateCreated: number;
}

/** A monitor before the database has given it an id. */
export type NewMonitor = Omit<Monitor, 'id'>;

function scheduleColumns(schedule: MonitorSchedule) {
  return schedule.type === 'crontab'
    ? { schedule_type: 'crontab', schedule: schedule.crontab }
    : { schedule_type: 'interval', schedule: JSON.stringify([schedule.every, schedule.unit]) };
}

function configColumns(config: MonitorConfig) {
  return {
    ...scheduleColumns(config.schedule),
    checkin_margin: config.checkinMargin,
    max_runtime: config.maxRuntime,
    timezone: config.timezone,
    failure_issue_threshold: config.failureIssueThreshold,
    recovery_threshold: config.recoveryThreshold,
  };
}

function toMonitor(row: Selectable<MonitorTable>): Monitor {
  const [every, unit] =
    row.schedule_type === 'interval' ? (JSON.parse(row.schedule) as [number, string]) : [];
  return {
    id: Number(row.id),
    organizationId: Number(row.organization_id),
    projectId: Number(row.project_id),
    slug: row.slug,
    name: row.name,
    status: row.status === 'disabled' ? 'disabled' : 'active',
    isMuted: Boolean(row.is_muted),
    config: {
      schedule:
        row.schedule_type === 'interval'
          ? { type: 'interval', every: every as number, unit: unit as never }
          : { type: 'crontab', crontab: row.schedule },
      checkinMargin: row.checkin_margin,
      maxRuntime: row.max_runtime,
      timezone: row.timezone,
      failureIssueThreshold: row.failure_issue_threshold,
      recoveryThreshold: row.recovery_threshold,
    },
    dateCreated: Number(row.date_created),
  };
}

function toEnvironment(row: Selectable<MonitorEnvironmentTable>): MonitorEnvironment {
  const time = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: Number(row.id),
    monitorId: Number(row.monitor_id),
    environment: row.environment,
    status: row.status,
    lastCheckIn: time(row.last_checkin),
    nextCheckIn: time(row.next_checkin),
    nextCheckInLatest: time(row.next_checkin_latest),
    failures: row.failures,
    successes: row.successes,
    incidentEventId: row.incident_event_id,
    incidentStarted: time(row.incident_started),
    dateCreated: Number(row.date_created),
  };
}

function monitorRow(monitor: NewMonitor) {
  return {
    organization_id: monitor.organizationId,
    project_id: monitor.projectId,
    slug: monitor.slug,
    name: monitor.name,
    status: monitor.status,
    is_muted: monitor.isMuted ? 1 : 0,
    ...configColumns(monitor.config),
    date_created: monitor.dateCreated,
  };
}

export async function insertMonitor(db: Db, monitor: NewMonitor): Promise<Monitor> {
  const row = await db
    .insertInto('monitors')
    .values(monitorRow(monitor))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMonitor(row);
}

export interface MonitorChange {
  readonly slug?: string;
  readonly name?: string;
  readonly status?: 'active' | 'disabled';
  readonly isMuted?: boolean;
  readonly projectId?: number;
  readonly config?: MonitorConfig;
}

export async function updateMonitor(db: Db, id: number, change: MonitorChange): Promise<void> {
  await db
    .updateTable('monitors')
    .set({
      ...(change.slug === undefined ? {} : { slug: change.slug }),
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.status === undefined ? {} : { status: change.status }),
      ...(change.isMuted === undefined ? {} : { is_muted: change.isMuted ? 1 : 0 }),
      ...(change.projectId === undefined ? {} : { project_id: change.projectId }),
      ...(change.config === undefined ? {} : configColumns(change.config)),
    })
    .where('id', '=', id)
    .execute();
}

/** Deletes the monitor with its environments; its check-ins go with them. */
export async function deleteMonitor(db: Db, id: number): Promise<void> {
  const environments = db.selectFrom('monitor_environments').select('id').where('monitor_id', '=', id);
  await db.deleteFrom('check_ins').where('monitor_environment_id', 'in', environments).execute();
  await db.deleteFrom('monitors').where('id', '=', id).execute();
}

/** Deletes some environments of a monitor, with their check-ins. */
export async function deleteMonitorEnvironments(
  db: Db,
  monitorId: number,
  names: readonly string[],
): Promise<void> {
  if (names.length === 0) return;
  const environments = db
    .selectFrom('monitor_environments')
    .select('id')
    .where('monitor_id', '=', monitorId)
    .where('environment', 'in', [...names]);
  await db.deleteFrom('check_ins').where('monitor_environment_id', 'in', environments).execute();
  await db
    .deleteFrom('monitor_environments')
    .where('monitor_id', '=', monitorId)
    .where('environment', 'in', [...names])
    .execute();
}

/** The organization's monitor of this slug (or id, when all digits). */
export async function findMonitor(
  db: Db,
  organizationId: number,
  idOrSlug: string,
): Promise<Monitor | undefined> {
  let query = db.selectFrom('monitors').selectAll().where('organization_id', '=', organizationId);
  query = /^\d{1,15}$/.test(idOrSlug)
    ? query.where((eb) => eb.or([eb('slug', '=', idOrSlug), eb('id', '=', Number(idOrSlug))]))
    : query.where('slug', '=', idOrSlug);
  const row = await query.orderBy('id').executeTakeFirst();
  return row && toMonitor(row);
}

/** The organization's monitor of this slug. */
export async function findMonitorBySlug(
  db: Db,
  organizationId: number,
  slug: string,
): Promise<Monitor | undefined> {
  const row = await db
    .selectFrom('monitors')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row && toMonitor(row);
}

/**
 * The organization's monitor of the new monitor's slug, inserted first when there is none: of
 * check-ins creating one monitor at once on several nodes, every one gets the same monitor.
 */
export async function ensureMonitor(db: Db, monitor: NewMonitor): Promise<Monitor> {
  await db
    .insertInto('monitors')
    .values(monitorRow(monitor))
    .onConflict((oc) => oc.columns(['organization_id', 'slug']).doNothing())
    .execute();
  return (await findMonitorBySlug(db, monitor.organizationId, monitor.slug)) as Monitor;
}

export async function findMonitorById(db: Db, id: number): Promise<Monitor | undefined> {
  const row = await db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toMonitor(row);
}

/** The monitors of these projects, by name then id, a page at a time. */
export async function listMonitors(
  db: Db,
  projectIds: readonly number[],
  page: { readonly limit: number; readonly offset: number },
): Promise<Monitor[]> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .selectFrom('monitors')
    .selectAll()
    .where('project_id', 'in', [...projectIds])
    .orderBy('name')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toMonitor);
}

/** The environments of these monitors, by monitor id. */
export async function listMonitorEnvironments(
  db: Db,
  monitorIds: readonly number[],
): Promise<Map<number, MonitorEnvironment[]>> {
  const byMonitor = new Map<number, MonitorEnvironment[]>();
  if (monitorIds.length === 0) return byMonitor;
  const rows = await db
    .selectFrom('monitor_environments')
    .selectAll()
    .where('monitor_id', 'in', [...monitorIds])
    .orderBy('environment')
    .execute();
  for (const row of rows) {
    const environment = toEnvironment(row);
    byMonitor.set(environment.monitorId, [...(byMonitor.get(environment.monitorId) ?? []), environment]);
  }
  return byMonitor;
}

/** The monitor's environment of this name, created (with nothing expected yet) when new. */
export async function ensureMonitorEnvironment(
  db: Db,
  monitorId: number,
  environment: string,
  now: number,
): Promise<MonitorEnvironment> {
  await db
    .insertInto('monitor_environments')
    .values({
      monitor_id: monitorId,
      environment,
      status: 'active',
      failures: 0,
      successes: 0,
      date_created: now,
    })
    .onConflict((oc) => oc.columns(['monitor_id', 'environment']).doNothing())
    .execute();
  const row = await db
    .selectFrom('monitor_environments')
    .selectAll()
    .where('monitor_id', '=', monitorId)
    .where('environment', '=', environment)
    .executeTakeFirstOrThrow();
  return toEnvironment(row);
}

export async function findMonitorEnvironmentById(
  db: Db,
  id: number,
): Promise<MonitorEnvironment | undefined> {
  const row = await db.selectFrom('monitor_environments').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toEnvironment(row);
}

/** Sets when the environment expects its next check-in, and by when at the latest. */
export async function setNextCheckIn(
  db: Db,
  id: number,
  next: { readonly lastCheckIn?: number; readonly nextCheckIn: number; readonly nextCheckInLatest: number },
): Promise<void> {
  await db
    .updateTable('monitor_environments')
    .set({
      ...(next.lastCheckIn === undefined ? {} : { last_checkin: next.lastCheckIn }),
      next_checkin: next.nextCheckIn,
      next_checkin_latest: next.nextCheckInLatest,
    })
    .where('id', '=', id)
    .execute();
}

/** Environments of active monitors whose expected check-in is overdue at `now`, oldest first. */
export async function listOverdueEnvironments(
  db: Db,
  now: number,
  limit: number,
): Promise<MonitorEnvironment[]> {
  const rows = await db
    .selectFrom('monitor_environments')
    .innerJoin('monitors', 'monitors.id', 'monitor_environments.monitor_id')
    .selectAll('monitor_environments')
    .where('monitor_environments.next_checkin_latest', '<=', now)
    .where('monitors.status', '=', 'active')
    .orderBy('monitor_environments.next_checkin_latest')
    .limit(limit)
    .execute();
  return rows.map(toEnvironment);
}

/**
 * Claims the missed run expected at `expected`: moves the environment on to its next expected run
 * only if it still expects that one. True for exactly one caller, however many clocks race for it.
 */
export async function claimMissedRun(
  db: Db,
  id: number,
  expected: number,
  next: { readonly nextCheckIn: number; readonly nextCheckInLatest: number },
): Promise<boolean> {
  const result = await db
    .updateTable('monitor_environments')
    .set({ next_checkin: next.nextCheckIn, next_checkin_latest: next.nextCheckInLatest })
    .where('id', '=', id)
    .where('next_checkin', '=', expected)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Counts a failure: the environment is in error, with one more failure in a row and no success since. */
export async function countFailure(db: Db, id: number): Promise<MonitorEnvironment> {
  const row = await db
    .updateTable('monitor_environments')
    .set((eb) => ({ status: 'error', failures: eb('failures', '+', 1), successes: 0 }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEnvironment(row);
}

/** Counts a success: the environment is ok, with one more success in a row and no failure since. */
export async function countSuccess(db: Db, id: number): Promise<MonitorEnvironment> {
  const row = await db
    .updateTable('monitor_environments')
    .set((eb) => ({ status: 'ok', successes: eb('successes', '+', 1), failures: 0 }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEnvironment(row);
}

/** Opens the environment's incident with this event, unless one is open: true when this call opened it. */
export async function openIncident(db: Db, id: number, eventId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('monitor_environments')
    .set({ incident_event_id: eventId, incident_started: now })
    .where('id', '=', id)
    .where('incident_event_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The issue of the event that opened an incident, once digest has stored that event. */
export async function findIncidentIssueId(
  db: Db,
  projectId: number,
  openerEventId: string,
): Promise<number | undefined> {
  const event = await db
    .selectFrom('events')
    .select('issue_id')
    .where('project_id', '=', projectId)
    .where('event_id', '=', openerEventId)
    .executeTakeFirst();
  return event ? Number(event.issue_id) : undefined;
}

/** Closes the environment's incident opened by this event: true when this call closed it. */
export async function closeIncident(db: Db, id: number, eventId: string): Promise<boolean> {
  const result = await db
    .updateTable('monitor_environments')
    .set({ incident_event_id: null, incident_started: null })
    .where('id', '=', id)
    .where('incident_event_id', '=', eventId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
