import { isOrgRole, ROLE_SCOPES, type Scope, TEAM_ADMIN_SCOPES } from '../auth/scopes.js';
import { AppError, badRequest, notFound } from '../lib/app-error.js';
import { findOrgMapping } from '../store/control/org-mappings.js';
import { findMemberOfUser, listTeamMembershipsOfMember } from '../store/region/members.js';
import { findOrganizationById } from '../store/region/organizations.js';
import { findProject, listProjects, listTeamIdsOfProjects } from '../store/region/projects.js';
import { findTeam } from '../store/region/teams.js';
import type { Member, Organization, Project, Team, TeamMembership } from '../store/types.js';
import { userOf } from './identity.js';
import { queryValues } from './params.js';
import type { ScopeMap } from './permissions.js';
import type { ApiCall } from './route.js';

export const NO_PERMISSION = 'You do not have permission to perform this action.';

export function forbidden(): AppError {
  return new AppError('forbidden', NO_PERMISSION);
}

/** The caller's standing in one organization: its membership (if a person) and effective scopes. */
export interface OrgAccess {
  readonly org: Organization;
  readonly member: Member | null;
  readonly role: string | null;
  readonly scopes: ReadonlySet<Scope>;
  /** Team memberships of the caller (empty for organization tokens). */
  readonly teams: readonly TeamMembership[];
  /** Owners, managers and admins see every team and project; members too while membership is open. */
  readonly seesAllProjects: boolean;
}

function intersect(a: ReadonlySet<Scope>, b: ReadonlySet<Scope>): Set<Scope> {
  return new Set([...a].filter((s) => b.has(s)));
}

function allows(scopes: ReadonlySet<Scope>, map: ScopeMap, method: ApiCall['method']): boolean {
  return (map[method] ?? []).some((scope) => scopes.has(scope));
}

/**
 * Loads an organization by slug or id and works out what the caller may do in it: a session's
 * role scopes; a personal token's scopes limited to its user's role; an organization token's own
 * scopes, in its own organization only. Unknown organization: 404. No standing: 403.
 */
export async function orgAccess(call: ApiCall, idOrSlug: string): Promise<OrgAccess> {
  const mapping = await findOrgMapping(call.ctx.db.control, idOrSlug);
  const org = mapping && (await findOrganizationById(call.ctx.db.region, mapping.id));
  if (!org) throw notFound();
  const identity = call.identity;
  if (identity.kind === 'org-token') {
    if (identity.organizationId !== org.id) throw forbidden();
    return { org, member: null, role: null, scopes: identity.scopes, teams: [], seesAllProjects: true };
  }
  const user = userOf(identity);
  if (!user) throw forbidden();
  const member = await findMemberOfUser(call.ctx.db.region, org.id, user.id);
  const role = member?.role ?? (user.isSuperuser ? 'owner' : null);
  if (!role || !isOrgRole(role)) throw forbidden();
  const roleScopes = ROLE_SCOPES[role];
  const scopes =
    identity.kind === 'user-token' ? intersect(roleScopes, identity.scopes) : new Set(roleScopes);
  const teams = member ? await listTeamMembershipsOfMember(call.ctx.db.region, member.id) : [];
  const seesAllProjects = role !== 'member' || org.openMembership;
  return { org, member: member ?? null, role, scopes, teams, seesAllProjects };
}

/** Checks that the caller's organization scopes allow this method on an organization-level endpoint. */
export function requireScopes(call: ApiCall, scopes: ReadonlySet<Scope>, map: ScopeMap): void {
  if (!allows(scopes, map, call.method)) throw forbidden();
}

/** Organization access plus the method check, for endpoints on the organization itself. */
export async function orgEndpoint(call: ApiCall, map: ScopeMap): Promise<OrgAccess> {
  const access = await orgAccess(call, call.params.org as string);
  requireScopes(call, access.scopes, map);
  return access;
}

// Team admins may manage their team and its projects even when their organization role may not.
function withTeamAdmin(call: ApiCall, access: OrgAccess, teamIds: readonly number[]): ReadonlySet<Scope> {
  const isTeamAdmin = access.teams.some((t) => t.role === 'admin' && teamIds.includes(t.teamId));
  if (!isTeamAdmin) return access.scopes;
  const extra = new Set<Scope>(TEAM_ADMIN_SCOPES);
  const granted = call.identity.kind === 'user-token' ? intersect(extra, call.identity.scopes) : extra;
  return new Set([...access.scopes, ...granted]);
}

export interface ProjectAccess extends OrgAccess {
  readonly project: Project;
  readonly teamIds: readonly number[];
}

/**
 * The caller's scopes on a project with these teams, or null when it does not reach the project:
 * reach is an organization token, a role above member, open membership, or a team of the project.
 */
function projectScopes(
  call: ApiCall,
  access: OrgAccess,
  teamIds: readonly number[],
): ReadonlySet<Scope> | null {
  const inTeam = access.teams.some((t) => teamIds.includes(t.teamId));
  if (!access.seesAllProjects && !inTeam) return null;
  return withTeamAdmin(call, access, teamIds);
}

/**
 * Checks the caller's access to a project already known to belong to `access.org`. An unreached
 * project is a 403 where the URL names it (the slug is no secret within the organization), and a
 * 404 where it was reached through an object's id (`hidden`), so that ids reveal nothing.
 */
export async function projectAccess(
  call: ApiCall,
  access: OrgAccess,
  project: Project,
  map: ScopeMap,
  hidden = false,
): Promise<ProjectAccess> {
  const teamIds = (await listTeamIdsOfProjects(call.ctx.db.region, [project.id])).get(project.id) ?? [];
  const scopes = projectScopes(call, access, teamIds);
  if (!scopes) throw hidden ? notFound() : forbidden();
  requireScopes(call, scopes, map);
  return { ...access, scopes, project, teamIds };
}

/** Loads `:org` and `:project` and checks the method against the caller's scopes for that project. */
export async function projectEndpoint(call: ApiCall, map: ScopeMap): Promise<ProjectAccess> {
  const access = await orgAccess(call, call.params.org as string);
  const project = await findProject(call.ctx.db.region, access.org.id, call.params.project as string);
  if (!project) throw notFound();
  return projectAccess(call, access, project, map);
}

// Organizations hold far fewer projects; this only bounds one query.
const MAX_PROJECTS = 10_000;

/**
 * The projects of the organization the caller reaches and on which its scopes allow this call's
 * method under `map`, the project-level route's scopes: what an organization-level endpoint may
 * read or change, so that it never gives more than the project-level routes do.
 */
export async function reachedProjects(call: ApiCall, access: OrgAccess, map: ScopeMap): Promise<Project[]> {
  const region = call.ctx.db.region;
  const projects = await listProjects(region, access.org.id, { limit: MAX_PROJECTS, offset: 0 });
  const teamIds = await listTeamIdsOfProjects(
    region,
    projects.map((p) => p.id),
  );
  return projects.filter((p) => {
    const scopes = projectScopes(call, access, teamIds.get(p.id) ?? []);
    return scopes !== null && allows(scopes, map, call.method);
  });
}

/**
 * The projects an organization-wide statistics endpoint reads: those its `project` parameter names
 * by id or slug (none or -1: all) among the ones the caller reaches; naming another is refused
 * (403), and a caller who reaches none gets Sentry's 400.
 */
export async function queriedProjects(call: ApiCall, map: ScopeMap): Promise<Project[]> {
  const access = await orgEndpoint(call, map);
  const reached = await reachedProjects(call, access, map);
  const wanted = queryValues(call.query.project).filter((p) => p !== '-1' && p !== '');
  const projects =
    wanted.length === 0
      ? reached
      : wanted.map((id) => {
          const project = reached.find((p) => String(p.id) === id || p.slug === id);
          if (!project) throw forbidden();
          return project;
        });
  if (projects.length === 0) throw badRequest('No projects available');
  return projects;
}

export interface TeamAccess extends OrgAccess {
  readonly team: Team;
}

/** Loads `:org` and `:team` and checks the method against the caller's scopes for that team. */
export async function teamEndpoint(call: ApiCall, map: ScopeMap, teamParam = 'team'): Promise<TeamAccess> {
  const access = await orgAccess(call, call.params.org as string);
  const team = await findTeam(call.ctx.db.region, access.org.id, call.params[teamParam] as string);
  if (!team) throw notFound();
  const inTeam = access.teams.some((t) => t.teamId === team.id);
  if (!access.seesAllProjects && !inTeam) throw forbidden();
  const scopes = withTeamAdmin(call, access, [team.id]);
  requireScopes(call, scopes, map);
  return { ...access, scopes, team };
}
