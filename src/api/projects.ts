import { AppError, notFound } from '../lib/app-error.js';
import { requireSlug } from '../services/slugs.js';
import { isUniqueViolation } from '../store/conflict.js';
import {
  addProjectTeam,
  deleteProject,
  findProjectById,
  listProjects,
  listTeamIdsOfProjects,
  removeProjectTeam,
  updateProject,
} from '../store/region/projects.js';
import { findTeam, listTeamsByIds } from '../store/region/teams.js';
import type { Project } from '../store/types.js';
import { type OrgAccess, orgEndpoint, projectEndpoint, requireScopes } from './access.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { nullable, object, str } from './schema.js';
import { serializeOrganization } from './serializers/organization.js';
import { serializeProject, serializeProjectDetail } from './serializers/project.js';

/** A project summary as the caller sees it. */
export async function projectResponse(call: ApiCall, access: OrgAccess, project: Project) {
  const teamIds = (await listTeamIdsOfProjects(call.ctx.db.region, [project.id])).get(project.id) ?? [];
  const teams = await listTeamsByIds(call.ctx.db.region, teamIds);
  const isMember = access.teams.some((t) => teamIds.includes(t.teamId));
  return serializeProject(project, teams, { isMember, scopes: access.scopes });
}

async function projectDetail(call: ApiCall, access: OrgAccess, project: Project) {
  const teamIds = (await listTeamIdsOfProjects(call.ctx.db.region, [project.id])).get(project.id) ?? [];
  const teams = await listTeamsByIds(call.ctx.db.region, teamIds);
  const isMember = access.teams.some((t) => teamIds.includes(t.teamId));
  return serializeProjectDetail(
    project,
    teams,
    { isMember, scopes: access.scopes },
    serializeOrganization(access.org, call.ctx.config.url),
  );
}

async function listOrgProjects(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organizationProjects);
  const query = typeof call.query.query === 'string' ? call.query.query : undefined;
  const projects = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listProjects(call.ctx.db.region, access.org.id, page, query ? { query } : {}),
  );
  const teamIds = await listTeamIdsOfProjects(
    call.ctx.db.region,
    projects.map((p) => p.id),
  );
  const teams = new Map(
    (await listTeamsByIds(call.ctx.db.region, [...new Set([...teamIds.values()].flat())])).map((t) => [
      t.id,
      t,
    ]),
  );
  return projects.map((project) => {
    const ids = teamIds.get(project.id) ?? [];
    return serializeProject(
      project,
      ids.map((id) => teams.get(id)).filter((t) => t !== undefined),
      { isMember: access.teams.some((t) => ids.includes(t.teamId)), scopes: access.scopes },
    );
  });
}

async function getProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.project);
  return projectDetail(call, access, access.project);
}

interface UpdateProjectBody {
  name?: string;
  slug?: string;
  platform?: string | null;
}

async function putProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.project);
  const body = call.body as UpdateProjectBody;
  // The gate lets project:read in (as Sentry's does); changing anything needs project:write.
  if (body.name !== undefined || body.slug !== undefined || body.platform !== undefined) {
    requireScopes(call, access.scopes, { PUT: ['project:write', 'project:admin'] });
  }
  if (body.name !== undefined && body.name.trim() === '') {
    throw new AppError('bad_request', {
      name: ['This field may not be blank.'],
      detail: 'The name may not be blank.',
    });
  }
  const changes = {
    ...(body.name === undefined ? {} : { name: body.name.trim() }),
    ...(body.slug === undefined ? {} : { slug: requireSlug(body.slug) }),
    ...(body.platform === undefined ? {} : { platform: body.platform }),
  };
  try {
    await updateProject(call.ctx.db.region, access.project.id, changes);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'A project with this slug already exists.');
    throw error;
  }
  const project = (await findProjectById(call.ctx.db.region, access.project.id)) as Project;
  return projectDetail(call, access, project);
}

async function removeProject(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.project);
  await deleteProject(call.ctx.db.region, access.project.id);
  return noContent(call);
}

async function projectTeamTarget(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectTeams);
  const team = await findTeam(call.ctx.db.region, access.org.id, call.params.team as string);
  if (!team) throw notFound();
  return { access, team };
}

async function addTeamToProject(call: ApiCall) {
  const { access, team } = await projectTeamTarget(call);
  if (!access.teamIds.includes(team.id)) await addProjectTeam(call.ctx.db.region, access.project.id, team.id);
  return created(call, await projectDetail(call, access, access.project));
}

async function removeTeamFromProject(call: ApiCall) {
  const { access, team } = await projectTeamTarget(call);
  await removeProjectTeam(call.ctx.db.region, access.project.id, team.id);
  return projectDetail(call, access, access.project);
}

export const projectRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/projects/',
    auth: PERMISSIONS.organizationProjects,
    handler: listOrgProjects,
  },
  { method: 'GET', url: '/projects/:org/:project/', auth: PERMISSIONS.project, handler: getProject },
  {
    method: 'PUT',
    url: '/projects/:org/:project/',
    auth: PERMISSIONS.project,
    body: object({ name: str(50), slug: str(50, 1), platform: nullable(str(64)) }),
    handler: putProject,
  },
  { method: 'DELETE', url: '/projects/:org/:project/', auth: PERMISSIONS.project, handler: removeProject },
  {
    method: 'POST',
    url: '/projects/:org/:project/teams/:team/',
    auth: PERMISSIONS.projectTeams,
    handler: addTeamToProject,
  },
  {
    method: 'DELETE',
    url: '/projects/:org/:project/teams/:team/',
    auth: PERMISSIONS.projectTeams,
    handler: removeTeamFromProject,
  },
];
