import { badRequest, notFound } from '../lib/app-error.js';
import {
  type Environment,
  findProjectEnvironment,
  listEnvironments,
  listProjectEnvironments,
  setEnvironmentsHidden,
  type Visibility,
} from '../store/region/environments.js';
import { orgEndpoint, projectEndpoint, reachedProjects } from './access.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { bool, object } from './schema.js';

const VISIBILITIES: readonly Visibility[] = ['all', 'hidden', 'visible'];

/** `?visibility=`, Sentry's default `visible`; another value is Sentry's 400. */
function visibilityOf(call: ApiCall): Visibility {
  const value = call.query.visibility ?? 'visible';
  if (typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value))
    return value as Visibility;
  throw badRequest(`Invalid value for 'visibility', valid values are: ${JSON.stringify(VISIBILITIES)}`);
}

const serialize = (e: Environment) => ({ id: String(e.id), name: e.name });
const serializeOfProject = (e: Environment) => ({ id: String(e.id), name: e.name, isHidden: e.isHidden });

/** The organization's environments, as seen in the projects whose data the caller may read. */
async function listOrgEnvironments(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organization);
  const visibility = visibilityOf(call);
  const projects = await reachedProjects(call, access, PERMISSIONS.environments);
  const environments = await listEnvironments(
    call.ctx.db.region,
    projects.map((p) => p.id),
    visibility,
  );
  return environments.map(serialize);
}

async function listOfProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.environments);
  const visibility = visibilityOf(call);
  return (await listProjectEnvironments(call.ctx.db.region, access.project.id, visibility)).map(
    serializeOfProject,
  );
}

/** Hides or shows several environments of the project; one the project never saw changes nothing. */
async function putOfProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.environments);
  const body = call.body as { environmentNames: string[]; isHidden: boolean };
  const names = [...new Set(body.environmentNames)];
  const region = call.ctx.db.region;
  const found = await listProjectEnvironments(region, access.project.id, 'all', names);
  const missing = names.filter((n) => !found.some((e) => e.name === n));
  if (missing.length > 0) {
    throw badRequest({
      environmentNames: [`Unknown environment: ${missing[0]}`],
      detail: `environmentNames: Unknown environment: ${missing[0]}`,
    });
  }
  await setEnvironmentsHidden(
    region,
    access.project.id,
    found.map((e) => e.id),
    body.isHidden,
  );
  return found.map((e) => serializeOfProject({ ...e, isHidden: body.isHidden }));
}

async function environmentTarget(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.environments);
  const environment = await findProjectEnvironment(
    call.ctx.db.region,
    access.project.id,
    call.params.environment as string,
  );
  if (!environment) throw notFound();
  return { access, environment };
}

async function getOfProject(call: ApiCall) {
  const { environment } = await environmentTarget(call);
  return serializeOfProject(environment);
}

async function putOneOfProject(call: ApiCall) {
  const { access, environment } = await environmentTarget(call);
  const { isHidden } = call.body as { isHidden: boolean };
  await setEnvironmentsHidden(call.ctx.db.region, access.project.id, [environment.id], isHidden);
  return serializeOfProject({ ...environment, isHidden });
}

const PROJECT_ENVIRONMENTS = '/projects/:org/:project/environments/';

export const environmentRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/environments/',
    auth: PERMISSIONS.organization,
    handler: listOrgEnvironments,
  },
  { method: 'GET', url: PROJECT_ENVIRONMENTS, auth: PERMISSIONS.environments, handler: listOfProject },
  {
    method: 'PUT',
    url: PROJECT_ENVIRONMENTS,
    auth: PERMISSIONS.environments,
    body: object(
      {
        environmentNames: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 1000 },
        isHidden: bool,
      },
      ['environmentNames', 'isHidden'],
    ),
    handler: putOfProject,
  },
  {
    method: 'GET',
    url: `${PROJECT_ENVIRONMENTS}:environment/`,
    auth: PERMISSIONS.environments,
    handler: getOfProject,
  },
  {
    method: 'PUT',
    url: `${PROJECT_ENVIRONMENTS}:environment/`,
    auth: PERMISSIONS.environments,
    body: object({ isHidden: bool }, ['isHidden']),
    handler: putOneOfProject,
  },
];
