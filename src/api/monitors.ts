import type { Kysely } from 'kysely';
import { badRequest, notFound } from '../lib/app-error.js';
import { MAX_MONITOR_SLUG, slugifyMonitor } from '../protocol/check-in.js';
import { type MonitorConfig, MonitorConfigError, parseMonitorConfig } from '../protocol/monitor-config.js';
import { isUniqueViolation } from '../store/conflict.js';
import { listCheckIns } from '../store/region/check-ins.js';
import { resolveUnresolvedIssues } from '../store/region/issue-updates.js';
import {
  deleteMonitor,
  deleteMonitorEnvironments,
  findIncidentIssueId,
  findMonitor,
  findMonitorBySlug,
  insertMonitor,
  listMonitorEnvironments,
  listMonitors,
  type Monitor,
  type MonitorChange,
  updateMonitor,
} from '../store/region/monitors.js';
import { findProjectById } from '../store/region/projects.js';
import type { RegionSchema } from '../store/schema.js';
import type { Project } from '../store/types.js';
import {
  type OrgAccess,
  orgAccess,
  orgEndpoint,
  projectAccess,
  projectEndpoint,
  reachedProjects,
} from './access.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { bool, object, str } from './schema.js';
import { serializeCheckIn, serializeMonitor } from './serializers/monitor.js';

// Cron monitors, as Sentry's crons API serves them: the organization's list (sentry-cli `monitors
// list`) and creation, and each monitor with its check-ins, at organization and project level.
// A caller sees and changes the monitors of the projects it reaches, with the scopes it holds there.

const SLUG_PATTERN = /^(?![0-9]+$)[a-z0-9_-]+$/;
const MAX_NAME = 128;
const values = (value: string | string[] | undefined) => [value ?? []].flat();

async function withEnvironments(
  call: ApiCall,
  monitors: readonly Monitor[],
  projects: ReadonlyMap<number, Project>,
) {
  const environments = await listMonitorEnvironments(
    call.ctx.db.region,
    monitors.map((m) => m.id),
  );
  return monitors.map((m) =>
    serializeMonitor(m, projects.get(m.projectId) as Project, environments.get(m.id) ?? []),
  );
}

function configOf(value: unknown): MonitorConfig {
  try {
    return parseMonitorConfig(value);
  } catch (error) {
    if (error instanceof MonitorConfigError) throw badRequest(`config.${error.message}`);
    throw error;
  }
}

function slugOf(value: unknown): string {
  if (typeof value !== 'string' || !SLUG_PATTERN.test(value) || value.length > MAX_MONITOR_SLUG) {
    throw badRequest(
      `slug: Invalid monitor slug: use at most ${MAX_MONITOR_SLUG} lowercase letters, digits, "_" and "-", not digits only.`,
    );
  }
  return value;
}

function nameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('name: This field is required.');
  if (value.length > MAX_NAME)
    throw badRequest(`name: Ensure this field has no more than ${MAX_NAME} characters.`);
  return value.trim();
}

/** The project a body names (id or slug), among those the caller may change monitors in. */
async function projectOf(call: ApiCall, access: OrgAccess, value: unknown): Promise<Project> {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw badRequest('project: This field is required.');
  const wanted = String(value);
  const reached = await reachedProjects(call, access, PERMISSIONS.monitors);
  const project = reached.find((p) => p.slug === wanted || String(p.id) === wanted);
  if (!project) throw badRequest('project: Invalid project.');
  return project;
}

/** The monitor change a PUT body asks for (each field optional), checked. */
async function changeOf(
  call: ApiCall,
  access: OrgAccess,
  body: Record<string, unknown>,
): Promise<MonitorChange> {
  const status = body.status;
  if (status !== undefined && status !== 'active' && status !== 'disabled') {
    throw badRequest('status: Choose active or disabled.');
  }
  return {
    ...(body.name === undefined ? {} : { name: nameOf(body.name) }),
    ...(body.slug === undefined ? {} : { slug: slugOf(body.slug) }),
    ...(status === undefined ? {} : { status }),
    ...(body.is_muted === undefined ? {} : { isMuted: body.is_muted === true }),
    ...(body.config === undefined ? {} : { config: configOf(body.config) }),
    ...(body.project === undefined ? {} : { projectId: (await projectOf(call, access, body.project)).id }),
  };
}

async function listOrgMonitors(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organizationMonitors);
  // The list shows what the project-level routes would: monitors of projects the caller reads.
  let projects = await reachedProjects(call, access, { GET: PERMISSIONS.monitors.GET });
  const wanted = values(call.query.project).filter((p) => p !== '-1');
  if (wanted.length > 0)
    projects = projects.filter((p) => wanted.includes(String(p.id)) || wanted.includes(p.slug));
  const byId = new Map(projects.map((p) => [p.id, p]));
  const monitors = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listMonitors(call.ctx.db.region, [...byId.keys()], page),
  );
  const serialized = await withEnvironments(call, monitors, byId);
  const environments = values(call.query.environment);
  if (environments.length === 0) return serialized;
  return serialized.map((m) => ({
    ...m,
    environments: m.environments.filter((e) => environments.includes(e.name)),
  }));
}

async function createMonitor(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organizationMonitors);
  const body = call.body as Record<string, unknown>;
  const name = nameOf(body.name);
  const slug = body.slug === undefined ? slugifyMonitor(name).slice(0, MAX_MONITOR_SLUG) : slugOf(body.slug);
  if (!SLUG_PATTERN.test(slug)) throw badRequest('slug: The name makes no valid slug: give a slug.');
  if (body.config === undefined) throw badRequest('config: This field is required.');
  const change = await changeOf(call, access, { ...body, name, slug });
  const project = await projectOf(call, access, body.project);
  const region = call.ctx.db.region;
  if (await findMonitorBySlug(region, access.org.id, slug)) {
    throw badRequest('slug: A monitor with this slug already exists.');
  }
  let monitor: Monitor;
  try {
    monitor = await insertMonitor(region, {
      organizationId: access.org.id,
      projectId: project.id,
      slug,
      name,
      status: change.status ?? 'active',
      isMuted: change.isMuted ?? false,
      config: change.config as MonitorConfig,
      dateCreated: call.ctx.now(),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw badRequest('slug: A monitor with this slug already exists.');
    throw error;
  }
  return created(call, serializeMonitor(monitor, project, []));
}

/** The monitor of the URL with its project, where the caller reaches it with the method's scopes. */
async function monitorOf(call: ApiCall) {
  const region = call.ctx.db.region;
  if (call.params.project !== undefined) {
    const access = await projectEndpoint(call, PERMISSIONS.monitors);
    const monitor = await findMonitor(region, access.org.id, call.params.monitor as string);
    if (!monitor || monitor.projectId !== access.project.id) throw notFound();
    return { access, monitor };
  }
  const org = await orgAccess(call, call.params.org as string);
  const monitor = await findMonitor(region, org.org.id, call.params.monitor as string);
  const project = monitor && (await findProjectById(region, monitor.projectId));
  if (!monitor || !project) throw notFound();
  return { access: await projectAccess(call, org, project, PERMISSIONS.monitors, true), monitor };
}

async function getMonitor(call: ApiCall) {
  const { access, monitor } = await monitorOf(call);
  const [serialized] = await withEnvironments(
    call,
    [monitor],
    new Map([[access.project.id, access.project]]),
  );
  return serialized;
}

async function putMonitor(call: ApiCall) {
  const { access, monitor } = await monitorOf(call);
  const change = await changeOf(call, access, call.body as Record<string, unknown>);
  const region = call.ctx.db.region;
  if (change.slug !== undefined && change.slug !== monitor.slug) {
    if (await findMonitorBySlug(region, access.org.id, change.slug)) {
      throw badRequest('slug: A monitor with this slug already exists.');
    }
  }
  try {
    await updateMonitor(region, monitor.id, change);
  } catch (error) {
    if (isUniqueViolation(error)) throw badRequest('slug: A monitor with this slug already exists.');
    throw error;
  }
  const updated = (await findMonitor(region, access.org.id, String(monitor.id))) as Monitor;
  const project = (await findProjectById(region, updated.projectId)) as Project;
  const [serialized] = await withEnvironments(call, [updated], new Map([[project.id, project]]));
  return serialized;
}

/**
 * Resolves the open incident issues of the monitor's environments (those named, or all): an issue
 * that says a job is failing must not stay open once nothing watches the job. One the user
 * ignored stays ignored; the events stay, as the issue's history.
 */
async function resolveOpenIncidents(
  trx: Kysely<RegionSchema>,
  monitor: Monitor,
  environments: readonly string[],
  at: number,
) {
  const open = ((await listMonitorEnvironments(trx, [monitor.id])).get(monitor.id) ?? []).filter(
    (e) => e.incidentEventId !== null && (environments.length === 0 || environments.includes(e.environment)),
  );
  const issueIds: number[] = [];
  for (const environment of open) {
    const issueId = await findIncidentIssueId(trx, monitor.projectId, environment.incidentEventId as string);
    if (issueId !== undefined) issueIds.push(issueId);
  }
  await resolveUnresolvedIssues(trx, issueIds, at);
}

async function removeMonitor(call: ApiCall) {
  const { monitor } = await monitorOf(call);
  const environments = values(call.query.environment);
  const region = call.ctx.db.region;
  await region.transaction().execute(async (trx) => {
    await resolveOpenIncidents(trx, monitor, environments, call.ctx.now());
    if (environments.length > 0) await deleteMonitorEnvironments(trx, monitor.id, environments);
    else await deleteMonitor(trx, monitor.id);
  });
  return noContent(call, 202);
}

async function listMonitorCheckIns(call: ApiCall) {
  const { monitor } = await monitorOf(call);
  const byMonitor = await listMonitorEnvironments(call.ctx.db.region, [monitor.id]);
  const wanted = values(call.query.environment);
  const environments = (byMonitor.get(monitor.id) ?? []).filter(
    (e) => wanted.length === 0 || wanted.includes(e.environment),
  );
  const checkIns = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listCheckIns(
      call.ctx.db.region,
      environments.map((e) => e.id),
      page,
    ),
  );
  return checkIns.map((c) => serializeCheckIn(c, monitor.config));
}

const monitorBody = object({
  project: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
  name: str(MAX_NAME * 2),
  slug: str(255),
  status: str(32),
  is_muted: bool,
  config: { type: 'object' },
});

const ORG_MONITOR = '/organizations/:org/monitors/:monitor/';
const PROJECT_MONITOR = '/projects/:org/:project/monitors/:monitor/';

export const monitorRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/monitors/',
    auth: PERMISSIONS.organizationMonitors,
    handler: listOrgMonitors,
  },
  {
    method: 'POST',
    url: '/organizations/:org/monitors/',
    auth: PERMISSIONS.organizationMonitors,
    body: monitorBody,
    handler: createMonitor,
  },
  ...[ORG_MONITOR, PROJECT_MONITOR].flatMap((url): ApiRoute[] => [
    { method: 'GET', url, auth: PERMISSIONS.monitors, handler: getMonitor },
    { method: 'PUT', url, auth: PERMISSIONS.monitors, body: monitorBody, handler: putMonitor },
    { method: 'DELETE', url, auth: PERMISSIONS.monitors, handler: removeMonitor },
    { method: 'GET', url: `${url}checkins/`, auth: PERMISSIONS.monitors, handler: listMonitorCheckIns },
  ]),
];
