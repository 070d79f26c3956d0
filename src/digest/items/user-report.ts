import { normalizeEventId } from '../../protocol/event-id.js';
import { asObject, asString } from '../../protocol/json-read.js';
import { insertUserReport } from '../../store/region/user-reports.js';
import type { ItemDigester } from '../item-digester.js';
import { clientTime, readJsonObject } from './read-item.js';

function eventIdOf(value: unknown): string | undefined {
  try {
    return value === undefined || value === null ? undefined : normalizeEventId(value);
  } catch {
    return undefined;
  }
}

/** A trimmed, non-empty string, else null. */
function text(value: unknown): string | null {
  return asString(value)?.trim() || null;
}

/**
 * `user_report` items, the legacy feedback `{event_id, email, name, comments}`: stored against
 * the event they name (the envelope's when they name none). Skipped without `comments` or an
 * event id.
 */
export const digestUserReport: ItemDigester = async (ctx, item) => {
  const report = readJsonObject(item.payload);
  const comments = asString(report?.comments);
  if (report === undefined || comments === undefined) return;
  const eventId = eventIdOf(report.event_id) ?? ctx.eventId;
  if (eventId === null) return;
  await insertUserReport(ctx.trx, {
    projectId: ctx.raw.projectId,
    eventId,
    name: text(report.name),
    email: text(report.email),
    comments,
    dateCreated: ctx.raw.receivedAt,
    data: report,
  });
};

/**
 * `feedback` items: an event whose `contexts.feedback` holds `message` (required), `contact_email`,
 * `name` and `associated_event_id`; name and email fall back to the event's user. Stored against
 * the associated event, if any, at the event's time.
 */
export const digestFeedback: ItemDigester = async (ctx, item) => {
  const event = readJsonObject(item.payload);
  const feedback = asObject(asObject(event?.contexts)?.feedback);
  const message = text(feedback?.message);
  if (event === undefined || feedback === undefined || message === null) return;
  const user = asObject(event.user);
  await insertUserReport(ctx.trx, {
    projectId: ctx.raw.projectId,
    eventId: eventIdOf(feedback.associated_event_id) ?? null,
    name: text(feedback.name) ?? text(user?.name) ?? text(user?.username),
    email: text(feedback.contact_email) ?? text(user?.email),
    comments: message,
    dateCreated: clientTime(ctx, event.timestamp),
    data: event,
  });
};
