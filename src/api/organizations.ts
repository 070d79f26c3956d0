import { AppError } from '../lib/app-error.js';
import { createOrganization, updateOrganizationSettings } from '../services/organizations.js';
import { findRegion, regionUrl } from '../services/regions.js';
import { findOrgSummaryById, listOrgMappingsOfUser } from '../store/control/org-mappings.js';
import { findOrganizationById } from '../store/region/organizations.js';
import { listProjects, listTeamIdsOfProjects } from '../store/region/projects.js';
import { countTeamMembers, listTeams } from '../store/region/teams.js';
import type { Organization } from '../store/types.js';
import { type OrgAccess, orgAccess, orgEndpoint, requireScopes } from './access.js';
import { canGrantRole } from './grants.js';
import { userOf } from './identity.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, created } from './route.js';
import { bool, object, str } from './schema.js';
import { serializeOrganization, serializeOrganizationDetail } from './serializers/organization.js';
import { serializeProject } from './serializers/project.js';
import { serializeTeam } from './serializers/team.js';

/**
 * `GET /organizations/`: a person's organizations, or an organization token's own one, in every
 * region: answered from the control store's mappings, so any node lists them all without reading
 * another region.
 */
async function listOrganizations(call: ApiCall) {
  const { config, db } = call.ctx;
  const base = config.url;
  const identity = call.identity;
  if (identity.kind === 'org-token') {
    return paginate(call.request, call.reply, base, async (page) => {
      const org =
        page.offset === 0 ? await findOrgSummaryById(db.control, identity.organizationId) : undefined;
      return org ? [serializeOrganization(org, regionUrl(config, org.region))] : [];
    });
  }
  const user = userOf(identity);
  if (!user) return [];
  const orgs = await paginate(call.request, call.reply, base, (page) =>
    listOrgMappingsOfUser(db.control, user.id, page),
  );
  return orgs.map((org) => serializeOrganization(org, regionUrl(config, org.region)));
}

/** The detailed organization with its teams and projects, as the caller sees them. */
export async function organizationDetail(
  call: ApiCall,
  access: OrgAccess,
  org: Organization,
  withLists = true,
) {
  const caller = { role: access.role, scopes: access.scopes };
  if (!withLists) return serializeOrganizationDetail(org, call.ctx.config.url, caller, {});
  const all = { limit: 1000, offset: 0 };
  const teams = await listTeams(call.ctx.db.region, org.id, all);
  const counts = await countTeamMembers(
    call.ctx.db.region,
    teams.map((t) => t.id),
  );
  const mine = new Map(access.teams.map((t) => [t.teamId, t.role]));
  const projects = await listProjects(call.ctx.db.region, org.id, all);
  const teamIds = await listTeamIdsOfProjects(
    call.ctx.db.region,
    projects.map((p) => p.id),
  );
  const byId = new Map(teams.map((t) => [t.id, t]));
  return serializeOrganizationDetail(org, call.ctx.config.url, caller, {
    teams: teams.map((t) =>
      serializeTeam(
        t,
        { isMember: mine.has(t.id), teamRole: mine.get(t.id), scopes: access.scopes },
        counts.get(t.id) ?? 0,
      ),
    ),
    projects: projects.map((p) => {
      const ids = teamIds.get(p.id) ?? [];
      return serializeProject(
        p,
        ids.map((id) => byId.get(id)).filter((t) => t !== undefined),
        { isMember: ids.some((id) => mine.has(id)), scopes: access.scopes },
      );
    }),
  });
}

async function getOrganization(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organization);
  return organizationDetail(call, access, access.org, call.query.detailed !== '0');
}

interface CreateOrganizationBody {
  name: string;
  slug?: string;
  defaultTeam?: boolean;
  /** The region to create it in (a name of ERRATA_REGIONS); default the receiving node's. */
  region?: string;
}

async function postOrganization(call: ApiCall) {
  const user = userOf(call.identity);
  if (!user) throw new AppError('not_authenticated', 'This endpoint requires user info');
  const body = call.body as CreateOrganizationBody;
  if (body.region !== undefined && !findRegion(call.ctx.config, body.region))
    throw new AppError('bad_request', {
      region: [`Unknown region; choose one of ${call.ctx.config.regions.map((r) => r.name).join(', ')}.`],
      detail: `There is no region named ${body.region}.`,
    });
  const name = body.name.trim();
  if (!name)
    throw new AppError('bad_request', {
      name: ['This field may not be blank.'],
      detail: 'The name may not be blank.',
    });
  // Created by a node of the chosen region, which writes it to its own database.
  if (body.region !== undefined && body.region !== call.ctx.config.region && call.regions)
    return call.regions.forwardTo(call.request, call.reply, body.region);
  const { organization } = await createOrganization(call.ctx, {
    name,
    ...(body.slug === undefined ? {} : { slug: body.slug }),
    owner: user,
    defaultTeam: body.defaultTeam ?? true,
  });
  const access = await orgAccess(call, String(organization.id));
  return created(call, await organizationDetail(call, access, organization));
}

interface UpdateOrganizationBody {
  name?: string;
  slug?: string;
  isEarlyAdopter?: boolean;
  defaultRole?: 'member' | 'admin' | 'manager' | 'owner';
  openMembership?: boolean;
  allowSharedIssues?: boolean;
}

async function putOrganization(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.organization);
  const body = call.body as UpdateOrganizationBody;
  if (body.slug !== undefined && body.slug !== access.org.slug) {
    // Renaming the slug changes every URL of the organization: an owner's decision.
    requireScopes(call, access.scopes, { PUT: ['org:admin'] });
  }
  if (body.name !== undefined && body.name.trim() === '') {
    throw new AppError('bad_request', {
      name: ['This field may not be blank.'],
      detail: 'The name may not be blank.',
    });
  }
  // Every invite without a role gets the default one: setting it is granting it. The settings form
  // sends the current value back unchanged, which grants nothing new.
  if (
    body.defaultRole !== undefined &&
    body.defaultRole !== access.org.defaultRole &&
    !canGrantRole(access, body.defaultRole)
  ) {
    throw new AppError('bad_request', {
      defaultRole: ['You do not have permission to set that default role'],
      detail: `You do not have permission to make ${body.defaultRole} the default role.`,
    });
  }
  await updateOrganizationSettings(call.ctx, access.org, {
    ...(body.name === undefined ? {} : { name: body.name.trim() }),
    ...(body.slug === undefined ? {} : { slug: body.slug }),
    ...(body.isEarlyAdopter === undefined ? {} : { isEarlyAdopter: body.isEarlyAdopter }),
    ...(body.defaultRole === undefined ? {} : { defaultRole: body.defaultRole }),
    ...(body.openMembership === undefined ? {} : { openMembership: body.openMembership }),
    ...(body.allowSharedIssues === undefined ? {} : { allowSharedIssues: body.allowSharedIssues }),
  });
  const org = (await findOrganizationById(call.ctx.db.region, access.org.id)) as Organization;
  return organizationDetail(call, access, org);
}

/** `GET /organizations/:org/teams/` and the projects of the organization live in teams.ts/projects.ts. */
export const organizationRoutes: ApiRoute[] = [
  { method: 'GET', url: '/organizations/', auth: PERMISSIONS.organizationList, handler: listOrganizations },
  {
    method: 'POST',
    url: '/organizations/',
    auth: PERMISSIONS.organizationList,
    body: object(
      { name: str(64, 1), slug: str(50, 1), defaultTeam: bool, agreeTerms: bool, region: str(50, 1) },
      ['name'],
    ),
    handler: postOrganization,
  },
  { method: 'GET', url: '/organizations/:org/', auth: PERMISSIONS.organization, handler: getOrganization },
  {
    method: 'PUT',
    url: '/organizations/:org/',
    auth: PERMISSIONS.organization,
    body: object({
      name: str(64),
      slug: str(50, 1),
      isEarlyAdopter: bool,
      defaultRole: { type: 'string', enum: ['member', 'admin', 'manager', 'owner'] },
      openMembership: bool,
      allowSharedIssues: bool,
    }),
    handler: putOrganization,
  },
];
