import { formatShortId } from '../../protocol/short-id.js';
import type { Issue } from '../../store/region/issue-reads.js';
import type { SeenStats } from '../../store/region/issue-stats.js';
import type { Project, User } from '../../store/types.js';
import { isoDate } from './dates.js';
import { serializeUser } from './user.js';

// Sentry derives an issue's initial priority from the level of its first event.
export function priorityOf(level: string): string {
  return level === 'fatal' || level === 'error' ? 'high' : level === 'warning' ? 'medium' : 'low';
}

function statusDetails(issue: Issue, resolution: IssueExtras['resolution']): Record<string, unknown> {
  if (issue.status === 'resolved' && resolution) {
    return { ...resolution.details, actor: resolution.actor ? serializeUser(resolution.actor) : null };
  }
  if (issue.status !== 'ignored') return {};
  return {
    ...(issue.ignoreUntil === null ? {} : { ignoreUntil: isoDate(issue.ignoreUntil) }),
    ...(issue.ignoreCount === null ? {} : { ignoreCount: issue.ignoreCount }),
    ...(issue.ignoreUserCount === null ? {} : { ignoreUserCount: issue.ignoreUserCount }),
  };
}

/** What differs per caller or needs other rows: assignee, bookmark, seen, the event graph. */
export interface IssueExtras {
  readonly assignedTo?: { type: 'user' | 'team'; id: string; name: string; email?: string } | null;
  readonly isBookmarked?: boolean;
  readonly hasSeen?: boolean;
  readonly stats?: Record<string, [number, number][]> | null;
  /** The issue's events in the list's window and environments, when it has either. */
  readonly seen?: SeenStats | null;
  /** The events the query's event terms match too (Sentry's `filtered`), when it has some. */
  readonly filtered?: { seen: SeenStats; stats: Record<string, [number, number][]> | null } | null;
  /** How a resolved issue was resolved in a release or commit (`inRelease`, …), and who did it. */
  readonly resolution?: { details: Record<string, unknown>; actor: User | null } | null;
}

/** Sentry's seen stats: `count` as a string, `userCount`, first and last seen (the issue's own when none). */
function seenFields(issue: Issue, seen: SeenStats, fallBack = true) {
  const date = (at: number | null, own: number) =>
    at !== null ? isoDate(at) : fallBack ? isoDate(own) : null;
  return {
    count: String(seen.count),
    userCount: seen.userCount,
    firstSeen: date(seen.firstSeen, issue.firstSeen),
    lastSeen: date(seen.lastSeen, issue.lastSeen),
  };
}

/**
 * Sentry's issue (group) object as issue lists return it: `count`, `userCount` and the graphs in
 * the list's window and environments, `lifetime` for all time, `filtered` for the events the
 * query's terms match as well.
 */
export function serializeIssue(
  issue: Issue,
  project: Project,
  orgSlug: string,
  baseUrl: string,
  extras: IssueExtras = {},
) {
  const lifetime: SeenStats = {
    count: issue.timesSeen,
    userCount: issue.userCount,
    firstSeen: issue.firstSeen,
    lastSeen: issue.lastSeen,
  };
  return {
    id: String(issue.id),
    shareId: null,
    shortId: formatShortId(project.slug, issue.shortId),
    title: issue.title,
    culprit: issue.culprit,
    permalink: `${baseUrl}/organizations/${orgSlug}/issues/${issue.id}/`,
    logger: issue.logger,
    level: issue.level,
    status: issue.status,
    statusDetails: statusDetails(issue, extras.resolution),
    substatus: issue.substatus,
    isPublic: issue.isPublic,
    platform: issue.platform,
    priority: issue.priority ?? priorityOf(issue.level),
    priorityLockedAt: null,
    seerFixabilityScore: null,
    seerAutofixLastTriggered: null,
    seerExplorerAutofixLastTriggered: null,
    project: { id: String(project.id), name: project.name, slug: project.slug, platform: project.platform },
    type: issue.type,
    issueType: 'error',
    issueCategory: 'error',
    metadata: issue.metadata,
    numComments: 0,
    assignedTo: extras.assignedTo ?? null,
    isBookmarked: extras.isBookmarked ?? false,
    isSubscribed: false,
    subscriptionDetails: null,
    hasSeen: extras.hasSeen ?? false,
    annotations: [] as unknown[],
    isUnhandled: false,
    ...seenFields(issue, extras.seen ?? lifetime),
    derivedData: null,
    // Required by Sentry's schema; keyed by graph period, so empty when no graph was asked for.
    stats: extras.stats ?? {},
    lifetime: { ...seenFields(issue, lifetime), stats: null },
    filtered: extras.filtered
      ? { ...seenFields(issue, extras.filtered.seen, false), stats: extras.filtered.stats }
      : null,
    sessionCount: null,
    inbox: null,
    owners: null,
    integrationIssues: [] as unknown[],
    sentryAppIssues: [] as unknown[],
    latestEventHasAttachments: false,
    matchingEventId: null,
    matchingEventEnvironment: null,
  };
}

/** What the issue detail adds to the list form, each part serialized already. */
export interface IssueDetailParts {
  readonly tags: { key: string; name: string; totalValues: number }[];
  readonly userReportCount: number;
  /** Sentry's release objects of the first and last release (`{version}` for one not there). */
  readonly firstRelease: unknown;
  readonly lastRelease: unknown;
  /** Newest first, ending with `first_seen`. */
  readonly activity: unknown[];
  /** The users who took part in the issue. */
  readonly participants: readonly User[];
}

/** The issue detail: the list form plus releases, tags, activity and participants. */
export function serializeIssueDetail(
  issue: Issue,
  project: Project,
  orgSlug: string,
  baseUrl: string,
  extra: IssueDetailParts,
  extras: IssueExtras = {},
) {
  return {
    ...serializeIssue(issue, project, orgSlug, baseUrl, extras),
    firstRelease: extra.firstRelease,
    lastRelease: extra.lastRelease,
    tags: extra.tags,
    activity: extra.activity,
    seenBy: [] as unknown[],
    participants: extra.participants.map(serializeUser),
    pluginActions: [] as unknown[],
    pluginIssues: [] as unknown[],
    pluginContexts: [] as unknown[],
    userReportCount: extra.userReportCount,
    stats: extras.stats ?? null,
  };
}
