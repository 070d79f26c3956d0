import { findNeighbourEventIds, type StoredEvent } from '../store/region/issue-reads.js';
import { findLatestUserReport } from '../store/region/user-reports.js';
import type { ApiCall } from './route.js';
import { serializeEvent } from './serializers/event.js';

/** Sentry's full event with what it is read with: its neighbours in its issue and its user report. */
export async function eventDetail(call: ApiCall, event: StoredEvent) {
  const region = call.ctx.db.region;
  const [neighbours, report] = await Promise.all([
    findNeighbourEventIds(region, event),
    findLatestUserReport(region, event.projectId, event.eventId),
  ]);
  return serializeEvent(event, neighbours, report ?? null);
}
