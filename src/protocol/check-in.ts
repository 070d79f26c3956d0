import { normalizeEventId } from './event-id.js';
import { type MonitorConfig, MonitorConfigError, parseMonitorConfig } from './monitor-config.js';
import { ProtocolError } from './protocol-error.js';

/** The statuses a client may send; `missed` and `timeout` are the clock's own. */
export const CLIENT_CHECK_IN_STATUSES = ['in_progress', 'ok', 'error'] as const;
export type ClientCheckInStatus = (typeof CLIENT_CHECK_IN_STATUSES)[number];
export type CheckInStatus = ClientCheckInStatus | 'missed' | 'timeout';

/** Sentry's longest monitor slug. */
export const MAX_MONITOR_SLUG = 50;
/** The environment of a check-in that names none, as Sentry files it. */
export const DEFAULT_MONITOR_ENVIRONMENT = 'production';

/**
 * The check-in id that names no run (the nil UUID): such a check-in closes the environment's
 * latest run in progress, or else starts a new one. Sentry's HTTP check-ins without an id carry it.
 */
export const NIL_CHECK_IN_ID = '0'.repeat(32);

/** A check-in as a client sent it, checked. */
export interface CheckInPayload {
  /** 32 lowercase hex. */
  readonly checkInId: string;
  readonly monitorSlug: string;
  readonly status: ClientCheckInStatus;
  /** Seconds, as sent. */
  readonly duration: number | null;
  readonly environment: string;
  /** The monitor's configuration, when the check-in carries one (upsert). */
  readonly monitorConfig: MonitorConfig | null;
}

/**
 * A slug as Sentry makes one of a monitor name or check-in slug: lowercase, with each run of
 * other characters than letters, digits, `_` and `-` made one `-`, none at either end.
 */
export function slugifyMonitor(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const bad = (message: string) => new ProtocolError('invalid_check_in', `invalid check-in: ${message}`);

/**
 * Reads a `check_in` item's JSON object. Throws ProtocolError `invalid_check_in` for a missing or
 * malformed id, a slug that is empty or longer than Sentry's 50 characters, a status no client
 * sends, a negative duration, or a `monitor_config` Sentry would refuse.
 */
export function parseCheckIn(value: unknown): CheckInPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not a JSON object');
  const checkIn = value as Record<string, unknown>;
  let checkInId: string;
  try {
    checkInId = normalizeEventId(checkIn.check_in_id);
  } catch {
    throw bad('check_in_id must be a UUID');
  }
  if (typeof checkIn.monitor_slug !== 'string') throw bad('monitor_slug is required');
  const monitorSlug = slugifyMonitor(checkIn.monitor_slug);
  if (monitorSlug === '') throw bad('monitor_slug is empty');
  if (monitorSlug.length > MAX_MONITOR_SLUG) {
    throw bad(`monitor_slug is longer than ${MAX_MONITOR_SLUG} characters`);
  }
  const status = checkIn.status;
  if (!CLIENT_CHECK_IN_STATUSES.includes(status as ClientCheckInStatus)) {
    throw bad(`unknown status ${JSON.stringify(status)}: use ${CLIENT_CHECK_IN_STATUSES.join(', ')}`);
  }
  const duration = checkIn.duration ?? null;
  if (duration !== null && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)) {
    throw bad('duration must be a number of seconds, at least 0');
  }
  const environment = checkIn.environment ?? null;
  if (environment !== null && typeof environment !== 'string') throw bad('environment must be a string');
  let monitorConfig: MonitorConfig | null = null;
  if (checkIn.monitor_config !== undefined && checkIn.monitor_config !== null) {
    try {
      monitorConfig = parseMonitorConfig(checkIn.monitor_config);
    } catch (error) {
      if (error instanceof MonitorConfigError) throw bad(`monitor_config.${error.message}`);
      throw error;
    }
  }
  return {
    checkInId,
    monitorSlug,
    status: status as ClientCheckInStatus,
    duration,
    environment: environment?.trim() || DEFAULT_MONITOR_ENVIRONMENT,
    monitorConfig,
  };
}
