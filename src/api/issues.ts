import { AppError, notFound } from '../lib/app-error.js';
import { findUsersByIds } from '../store/control/users.js';
import { listIssueActivity } from '../store/region/issue-activity.js';
import { listIssueParticipantIds } from '../store/region/issue-participants.js';
import {
  countIssueEvents,
  findEventByEventId,
  findIssueEdgeEvent,
  listIssueEvents,
  listIssueHashes,
  type StoredEvent,
} from '../store/region/issue-reads.js';
import { listIssueTagKeyTotals } from '../store/region/issue-tags.js';
import { findRelease } from '../store/region/releases.js';
import { countIssueUserReports } from '../store/region/user-reports.js';
import type { Project } from '../store/types.js';
import { type OrgAccess, orgEndpoint, projectEndpoint } from './access.js';
import { eventDetail } from './event-detail.js';
import { eventListScope } from './event-query.js';
import { type IssueAccess, issueEndpoint } from './issue-access.js';
import { bulkTargets, type CountOptions, extrasFor, issueListPage, listedProjects } from './issue-list.js';
import { serializeCommitsById } from './issue-resolution.js';
import { applyIssueUpdate, ISSUE_UPDATE_SCHEMA, type IssueUpdate, removeIssues } from './issue-updates.js';
import { paginate } from './pagination.js';
import { eventIdParam } from './params.js';
import { PERMISSIONS } from './permissions.js';
import { serialize as serializeReleases } from './releases.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { firstSeenActivity, serializeActivity } from './serializers/activity.js';
import { serializeEventSummary } from './serializers/event.js';
import { priorityOf, serializeIssueDetail } from './serializers/issue.js';

async function listOfProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectIssues);
  return issueListPage(call, access, [access.project], {
    withWindow: false,
    statsParam: 'statsPeriod',
    defaultStats: '24h',
  });
}

async function listOfOrganization(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.issues);
  const projects = await listedProjects(call, access);
  return issueListPage(call, access, projects, {
    withWindow: true,
    statsParam: 'groupStatsPeriod',
    defaultStats: null,
  });
}

/** Bulk `PUT` on an issue list: the same body as for one issue, applied to `?id=…` or to a search. */
async function bulkUpdate(call: ApiCall, access: OrgAccess, projects: readonly Project[]) {
  const issues = await bulkTargets(call, access, projects);
  if (issues.length === 0) return noContent(call);
  return applyIssueUpdate(call, access, issues, call.body as IssueUpdate);
}

async function bulkDelete(call: ApiCall, access: OrgAccess, projects: readonly Project[]) {
  const issues = await bulkTargets(call, access, projects);
  if (issues.length > 0) await removeIssues(call, issues);
  return noContent(call);
}

async function updateProjectIssues(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectIssues);
  return bulkUpdate(call, access, [access.project]);
}

async function deleteProjectIssues(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectIssues);
  return bulkDelete(call, access, [access.project]);
}

async function updateOrganizationIssues(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.issues);
  return bulkUpdate(call, access, await listedProjects(call, access));
}

async function deleteOrganizationIssues(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.issues);
  return bulkDelete(call, access, await listedProjects(call, access));
}

async function issueDetail(call: ApiCall) {
  return issueDetailOf(call, await issueEndpoint(call, PERMISSIONS.issues));
}

async function issueDetailOf(call: ApiCall, access: IssueAccess) {
  const region = call.ctx.db.region;
  const tagKeys = await listIssueTagKeyTotals(region, access.issue.id);
  const extras = (await extrasFor(call, [access.issue], detailCounts(call, access))).get(access.issue.id);
  const { issue } = access;
  return serializeIssueDetail(
    issue,
    access.project,
    access.org.slug,
    call.ctx.config.url,
    {
      tags: tagKeys.map((t) => ({ key: t.key, name: t.key, totalValues: t.totalValues })),
      userReportCount: await countIssueUserReports(region, access.project.id, access.issue.id),
      firstRelease: await releaseObject(call, access, issue.firstRelease),
      lastRelease: await releaseObject(call, access, issue.lastRelease),
      activity: await activityOf(call, access),
      participants: await participantsOf(call, access),
    },
    extras,
  );
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Sentry's issue detail graphs, `24h` hourly and `30d` daily, and its counts, in the `environment`s
 * asked for. Each graph counts exactly the events of its window, so that it adds up to the count
 * an issue list with the same `statsPeriod` and `environment` shows.
 */
function detailCounts(call: ApiCall, access: IssueAccess): CountOptions {
  const now = call.ctx.now();
  const environment = call.query.environment;
  const environments = (
    environment === undefined ? [] : Array.isArray(environment) ? environment : [environment]
  ).filter((e): e is string => typeof e === 'string' && e !== '');
  return {
    graphs: [
      { key: '24h', range: { start: now - DAY_MS, end: now, bucketMs: HOUR_MS } },
      { key: '30d', range: { start: now - 30 * DAY_MS, end: now, bucketMs: DAY_MS } },
    ],
    scope: { projectIds: [access.project.id], environments },
    filterTerms: [],
  };
}

/** An issue's release as Sentry's issue detail shows it: the release object, or `{version}` alone. */
async function releaseObject(call: ApiCall, access: IssueAccess, version: string | null) {
  if (version === null) return null;
  const release = await findRelease(call.ctx.db.region, access.org.id, version);
  if (!release) return { version };
  return (await serializeReleases(call, [release], [access.project]))[0];
}

/** Sentry's activity of an issue: the latest 100 entries, newest first, then `first_seen`. */
async function activityOf(call: ApiCall, access: IssueAccess) {
  const rows = await listIssueActivity(call.ctx.db.region, access.issue.id, 99);
  const users = await findUsersByIds(
    call.ctx.db.control,
    rows.flatMap((r) => (r.userId === null ? [] : [r.userId])),
  );
  // Sentry keeps a resolving commit's id in the activity and shows the commit itself.
  const commits = await serializeCommitsById(
    call,
    rows.flatMap((r) => (r.type === 'set_resolved_in_commit' ? [Number(r.data.commit)] : [])),
  );
  return [
    ...rows.map((r) =>
      serializeActivity(
        r.type === 'set_resolved_in_commit'
          ? { ...r, data: { commit: commits.get(Number(r.data.commit)) ?? null } }
          : r,
        r.userId === null ? null : (users.get(r.userId) ?? null),
      ),
    ),
    firstSeenActivity(access.issue.firstSeen, priorityOf(access.issue.level)),
  ];
}

/** Who took part in the issue, as users that still exist. */
async function participantsOf(call: ApiCall, access: IssueAccess) {
  const ids = await listIssueParticipantIds(call.ctx.db.region, access.issue.id);
  const users = await findUsersByIds(call.ctx.db.control, ids);
  return ids.flatMap((id) => users.get(id) ?? []);
}

async function updateIssue(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const update = call.body as IssueUpdate;
  if (update.merge !== undefined)
    throw new AppError('bad_request', 'Merge several issues with a bulk update of the issue list.');
  await applyIssueUpdate(call, access, [access.issue], update);
  const reread = await issueEndpoint(call, PERMISSIONS.issues);
  return issueDetailOf(call, reread);
}

async function deleteIssue(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  await removeIssues(call, [access.issue]);
  // Sentry queues the deletion and answers 202; Errata deletes at once and answers the same.
  return noContent(call, 202);
}

/**
 * `GET …/issues/:issue/events/`: the issue's events, newest first, narrowed by `query` (event terms:
 * tags, `environment:`, `release:`, `level:`, `user.<field>:`, free text on the message),
 * `environment` and the time window (`statsPeriod` or `start`/`end`); `X-Hits` counts them all.
 */
async function issueEvents(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const scope = eventListScope(call, [access.project.id]);
  const events = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listIssueEvents(call.ctx.db.region, access.issue.id, page, { engine: call.ctx.db.engine, scope }),
  );
  // Sentry's X-Hits: how many events match in all, for "event N of M" and page ranges.
  const hits = await countIssueEvents(call.ctx.db.region, access.issue.id, {
    engine: call.ctx.db.engine,
    scope,
  });
  call.reply.header('X-Hits', String(hits));
  const full = call.query.full === 'true' || call.query.full === '1';
  return Promise.all(events.map(async (e) => (full ? eventDetail(call, e) : serializeEventSummary(e))));
}

async function issueEvent(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const region = call.ctx.db.region;
  const which = call.params.event as string;
  let event: StoredEvent | undefined;
  if (which === 'latest' || which === 'recommended')
    event = await findIssueEdgeEvent(region, access.issue.id, 'latest');
  else if (which === 'oldest') event = await findIssueEdgeEvent(region, access.issue.id, 'oldest');
  else {
    event = await findEventByEventId(region, access.project.id, eventIdParam(call));
    if (event && event.issueId !== access.issue.id) event = undefined;
  }
  if (!event) throw notFound();
  return eventDetail(call, event);
}

async function issueHashes(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const hashes = await listIssueHashes(call.ctx.db.region, access.issue.id);
  const latest = await findIssueEdgeEvent(call.ctx.db.region, access.issue.id, 'latest');
  return hashes.map((h) => ({
    id: h.hash,
    mechanism: h.mechanism,
    latestEvent: latest ? serializeEventSummary(latest) : null,
  }));
}

/** The same issue routes exist under an organization and at the top level, as in Sentry. */
function both(
  method: 'GET' | 'PUT' | 'DELETE',
  suffix: string,
  handler: (call: ApiCall) => Promise<unknown>,
  body?: Record<string, unknown>,
): ApiRoute[] {
  return [
    {
      method,
      url: `/organizations/:org/issues/:issue/${suffix}`,
      auth: PERMISSIONS.issues,
      handler,
      ...(body ? { body } : {}),
    },
    { method, url: `/issues/:issue/${suffix}`, auth: PERMISSIONS.issues, handler, ...(body ? { body } : {}) },
  ];
}

export const issueRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/projects/:org/:project/issues/',
    auth: PERMISSIONS.projectIssues,
    handler: listOfProject,
  },
  {
    method: 'PUT',
    url: '/projects/:org/:project/issues/',
    auth: PERMISSIONS.projectIssues,
    body: ISSUE_UPDATE_SCHEMA,
    handler: updateProjectIssues,
  },
  {
    method: 'DELETE',
    url: '/projects/:org/:project/issues/',
    auth: PERMISSIONS.projectIssues,
    handler: deleteProjectIssues,
  },
  {
    method: 'GET',
    url: '/organizations/:org/issues/',
    auth: PERMISSIONS.issues,
    handler: listOfOrganization,
  },
  {
    method: 'PUT',
    url: '/organizations/:org/issues/',
    auth: PERMISSIONS.issues,
    body: ISSUE_UPDATE_SCHEMA,
    handler: updateOrganizationIssues,
  },
  {
    method: 'DELETE',
    url: '/organizations/:org/issues/',
    auth: PERMISSIONS.issues,
    handler: deleteOrganizationIssues,
  },
  ...both('GET', '', issueDetail),
  ...both('PUT', '', updateIssue, ISSUE_UPDATE_SCHEMA),
  ...both('DELETE', '', deleteIssue),
  ...both('GET', 'events/', issueEvents),
  ...both('GET', 'events/:event/', issueEvent),
  ...both('GET', 'hashes/', issueHashes),
];
