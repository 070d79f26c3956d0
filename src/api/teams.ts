import { AppError, notFound } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import { createProject } from '../services/projects.js';
import { requireSlug, slugify } from '../services/slugs.js';
import { isUniqueViolation } from '../store/conflict.js';
import { findUsersByIds } from '../store/control/users.js';
import { findMemberById } from '../store/region/members.js';
import { listProjects } from '../store/region/projects.js';
import {
  addTeamMember,
  countTeamMembers,
  deleteTeam,
  findTeam,
  findTeamMembership,
  insertTeam,
  listMembersOfTeam,
  listTeams,
  removeTeamMember,
  updateTeam,
} from '../store/region/teams.js';
import type { Team } from '../store/types.js';
import { forbidden, type OrgAccess, orgAccess, orgEndpoint, teamEndpoint } from './access.js';
import { canGrantTeamRole } from './grants.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { projectResponse } from './projects.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { bool, nullable, object, str } from './schema.js';
import { serializeMember } from './serializers/member.js';
import { serializeTeam } from './serializers/team.js';

const TEAM_TAKEN = 'A team with this slug already exists.';

async function teamResponse(call: ApiCall, access: OrgAccess, team: Team) {
  const mine = access.teams.find((t) => t.teamId === team.id);
  const counts = await countTeamMembers(call.ctx.db.region, [team.id]);
  return serializeTeam(
    team,
    { isMember: mine !== undefined, teamRole: mine?.role, scopes: access.scopes },
    counts.get(team.id) ?? 0,
  );
}

async function listOrgTeams(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organizationTeams);
  const query = typeof call.query.query === 'string' ? call.query.query : undefined;
  const teams = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listTeams(call.ctx.db.region, access.org.id, page, query),
  );
  const counts = await countTeamMembers(
    call.ctx.db.region,
    teams.map((t) => t.id),
  );
  const mine = new Map(access.teams.map((t) => [t.teamId, t.role]));
  return teams.map((team) =>
    serializeTeam(
      team,
      { isMember: mine.has(team.id), teamRole: mine.get(team.id), scopes: access.scopes },
      counts.get(team.id) ?? 0,
    ),
  );
}

async function postOrgTeam(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organizationTeams);
  const body = call.body as { slug?: string; name?: string };
  if (!body.slug && !body.name) {
    throw new AppError('bad_request', {
      slug: ['A name or slug is required.'],
      detail: 'A name or slug is required.',
    });
  }
  const slug = body.slug ? requireSlug(body.slug) : slugify(body.name as string);
  try {
    const team = await call.ctx.db.region.transaction().execute(async (trx) => {
      const team = await insertTeam(trx, {
        organizationId: access.org.id,
        slug,
        name: body.name || slug,
        now: call.ctx.now(),
      });
      // The person who creates a team joins it as its admin, as in Sentry.
      if (access.member) await addTeamMember(trx, team.id, access.member.id, 'admin');
      return team;
    });
    const refreshed = await orgAccess(call, String(access.org.id));
    return created(call, await teamResponse(call, refreshed, team));
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', TEAM_TAKEN);
    throw error;
  }
}

async function getTeam(call: ApiCall) {
  const access = await teamEndpoint(call, PERMISSIONS.team);
  return teamResponse(call, access, access.team);
}

async function putTeam(call: ApiCall) {
  const access = await teamEndpoint(call, PERMISSIONS.team);
  const body = call.body as { slug?: string; name?: string };
  const changes = {
    ...(body.slug === undefined ? {} : { slug: requireSlug(body.slug) }),
    ...(body.name === undefined ? {} : { name: body.name }),
  };
  try {
    await updateTeam(call.ctx.db.region, access.team.id, changes);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', TEAM_TAKEN);
    throw error;
  }
  return teamResponse(call, access, { ...access.team, ...changes });
}

async function removeTeam(call: ApiCall) {
  const access = await teamEndpoint(call, PERMISSIONS.team);
  await deleteTeam(call.ctx.db.region, access.team.id);
  return noContent(call);
}

async function listTeamMembers(call: ApiCall) {
  const access = await teamEndpoint(call, PERMISSIONS.team);
  const rows = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listMembersOfTeam(call.ctx.db.region, access.team.id, page),
  );
  const users = await findUsersByIds(
    call.ctx.db.control,
    rows.flatMap((r) => (r.member.userId === null ? [] : [r.member.userId])),
  );
  return rows.map(({ member, teamRole }) => ({
    ...serializeMember(member, member.userId === null ? undefined : users.get(member.userId), undefined),
    teamRole: teamRole ?? 'contributor',
    teamSlug: access.team.slug,
  }));
}

async function listTeamProjects(call: ApiCall) {
  const access = await teamEndpoint(call, PERMISSIONS.teamProjects);
  const projects = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listProjects(call.ctx.db.region, access.org.id, page, { teamId: access.team.id }),
  );
  return Promise.all(projects.map((p) => projectResponse(call, access, p)));
}

interface CreateProjectBody {
  name: string;
  slug?: string;
  platform?: string | null;
  default_rules?: boolean;
}

async function postTeamProject(call: ApiCall) {
  const access = await teamEndpoint(call, PERMISSIONS.teamProjects);
  const body = call.body as CreateProjectBody;
  const name = body.name.trim();
  if (!name)
    throw new AppError('bad_request', {
      name: ['This field may not be blank.'],
      detail: 'The name may not be blank.',
    });
  const { project } = await createProject(call.ctx, {
    organizationId: access.org.id,
    teamId: access.team.id,
    name,
    ...(body.slug === undefined ? {} : { slug: body.slug }),
    platform: body.platform ?? null,
    defaultRules: body.default_rules ?? true,
  });
  return created(call, await projectResponse(call, access, project));
}

/**
 * `POST|DELETE /organizations/:org/members/:member/teams/:team/`: join or leave a team. `allowed`
 * decides, given whether the caller is moving itself.
 */
async function memberTeamTarget(
  call: ApiCall,
  allowed: (access: OrgAccess, team: Team, self: boolean) => boolean,
) {
  const access = await orgEndpoint(call, PERMISSIONS.memberTeams);
  const memberParam = call.params.member as string;
  const memberId = parseId(memberParam);
  const member =
    memberParam === 'me'
      ? access.member
      : memberId !== null
        ? await findMemberById(call.ctx.db.region, access.org.id, memberId)
        : undefined;
  if (!member) throw notFound();
  const team = await findTeam(call.ctx.db.region, access.org.id, call.params.team as string);
  if (!team) throw notFound();
  if (!allowed(access, team, access.member?.id === member.id)) throw forbidden();
  return { access, member, team };
}

async function addMemberToTeam(call: ApiCall) {
  // Joining gives the team's projects: the same rule as for an invite naming the team.
  const { access, member, team } = await memberTeamTarget(call, (access, team) =>
    canGrantTeamRole(access, team.id, 'contributor'),
  );
  if (await findTeamMembership(call.ctx.db.region, team.id, member.id)) return noContent(call);
  await addTeamMember(call.ctx.db.region, team.id, member.id, null);
  return created(call, await teamResponse(call, await orgAccess(call, String(access.org.id)), team));
}

async function removeMemberFromTeam(call: ApiCall) {
  // Leaving yourself needs open membership (or team rights); removing others needs team:write or team admin.
  const { access, member, team } = await memberTeamTarget(call, (access, team, self) => {
    const rights =
      access.scopes.has('team:write') || access.teams.some((t) => t.teamId === team.id && t.role === 'admin');
    return rights || (self && access.org.openMembership);
  });
  await removeTeamMember(call.ctx.db.region, team.id, member.id);
  return teamResponse(call, await orgAccess(call, String(access.org.id)), team);
}

export const teamRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/teams/',
    auth: PERMISSIONS.organizationTeams,
    handler: listOrgTeams,
  },
  {
    method: 'POST',
    url: '/organizations/:org/teams/',
    auth: PERMISSIONS.organizationTeams,
    body: object({ slug: str(50, 1), name: str(64) }),
    handler: postOrgTeam,
  },
  { method: 'GET', url: '/teams/:org/:team/', auth: PERMISSIONS.team, handler: getTeam },
  {
    method: 'PUT',
    url: '/teams/:org/:team/',
    auth: PERMISSIONS.team,
    body: object({ slug: str(50, 1), name: str(64, 1) }),
    handler: putTeam,
  },
  { method: 'DELETE', url: '/teams/:org/:team/', auth: PERMISSIONS.team, handler: removeTeam },
  { method: 'GET', url: '/teams/:org/:team/members/', auth: PERMISSIONS.team, handler: listTeamMembers },
  {
    method: 'GET',
    url: '/teams/:org/:team/projects/',
    auth: PERMISSIONS.teamProjects,
    handler: listTeamProjects,
  },
  {
    method: 'POST',
    url: '/teams/:org/:team/projects/',
    auth: PERMISSIONS.teamProjects,
    body: object({ name: str(50, 1), slug: str(50, 1), platform: nullable(str(64)), default_rules: bool }, [
      'name',
    ]),
    handler: postTeamProject,
  },
  {
    method: 'POST',
    url: '/organizations/:org/members/:member/teams/:team/',
    auth: PERMISSIONS.memberTeams,
    handler: addMemberToTeam,
  },
  {
    method: 'DELETE',
    url: '/organizations/:org/members/:member/teams/:team/',
    auth: PERMISSIONS.memberTeams,
    handler: removeMemberFromTeam,
  },
];
