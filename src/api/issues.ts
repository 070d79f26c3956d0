import { AppError, notFound } from '../lib/app-error.js';
import { normalizeEventId } from '../protocol/event-id.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import {
  findEventByEventId,
  findIssueEdgeEvent,
  findNeighbourEventIds,
  listIssueEvents,
  listIssueHashes,
  listProjectIssues,
  type StoredEvent,
} from '../store/region/issue-reads.js';
import { listProjects } from '../store/region/projects.js';
import type { Project } from '../store/types.js';
import { orgEndpoint, projectEndpoint } from './access.js';
import { issueEndpoint } from './issue-access.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { serializeEvent, serializeEventSummary } from './serializers/event.js';
import { serializeIssue, serializeIssueDetail } from './serializers/issue.js';

const STATUS_TERMS: Record<string, string[]> = {
  'is:unresolved': ['unresolved'],
  'is:resolved': ['resolved'],
  'is:ignored': ['ignored'],
  'is:archived': ['ignored'],
  'is:muted': ['ignored'],
};

/** The status filter of a list query. Until the full search syntax lands, other terms are refused clearly. */
function statusFilter(call: ApiCall): string[] | undefined {
  const query = call.query.query === undefined ? 'is:unresolved' : String(call.query.query).trim();
  if (query === '') return undefined;
  const statuses = new Set<string>();
  for (const term of query.split(/\s+/)) {
    const match = STATUS_TERMS[term];
    if (!match) throw new AppError('bad_request', `Error parsing search query: unsupported term "${term}"`);
    for (const s of match) statuses.add(s);
  }
  return [...statuses];
}

async function listOfProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectIssues);
  const statuses = statusFilter(call);
  const issues = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listProjectIssues(call.ctx.db.region, [access.project.id], statuses ? { statuses } : {}, page),
  );
  return issues.map((issue) => serializeIssue(issue, access.project, access.org.slug, call.ctx.config.url));
}

async function listOfOrganization(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.issues);
  const statuses = statusFilter(call);
  const projects = await listProjects(call.ctx.db.region, access.org.id, { limit: 10_000, offset: 0 });
  const byId = new Map<number, Project>(projects.map((p) => [p.id, p]));
  const wanted = [call.query.project ?? []].flat().filter((p) => p !== '-1');
  const ids =
    wanted.length > 0
      ? projects.filter((p) => wanted.includes(String(p.id)) || wanted.includes(p.slug)).map((p) => p.id)
      : [...byId.keys()];
  const issues = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listProjectIssues(call.ctx.db.region, ids, statuses ? { statuses } : {}, page),
  );
  return issues.map((issue) =>
    serializeIssue(issue, byId.get(issue.projectId) as Project, access.org.slug, call.ctx.config.url),
  );
}

async function issueDetail(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const region = call.ctx.db.region;
  const tagRows = await region
    .selectFrom('issue_tags')
    .select(['key', (eb) => eb.fn.sum<number>('times_seen').as('total')])
    .where('issue_id', '=', access.issue.id)
    .groupBy('key')
    .orderBy('key')
    .execute();
  const reports = await region
    .selectFrom('user_reports')
    .innerJoin('events', (join) =>
      join
        .onRef('events.event_id', '=', 'user_reports.event_id')
        .onRef('events.project_id', '=', 'user_reports.project_id'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('events.issue_id', '=', access.issue.id)
    .executeTakeFirstOrThrow();
  return serializeIssueDetail(access.issue, access.project, access.org.slug, call.ctx.config.url, {
    tags: tagRows.map((t) => ({ key: t.key, name: t.key, totalValues: Number(t.total) })),
    userReportCount: Number(reports.n),
  });
}

async function issueEvents(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const events = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listIssueEvents(call.ctx.db.region, access.issue.id, page),
  );
  const full = call.query.full === 'true' || call.query.full === '1';
  return Promise.all(
    events.map(async (e) =>
      full ? serializeEvent(e, await findNeighbourEventIds(call.ctx.db.region, e)) : serializeEventSummary(e),
    ),
  );
}

function eventIdParam(call: ApiCall): string {
  try {
    return normalizeEventId(call.params.event);
  } catch (error) {
    if (error instanceof ProtocolError) throw notFound();
    throw error;
  }
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
  return serializeEvent(event, await findNeighbourEventIds(region, event));
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
function both(method: 'GET', suffix: string, handler: (call: ApiCall) => Promise<unknown>): ApiRoute[] {
  return [
    { method, url: `/organizations/:org/issues/:issue/${suffix}`, auth: PERMISSIONS.issues, handler },
    { method, url: `/issues/:issue/${suffix}`, auth: PERMISSIONS.issues, handler },
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
    method: 'GET',
    url: '/organizations/:org/issues/',
    auth: PERMISSIONS.issues,
    handler: listOfOrganization,
  },
  ...both('GET', '', issueDetail),
  ...both('GET', 'events/', issueEvents),
  ...both('GET', 'events/:event/', issueEvent),
  ...both('GET', 'hashes/', issueHashes),
];
