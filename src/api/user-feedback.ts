import { AppError, badRequest } from '../lib/app-error.js';
import { normalizeEventId } from '../protocol/event-id.js';
import { IssueQueryError, parseTimeWindow } from '../protocol/issue-query.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { findEventByEventId, findIssueById, type Issue } from '../store/region/issue-reads.js';
import {
  findUserReports,
  insertUserReport,
  type LinkedUserReport,
  listUserReports,
  type UserReportFilter,
  updateUserReport,
} from '../store/region/user-reports.js';
import type { Project } from '../store/types.js';
import { forbidden, type OrgAccess, orgEndpoint, projectEndpoint, reachedProjects } from './access.js';
import { issueEndpoint } from './issue-access.js';
import { paginate } from './pagination.js';
import { queryValues as all, queryValue as one } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { object, str } from './schema.js';
import { serializeIssue } from './serializers/issue.js';
import { serializeUserReport } from './serializers/user-report.js';

// User feedback as Sentry's REST API serves it: a project's reports (listed, and sent the legacy
// way), the organization's, and an issue's. Legacy `user_report` items and `feedback` items from
// `captureFeedback` are both reports here, tied to the event they name and through it to its issue.

const MINUTE_MS = 60_000;
/** Sentry takes a report only while its event is fresh... */
const EVENT_AGE_LIMIT_MS = 30 * MINUTE_MS;
/** ...and lets a report be sent again (a retry after a network failure) only for a short while. */
const REPORT_EDIT_WINDOW_MS = 5 * MINUTE_MS;
const CANNOT_MODIFY = 'Feedback for this event cannot be modified.';

function fieldError(field: string, message: string): AppError {
  return badRequest({ [field]: [message], detail: `${field}: ${message}` });
}

/**
 * The list filters Sentry's user feedback lists take: `environment` (repeatable), `status`
 * (`unresolved`, the default, or empty for all) and, on the organization's list, the window.
 */
function filterOf(call: ApiCall, projectIds: readonly number[]): UserReportFilter {
  const status = one(call.query.status) ?? 'unresolved';
  if (status !== 'unresolved' && status !== '')
    throw badRequest('Invalid status choice: use "unresolved", or an empty status for every report.');
  let window: { start: number; end: number } | undefined;
  try {
    window = parseTimeWindow(
      { statsPeriod: one(call.query.statsPeriod), start: one(call.query.start), end: one(call.query.end) },
      call.ctx.now(),
    );
  } catch (error) {
    if (error instanceof IssueQueryError) throw badRequest(error.message);
    throw error;
  }
  return {
    projectIds,
    environments: all(call.query.environment).filter((e) => e !== ''),
    unresolvedOnly: status === 'unresolved',
    ...(window ? { window } : {}),
  };
}

/** Sentry's reports with their issue (`issue`: null where the report reaches none). */
async function withIssues(
  call: ApiCall,
  access: OrgAccess,
  reports: readonly LinkedUserReport[],
  projects: ReadonlyMap<number, Project>,
) {
  const issues = new Map<number, Issue | undefined>();
  for (const id of new Set(reports.flatMap((r) => (r.issueId === null ? [] : [r.issueId])))) {
    issues.set(id, await findIssueById(call.ctx.db.region, id));
  }
  return reports.map((r) => {
    const issue = r.issueId === null ? undefined : issues.get(r.issueId);
    const project = projects.get(r.projectId);
    return {
      ...serializeUserReport(r, r),
      issue: issue && project ? serializeIssue(issue, project, access.org.slug, call.ctx.config.url) : null,
    };
  });
}

async function listOfProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.userFeedback);
  const filter = filterOf(call, [access.project.id]);
  const reports = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listUserReports(call.ctx.db.region, filter, page),
  );
  return withIssues(call, access, reports, new Map([[access.project.id, access.project]]));
}

async function listOfOrganization(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organizationUserFeedback);
  let projects = await reachedProjects(call, access, { GET: PERMISSIONS.userFeedback.GET });
  const wanted = all(call.query.project).filter((p) => p !== '-1' && p !== '');
  if (wanted.length > 0) {
    const chosen = projects.filter((p) => wanted.includes(String(p.id)) || wanted.includes(p.slug));
    if (chosen.length !== wanted.length) throw forbidden();
    projects = chosen;
  }
  const filter = filterOf(
    call,
    projects.map((p) => p.id),
  );
  const reports = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listUserReports(call.ctx.db.region, filter, page),
  );
  return withIssues(call, access, reports, new Map(projects.map((p) => [p.id, p])));
}

async function listOfIssue(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const filter: UserReportFilter = {
    projectIds: [access.project.id],
    issueId: access.issue.id,
    environments: all(call.query.environment).filter((e) => e !== ''),
  };
  const reports = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listUserReports(call.ctx.db.region, filter, page),
  );
  return reports.map((r) => serializeUserReport(r, r));
}

interface ReportBody {
  event_id: string;
  name: string;
  email: string;
  comments: string;
}

function eventIdOf(value: string): string {
  try {
    return normalizeEventId(value);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw fieldError('event_id', 'Enter a valid event id (32 hex digits).');
    throw error;
  }
}

/**
 * `POST …/user-feedback/`, the legacy way to send a report: stored against the event it names,
 * which need not have arrived yet. Sentry's limits hold: an event older than 30 minutes, or a
 * report on it older than 5 minutes (which a newer one would overwrite), gets 409.
 */
async function sendReport(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.userFeedback);
  const body = call.body as ReportBody;
  const eventId = eventIdOf(body.event_id);
  const name = body.name.trim();
  const email = body.email.trim();
  const comments = body.comments.trim();
  if (name === '') throw fieldError('name', 'This field may not be blank.');
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw fieldError('email', 'Enter a valid email address.');
  if (comments === '') throw fieldError('comments', 'This field may not be blank.');
  const region = call.ctx.db.region;
  const now = call.ctx.now();
  const event = await findEventByEventId(region, access.project.id, eventId);
  if (event && event.receivedAt < now - EVENT_AGE_LIMIT_MS) throw new AppError('conflict', CANNOT_MODIFY);
  const data = { event_id: eventId, name, email, comments };
  const earlier = (await findUserReports(region, access.project.id, eventId)).filter(
    (r) => r.data.type !== 'feedback',
  );
  const latest = earlier.at(-1);
  if (latest && latest.dateCreated < now - REPORT_EDIT_WINDOW_MS)
    throw new AppError('conflict', CANNOT_MODIFY);
  let id: number;
  if (latest) {
    await updateUserReport(region, latest.id, { name, email, comments, data });
    id = latest.id;
  } else {
    id = await insertUserReport(region, {
      projectId: access.project.id,
      eventId,
      name,
      email,
      comments,
      dateCreated: now,
      data,
    });
  }
  const report: LinkedUserReport = {
    id,
    projectId: access.project.id,
    eventId,
    name,
    email,
    comments,
    dateCreated: latest?.dateCreated ?? now,
    data,
    eventStored: event !== undefined,
    issueId: event?.issueId ?? null,
  };
  const [serialized] = await withIssues(
    call,
    access,
    [report],
    new Map([[access.project.id, access.project]]),
  );
  return serialized;
}

const reportBody = object(
  { event_id: str(36, 1), name: str(128, 1), email: str(75, 1), comments: str(4096, 1) },
  ['event_id', 'name', 'email', 'comments'],
);

// Sentry serves both names of each list, `user-feedback` and the older `user-reports`.
const NAMES = ['user-feedback', 'user-reports'] as const;

export const userFeedbackRoutes: ApiRoute[] = [
  ...NAMES.flatMap((name): ApiRoute[] => [
    {
      method: 'GET',
      url: `/projects/:org/:project/${name}/`,
      auth: PERMISSIONS.userFeedback,
      handler: listOfProject,
    },
    {
      method: 'POST',
      url: `/projects/:org/:project/${name}/`,
      auth: PERMISSIONS.userFeedback,
      body: reportBody,
      handler: sendReport,
    },
    {
      method: 'GET',
      url: `/organizations/:org/issues/:issue/${name}/`,
      auth: PERMISSIONS.issues,
      handler: listOfIssue,
    },
    { method: 'GET', url: `/issues/:issue/${name}/`, auth: PERMISSIONS.issues, handler: listOfIssue },
  ]),
  {
    method: 'GET',
    url: '/organizations/:org/user-feedback/',
    auth: PERMISSIONS.organizationUserFeedback,
    handler: listOfOrganization,
  },
];
