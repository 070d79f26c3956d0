import type { UserReport } from '../../store/region/user-reports.js';
import { isoDate } from './dates.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A `feedback` item is stored with the event it came as; a legacy report with its own fields. */
function feedbackOf(report: UserReport): Json | undefined {
  return report.data.type === 'feedback' ? obj(obj(report.data.contexts)?.feedback) : undefined;
}

/**
 * Sentry's user report: `id`, `eventID`, `name`, `email`, `comments`, `dateCreated`, `user` and
 * `event` (`id` set once the event is stored). Two fields Sentry's legacy reports lack say what a
 * `feedback` item adds: `source` (`user_report` or `feedback`) and `url`, the page it was sent from.
 */
export function serializeUserReport(report: UserReport, options: { readonly eventStored: boolean }) {
  const feedback = feedbackOf(report);
  return {
    id: String(report.id),
    eventID: report.eventId,
    name: report.name ?? '',
    email: report.email ?? '',
    comments: report.comments,
    dateCreated: isoDate(report.dateCreated),
    user: null,
    event: { id: options.eventStored ? report.eventId : null, eventID: report.eventId },
    source: feedback ? 'feedback' : 'user_report',
    url: feedback ? (text(feedback.url) ?? text(obj(report.data.request)?.url)) : null,
  };
}
