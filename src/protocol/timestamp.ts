// Date, optional time part with optional fraction, optional zone: `2011-05-02T17:41:36.000+02:00`.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const NUMERIC = /^\d+(?:\.\d+)?$/;
const MAX_EPOCH_MS = 8.64e15;

function fromSeconds(seconds: number): number | undefined {
  const ms = Math.round(seconds * 1000);
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_EPOCH_MS ? ms : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

function fromIso(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // Checked rather than left to Date.UTC, which rolls over (Feb 30 → Mar 2) and reads years below
  // 100 as 19xx. Breadcrumbs carry one timestamp each, so this runs tens of times per event.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  const sign = m[9] === '-' ? -1 : 1;
  const offsetMinutes = m[9] === undefined ? 0 : sign * (Number(m[10]) * 60 + Number(m[11] ?? 0));
  return Math.round(Date.UTC(year, month - 1, day, hour, minute, second) + fraction - offsetMinutes * 60_000);
}

/**
 * Reads a Sentry timestamp as epoch milliseconds, rounded to the nearest millisecond:
 * a number of seconds (int or float, as the JS SDK sends), a numeric string of seconds, or an
 * ISO 8601 / RFC 3339 string where a missing zone means UTC (the Python SDK sends
 * `2026-11-28T16:15:36.184915Z`; older ones drop the `Z`). Returns undefined for anything else,
 * so callers can fall back to the receive time as Relay does.
 *
 * @example
 * parseTimestamp(1304358096.5)            // 1304358096500
 * parseTimestamp('2011-05-02T17:41:36')   // 1304358096000
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return fromSeconds(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return NUMERIC.test(text) ? fromSeconds(Number(text)) : fromIso(text);
}

/**
 * Clock drift smaller than this is ignored: it is more likely network and queueing delay than a
 * wrong client clock. Our choice, not a documented Sentry number.
 */
export const MIN_CLOCK_DRIFT_MS = 55 * 60_000;

/**
 * How far the client's clock is behind the server's, from the envelope's `sent_at` header:
 * add the result to every client timestamp of the envelope. 0 when `sent_at` is missing or
 * unreadable, or when the drift is below `minDriftMs`.
 *
 * @example
 * clockDriftMs('2024-01-01T10:00:00Z', Date.parse('2024-01-01T12:00:00Z')) // 7_200_000
 */
export function clockDriftMs(sentAt: unknown, receivedAt: number, minDriftMs = MIN_CLOCK_DRIFT_MS): number {
  const sent = parseTimestamp(sentAt);
  if (sent === undefined) return 0;
  const drift = receivedAt - sent;
  return Math.abs(drift) < minDriftMs ? 0 : drift;
}

/** How far from the receive time an event timestamp may be before it is replaced (Relay defaults). */
export interface TimestampBounds {
  maxFutureMs: number;
  maxPastMs: number;
}

export const DEFAULT_TIMESTAMP_BOUNDS: TimestampBounds = Object.freeze({
  maxFutureMs: 60_000,
  maxPastMs: 30 * 24 * 60 * 60_000,
});

export type TimestampProblem = 'future_timestamp' | 'past_timestamp';

/**
 * Keeps a timestamp inside the bounds around `receivedAt`; one outside them is replaced by
 * `receivedAt` and the reason returned, so the event still lands at a sensible time.
 */
export function boundTimestamp(
  timestamp: number,
  receivedAt: number,
  bounds: TimestampBounds = DEFAULT_TIMESTAMP_BOUNDS,
): { timestamp: number; problem?: TimestampProblem } {
  if (timestamp > receivedAt + bounds.maxFutureMs)
    return { timestamp: receivedAt, problem: 'future_timestamp' };
  if (timestamp < receivedAt - bounds.maxPastMs) return { timestamp: receivedAt, problem: 'past_timestamp' };
  return { timestamp };
}
