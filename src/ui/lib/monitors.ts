import cronstrue from 'cronstrue';
import type { CheckIn, Monitor, MonitorEnvironment } from './types.js';

// What a monitor's configuration and check-ins mean, in words: its schedule, its state in one
// environment, a run's duration. Pure, so that the unit test reads the same words the pages show.

/**
 * A monitor's schedule in words: a crontab through cronstrue (24-hour clock, as crontabs are), an
 * interval as "Every 2 hours"; the time zone is named when it is not UTC. A crontab cronstrue
 * cannot read is shown as it is rather than hidden.
 *
 * @example scheduleInWords({ schedule_type: 'crontab', schedule: '0 3 * * 1-5', timezone: 'UTC' })
 * // 'At 03:00, Monday through Friday'
 */
export function scheduleInWords(config: Monitor['config']): string {
  const zone = config.timezone && config.timezone !== 'UTC' ? ` (${config.timezone})` : '';
  if (Array.isArray(config.schedule)) {
    const [every, unit] = config.schedule;
    return `${every === 1 ? `Every ${unit}` : `Every ${every} ${unit}s`}${zone}`;
  }
  try {
    return `${cronstrue.toString(config.schedule, { use24HourTimeFormat: true, verbose: false })}${zone}`;
  } catch {
    return `${config.schedule}${zone}`;
  }
}

/** What a monitor's state in one environment is called on the pages, and the class that colours it. */
export type MonitorState = 'ok' | 'error' | 'missed' | 'timeout' | 'in progress' | 'waiting' | 'disabled';

/**
 * The state of one environment: `disabled` for a disabled monitor; `waiting` before its first
 * check-in; otherwise the outcome of its newest finished run, which says whether an `error`
 * environment failed, missed its run or timed out. A run still going shows as `in progress`.
 */
export function stateOf(
  monitor: Pick<Monitor, 'status'>,
  environment: Pick<MonitorEnvironment, 'status'>,
  newest: Pick<CheckIn, 'status'> | undefined,
): MonitorState {
  if (monitor.status === 'disabled') return 'disabled';
  if (!newest)
    return environment.status === 'active' ? 'waiting' : environment.status === 'ok' ? 'ok' : 'error';
  switch (newest.status) {
    case 'ok':
    case 'error':
    case 'missed':
    case 'timeout':
      return newest.status;
    case 'in_progress':
      return 'in progress';
    default:
      return environment.status === 'ok' ? 'ok' : 'error';
  }
}

/**
 * A run's duration (milliseconds, as Sentry gives it) in words short enough for a timeline.
 *
 * @example duration(1530) // '1.5 s'
 */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}
