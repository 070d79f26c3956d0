import { normalizeEventId } from '../../protocol/event-id.js';
import { asString } from '../../protocol/json-read.js';
import { upsertCheckIn } from '../../store/region/check-ins.js';
import type { ItemDigester } from '../item-digester.js';
import { readJsonObject } from './read-item.js';

/** Check-in statuses Sentry knows; any other string is kept as `unknown`, as Relay does. */
const STATUSES = new Set(['in_progress', 'ok', 'error', 'missed', 'timeout', 'unknown']);

function checkInIdOf(value: unknown): string | undefined {
  try {
    return normalizeEventId(value);
  } catch {
    return undefined;
  }
}

/**
 * `check_in` items, `{check_in_id, monitor_slug, status, duration (seconds), environment, …}`:
 * one row per run of a monitor, which the run's later check-ins (same id) update. Skipped
 * without a UUID check-in id, a monitor slug or a status.
 */
export const digestCheckIn: ItemDigester = async (ctx, item) => {
  const checkIn = readJsonObject(item.payload);
  if (checkIn === undefined) return;
  const checkInId = checkInIdOf(checkIn.check_in_id);
  const monitorSlug = asString(checkIn.monitor_slug)?.trim();
  const status = asString(checkIn.status)?.toLowerCase();
  if (checkInId === undefined || !monitorSlug || !status) return;
  const duration = checkIn.duration;
  await upsertCheckIn(ctx.trx, {
    projectId: ctx.raw.projectId,
    checkInId,
    monitorSlug,
    status: STATUSES.has(status) ? status : 'unknown',
    duration:
      typeof duration === 'number' && Number.isFinite(duration) && duration >= 0 ? duration * 1000 : null,
    environment: asString(checkIn.environment)?.trim() || null,
    dateCreated: ctx.raw.receivedAt,
    data: checkIn,
  });
};
