import type { Kysely } from 'kysely';
import { generateEventId } from '../protocol/event-id.js';
import { MONITOR_DEFAULTS, nextExpected } from '../protocol/monitor-config.js';
import type { Engine } from '../store/db.js';
import { updateIssueStatus } from '../store/region/issue-updates.js';
import {
  closeIncident,
  countFailure,
  countSuccess,
  findIncidentIssueId,
  type Monitor,
  type MonitorEnvironment,
  openIncident,
  setNextCheckIn,
} from '../store/region/monitors.js';
import { kyselyRawQueue } from '../store/region/raw-queue.js';
import type { RegionSchema } from '../store/schema.js';

type Db = Kysely<RegionSchema>;

// A monitor environment's incident: opened by `failure_issue_threshold` failures in a row (missed,
// timed out or failed runs) and resolved by `recovery_threshold` successes in a row. Its issue is
// made of ordinary error events that the monitor's failures put on the raw queue, so that digest
// groups them (one issue per monitor environment), counts them and runs alert rules on them as on
// any event. The event that opened the incident finds the issue again when it is resolved.

export type MonitorFailureKind = 'error' | 'missed' | 'timeout';

const REASONS: Record<MonitorFailureKind, string> = {
  error: 'a check-in reported an error',
  missed: 'no check-in arrived by the expected time and its margin',
  timeout: 'a run stayed in progress longer than its maximum runtime',
};

/** The title of a monitor's issue. */
export function failureTitle(monitor: Pick<Monitor, 'slug'>): string {
  return `Cron failure: ${monitor.slug}`;
}

/** When the environment expects the run after one at `reference`, and by when at the latest. */
export function nextRun(monitor: Monitor, reference: number) {
  const next = nextExpected(monitor.config, reference);
  const margin = (monitor.config.checkinMargin ?? MONITOR_DEFAULTS.checkinMarginMinutes) * 60_000;
  return { nextCheckIn: next, nextCheckInLatest: next + margin };
}

/** Schedules the environment's next expected run after a check-in at `at`. */
export async function scheduleAfterCheckIn(
  db: Db,
  monitor: Monitor,
  environment: MonitorEnvironment,
  at: number,
) {
  await setNextCheckIn(db, environment.id, { lastCheckIn: at, ...nextRun(monitor, at) });
}

/** The error event of one failure, as an SDK would send it to the legacy store endpoint. */
function failureEvent(
  monitor: Monitor,
  environment: MonitorEnvironment,
  kind: MonitorFailureKind,
  at: number,
  eventId: string,
) {
  return {
    event_id: eventId,
    timestamp: at / 1000,
    level: 'error',
    platform: 'other',
    logger: 'errata.crons',
    message: failureTitle(monitor),
    environment: environment.environment,
    fingerprint: ['errata-cron-monitor', String(monitor.id), environment.environment],
    tags: { 'monitor.slug': monitor.slug, 'monitor.id': String(monitor.id), 'monitor.status': kind },
    contexts: {
      monitor: {
        type: 'default',
        id: String(monitor.id),
        slug: monitor.slug,
        name: monitor.name,
        status: kind,
        reason: REASONS[kind],
      },
    },
  };
}

async function queueFailureEvent(
  db: Db,
  engine: Engine,
  monitor: Monitor,
  environment: MonitorEnvironment,
  kind: MonitorFailureKind,
  at: number,
  eventId: string,
) {
  const event = failureEvent(monitor, environment, kind, at, eventId);
  await kyselyRawQueue(db, engine).add([
    {
      projectId: monitor.projectId,
      // Made here, not sent with a key.
      keyId: 0,
      kind: 'store',
      receivedAt: at,
      eventId,
      clientIp: null,
      payload: Buffer.from(JSON.stringify(event)),
      encoding: null,
    },
  ]);
}

/**
 * Counts a failure of the environment. At the threshold it opens the incident, and from then on
 * each failure is one more event of the incident's issue; a muted monitor opens none.
 */
export async function recordMonitorFailure(
  db: Db,
  engine: Engine,
  monitor: Monitor,
  environment: MonitorEnvironment,
  kind: MonitorFailureKind,
  at: number,
): Promise<void> {
  const counted = await countFailure(db, environment.id);
  if (monitor.isMuted) return;
  const eventId = generateEventId();
  if (counted.incidentEventId === null) {
    const threshold = monitor.config.failureIssueThreshold ?? MONITOR_DEFAULTS.failureIssueThreshold;
    if (counted.failures < threshold) return;
    if (!(await openIncident(db, environment.id, eventId, at))) return;
  }
  await queueFailureEvent(db, engine, monitor, counted, kind, at, eventId);
}

/** Counts a success of the environment; at the recovery threshold it resolves the incident's issue. */
export async function recordMonitorSuccess(
  db: Db,
  monitor: Monitor,
  environment: MonitorEnvironment,
  at: number,
): Promise<void> {
  const counted = await countSuccess(db, environment.id);
  const opener = counted.incidentEventId;
  if (opener === null) return;
  if (counted.successes < (monitor.config.recoveryThreshold ?? MONITOR_DEFAULTS.recoveryThreshold)) return;
  if (!(await closeIncident(db, environment.id, opener))) return;
  const issueId = await findIncidentIssueId(db, monitor.projectId, opener);
  if (issueId === undefined) return;
  await updateIssueStatus(db, [issueId], {
    status: 'resolved',
    substatus: null,
    resolvedAt: at,
    ignoreUntil: null,
    ignoreCount: null,
    ignoreUserCount: null,
  });
}
