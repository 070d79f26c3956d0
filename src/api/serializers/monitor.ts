import type { MonitorConfig } from '../../protocol/monitor-config.js';
import type { CheckIn } from '../../store/region/check-ins.js';
import type { Monitor, MonitorEnvironment } from '../../store/region/monitors.js';
import type { Project } from '../../store/types.js';
import { isoDate, isoDateOrNull } from './dates.js';

/** Sentry's `config` of a monitor: the schedule as a crontab string or `[n, unit]`. */
export function serializeMonitorConfig(config: MonitorConfig) {
  const { schedule } = config;
  return {
    schedule_type: schedule.type,
    schedule: schedule.type === 'crontab' ? schedule.crontab : [schedule.every, schedule.unit],
    checkin_margin: config.checkinMargin,
    max_runtime: config.maxRuntime,
    timezone: config.timezone,
    failure_issue_threshold: config.failureIssueThreshold,
    recovery_threshold: config.recoveryThreshold,
    alert_rule_id: null,
  };
}

function serializeEnvironment(environment: MonitorEnvironment) {
  return {
    name: environment.environment,
    status: environment.status,
    isMuted: false,
    dateCreated: isoDate(environment.dateCreated),
    lastCheckIn: isoDateOrNull(environment.lastCheckIn),
    nextCheckIn: isoDateOrNull(environment.nextCheckIn),
    nextCheckInLatest: isoDateOrNull(environment.nextCheckInLatest),
    activeIncident:
      environment.incidentStarted === null
        ? null
        : {
            startingTimestamp: isoDate(environment.incidentStarted),
            resolvingTimestamp: null,
            brokenNotice: null,
          },
  };
}

/** Sentry's monitor, with its project and its environments. */
export function serializeMonitor(
  monitor: Monitor,
  project: Project,
  environments: readonly MonitorEnvironment[],
) {
  return {
    id: String(monitor.id),
    slug: monitor.slug,
    name: monitor.name,
    status: monitor.status,
    isMuted: monitor.isMuted,
    isUpserting: false,
    config: serializeMonitorConfig(monitor.config),
    dateCreated: isoDate(monitor.dateCreated),
    project: { id: String(project.id), slug: project.slug, name: project.name, platform: project.platform },
    environments: environments.map(serializeEnvironment),
    owner: null,
    alertRule: null,
  };
}

/** Sentry's check-in of a monitor. */
export function serializeCheckIn(checkIn: CheckIn, config: MonitorConfig) {
  return {
    id: checkIn.checkInId,
    environment: checkIn.environment,
    status: checkIn.status,
    duration: checkIn.duration === null ? null : Math.round(checkIn.duration),
    dateCreated: isoDate(checkIn.dateCreated),
    dateAdded: isoDate(checkIn.dateCreated),
    dateUpdated: isoDate(checkIn.dateUpdated),
    dateInProgress: checkIn.status === 'missed' ? null : isoDate(checkIn.dateCreated),
    dateClock: isoDate(checkIn.dateCreated),
    expectedTime: isoDateOrNull(checkIn.expectedTime),
    monitorConfig: serializeMonitorConfig(config),
    groups: [] as string[],
  };
}
