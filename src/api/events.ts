import { notFound } from '../lib/app-error.js';
import { findEventByEventId, findIssueById, listProjectEvents } from '../store/region/issue-reads.js';
import { orgEndpoint, projectEndpoint, reachedProjects } from './access.js';
import { eventDetail } from './event-detail.js';
import { paginate } from './pagination.js';
import { eventIdParam } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { serializeEventSummary } from './serializers/event.js';
import { serializeIssue } from './serializers/issue.js';

async function listEvents(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectEvents);
  const events = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listProjectEvents(call.ctx.db.region, access.project.id, page),
  );
  const full = call.query.full === 'true' || call.query.full === '1';
  return Promise.all(events.map(async (e) => (full ? eventDetail(call, e) : serializeEventSummary(e))));
}

async function getEvent(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectEvents);
  const event = await findEventByEventId(call.ctx.db.region, access.project.id, eventIdParam(call));
  if (!event) throw notFound();
  return eventDetail(call, event);
}

/**
 * `GET /organizations/:org/eventids/:event/`: which project and issue an event id belongs to,
 * searched only in the projects whose events the caller may read; elsewhere it is not found.
 */
async function resolveEventId(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.eventIds);
  const eventId = eventIdParam(call);
  const projects = await reachedProjects(call, access, PERMISSIONS.projectEvents);
  for (const project of projects) {
    const event = await findEventByEventId(call.ctx.db.region, project.id, eventId);
    if (!event) continue;
    const issue = event.issueId === null ? undefined : await findIssueById(call.ctx.db.region, event.issueId);
    return {
      organizationSlug: access.org.slug,
      projectSlug: project.slug,
      groupId: event.issueId === null ? null : String(event.issueId),
      eventId: event.eventId,
      event: await eventDetail(call, event),
      ...(issue ? { group: serializeIssue(issue, project, access.org.slug, call.ctx.config.url) } : {}),
    };
  }
  throw notFound();
}

export const eventRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/projects/:org/:project/events/',
    auth: PERMISSIONS.projectEvents,
    handler: listEvents,
  },
  {
    method: 'GET',
    url: '/projects/:org/:project/events/:event/',
    auth: PERMISSIONS.projectEvents,
    handler: getEvent,
  },
  {
    method: 'GET',
    url: '/organizations/:org/eventids/:event/',
    auth: PERMISSIONS.eventIds,
    handler: resolveEventId,
  },
];
