import { NIL_CHECK_IN_ID, parseCheckIn } from '../protocol/check-in.js';
import { ProtocolError } from '../protocol/protocol-error.js';

// Sentry's HTTP check-ins (`GET|POST /api/:projectId/cron/:monitorSlug/:publicKey/`), for jobs
// that have only curl: the check-in comes as query parameters (`status`, `check_in_id`,
// `environment`, `duration` in seconds), or as a JSON body that may also carry `monitor_config`.
// The monitor's slug is the path's. Without an id the check-in closes the latest run in progress.

const bad = (message: string) => new ProtocolError('invalid_check_in', `invalid check-in: ${message}`);

function fromQuery(query: URLSearchParams): Record<string, unknown> {
  const checkIn: Record<string, unknown> = {
    check_in_id: query.get('check_in_id') ?? NIL_CHECK_IN_ID,
    status: query.get('status') ?? undefined,
  };
  const environment = query.get('environment');
  if (environment !== null) checkIn.environment = environment;
  const duration = query.get('duration');
  if (duration !== null) {
    const seconds = duration.trim() === '' ? Number.NaN : Number(duration);
    if (!Number.isFinite(seconds)) throw bad('duration must be a number of seconds, at least 0');
    checkIn.duration = seconds;
  }
  return checkIn;
}

function fromJson(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw bad('the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not a JSON object');
  const checkIn = value as Record<string, unknown>;
  return { ...checkIn, check_in_id: checkIn.check_in_id ?? NIL_CHECK_IN_ID };
}

/**
 * The `check_in` item payload of an HTTP check-in: from the JSON body when there is one, else from
 * the query. Checked as an envelope's check-in is: ProtocolError `invalid_check_in` when Sentry
 * would refuse it (no or an unknown status, a bad id, slug, duration or `monitor_config`).
 */
export function httpCheckIn(
  monitorSlug: string,
  query: URLSearchParams,
  jsonBody: Buffer | null,
): Record<string, unknown> {
  const checkIn: Record<string, unknown> = {
    ...(jsonBody ? fromJson(jsonBody) : fromQuery(query)),
    monitor_slug: monitorSlug,
  };
  if (checkIn.status === undefined || checkIn.status === null) throw bad('status is required');
  parseCheckIn(checkIn);
  return checkIn;
}
