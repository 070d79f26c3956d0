import type { Activity } from '../../store/region/issue-activity.js';
import type { User } from '../../store/types.js';
import { isoDate } from './dates.js';
import { serializeUser } from './user.js';

/** Sentry's activity object: who did what to an issue, and when. */
export function serializeActivity(activity: Activity, user: User | null) {
  return {
    id: String(activity.id),
    user: user ? serializeUser(user) : null,
    sentry_app: null,
    type: activity.type,
    data: activity.data,
    dateCreated: isoDate(activity.dateCreated),
  };
}

/**
 * The `first_seen` entry Sentry ends every issue's activity with: not a stored row (its id is "0"),
 * dated by the first event, with the priority the issue started with.
 */
export function firstSeenActivity(firstSeen: number, priority: string) {
  return {
    id: '0',
    user: null,
    sentry_app: null,
    type: 'first_seen',
    data: { priority },
    dateCreated: isoDate(firstSeen),
  };
}
