import { CronExpressionParser } from 'cron-parser';

// A cron monitor's configuration as Sentry defines it: a crontab or an interval schedule, the
// margin (minutes) after an expected run before it counts as missed, the longest a run may stay
// in progress (minutes), the crontab's time zone, and how many failures in a row open an issue
// and how many successes in a row resolve it.

export const INTERVAL_UNITS = ['year', 'month', 'week', 'day', 'hour', 'minute'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

export type MonitorSchedule =
  | { readonly type: 'crontab'; readonly crontab: string }
  | { readonly type: 'interval'; readonly every: number; readonly unit: IntervalUnit };

export interface MonitorConfig {
  readonly schedule: MonitorSchedule;
  readonly checkinMargin: number | null;
  readonly maxRuntime: number | null;
  readonly timezone: string | null;
  readonly failureIssueThreshold: number | null;
  readonly recoveryThreshold: number | null;
}

/** Sentry's defaults for what a configuration leaves out. */
export const MONITOR_DEFAULTS = {
  checkinMarginMinutes: 1,
  maxRuntimeMinutes: 30,
  failureIssueThreshold: 1,
  recoveryThreshold: 1,
} as const;

/** The limits Sentry sets on margins and runtimes (minutes: four weeks) and on thresholds. */
const MAX_MINUTES = 40_320;
const MAX_THRESHOLD = 720;

/** A configuration field that is wrong: `field` names it as the API and check-ins spell it. */
export class MonitorConfigError extends Error {
  override name = 'MonitorConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly']);

/** Throws MonitorConfigError unless `value` is a five-field crontab (or a nickname) and `timezone` known. */
export function checkCrontab(value: string, timezone: string | null): void {
  const trimmed = value.trim();
  const fields = trimmed.split(/\s+/);
  if (!NICKNAMES.has(trimmed) && fields.length !== 5) {
    throw new MonitorConfigError(
      'schedule',
      `Schedule was not parseable: "${value}" is not a five-field crontab.`,
    );
  }
  try {
    CronExpressionParser.parse(trimmed, { strict: false, ...(timezone ? { tz: timezone } : {}) });
  } catch (error) {
    throw new MonitorConfigError(
      'schedule',
      `Schedule was not parseable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function optionalInt(config: Record<string, unknown>, field: string, max: number): number | null {
  const value = config[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new MonitorConfigError(field, `${field}: A valid integer is required.`);
  }
  if (value < 1)
    throw new MonitorConfigError(field, `${field}: Ensure this value is greater than or equal to 1.`);
  if (value > max)
    throw new MonitorConfigError(field, `${field}: Ensure this value is less than or equal to ${max}.`);
  return value;
}

function intervalOf(every: unknown, unit: unknown): MonitorSchedule {
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 1) {
    throw new MonitorConfigError('schedule', 'schedule: The interval must be a whole number of at least 1.');
  }
  if (!INTERVAL_UNITS.includes(unit as IntervalUnit)) {
    throw new MonitorConfigError(
      'schedule',
      `schedule: The interval unit must be one of ${INTERVAL_UNITS.join(', ')}.`,
    );
  }
  return { type: 'interval', every, unit: unit as IntervalUnit };
}

function scheduleOf(config: Record<string, unknown>, timezone: string | null): MonitorSchedule {
  const schedule = config.schedule;
  // A check-in's form: {type, value[, unit]}; the API's: schedule_type beside a string or [n, unit].
  if (typeof schedule === 'object' && schedule !== null && !Array.isArray(schedule)) {
    const { type, value, unit } = schedule as Record<string, unknown>;
    if (type === 'crontab' && typeof value === 'string') {
      checkCrontab(value, timezone);
      return { type: 'crontab', crontab: value.trim() };
    }
    if (type === 'interval') return intervalOf(value, unit);
    throw new MonitorConfigError('schedule', 'schedule: Unknown schedule type: use crontab or interval.');
  }
  const type = config.schedule_type ?? (Array.isArray(schedule) ? 'interval' : 'crontab');
  if (type === 'crontab' && typeof schedule === 'string') {
    checkCrontab(schedule, timezone);
    return { type: 'crontab', crontab: schedule.trim() };
  }
  if (type === 'interval' && Array.isArray(schedule) && schedule.length === 2) {
    return intervalOf(schedule[0], schedule[1]);
  }
  if (type !== 'crontab' && type !== 'interval') {
    throw new MonitorConfigError('schedule_type', `schedule_type: "${String(type)}" is not a valid choice.`);
  }
  throw new MonitorConfigError(
    'schedule',
    schedule === undefined || schedule === null
      ? 'schedule: This field is required.'
      : `schedule: A ${type} schedule is ${type === 'crontab' ? 'a crontab string' : 'a list [number, unit]'}.`,
  );
}

/**
 * Reads a configuration, as a check-in's `monitor_config` or the API's `config` carries it.
 * Throws MonitorConfigError naming the first wrong field.
 */
export function parseMonitorConfig(value: unknown): MonitorConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MonitorConfigError('config', 'config: Expected an object.');
  }
  const config = value as Record<string, unknown>;
  const timezone = config.timezone ?? null;
  if (timezone !== null && (typeof timezone !== 'string' || !isTimezone(timezone))) {
    throw new MonitorConfigError('timezone', `timezone: "${String(timezone)}" is not a valid time zone.`);
  }
  return {
    schedule: scheduleOf(config, timezone),
    checkinMargin: optionalInt(config, 'checkin_margin', MAX_MINUTES),
    maxRuntime: optionalInt(config, 'max_runtime', MAX_MINUTES),
    timezone,
    failureIssueThreshold: optionalInt(config, 'failure_issue_threshold', MAX_THRESHOLD),
    recoveryThreshold: optionalInt(config, 'recovery_threshold', MAX_THRESHOLD),
  };
}

const UNIT_MS: Record<Exclude<IntervalUnit, 'month' | 'year'>, number> = {
  week: 7 * 86_400_000,
  day: 86_400_000,
  hour: 3_600_000,
  minute: 60_000,
};

/**
 * The first expected run after `reference` (epoch ms). A crontab counts from the reference's
 * minute, in the monitor's time zone; an interval counts from the reference itself (the last
 * check-in), as Sentry's do.
 */
export function nextExpected(
  config: Pick<MonitorConfig, 'schedule' | 'timezone'>,
  reference: number,
): number {
  const minute = Math.floor(reference / 60_000) * 60_000;
  const { schedule } = config;
  if (schedule.type === 'crontab') {
    const cron = CronExpressionParser.parse(schedule.crontab, {
      currentDate: new Date(minute),
      strict: false,
      ...(config.timezone ? { tz: config.timezone } : {}),
    });
    return cron.next().getTime();
  }
  if (schedule.unit === 'month' || schedule.unit === 'year') {
    const date = new Date(minute);
    date.setUTCMonth(date.getUTCMonth() + schedule.every * (schedule.unit === 'year' ? 12 : 1));
    return date.getTime();
  }
  return minute + schedule.every * UNIT_MS[schedule.unit];
}
