import { ORG_ROLES, ROLE_SCOPES, type Scope } from '../../auth/scopes.js';
import type { Organization, OrgSummary } from '../../store/types.js';
import { isoDate } from './dates.js';

const ROLE_NAMES: Record<string, string> = {
  member: 'Member',
  admin: 'Admin',
  manager: 'Manager',
  owner: 'Owner',
};

/**
 * The organization summary Sentry lists (sentry-cli needs id, slug, name, dateCreated and the
 * flags). `regionUrl` is the public URL of the organization's region, where its API answers
 * directly (every node forwards there too).
 */
export function serializeOrganization(
  org: Pick<Organization, 'id' | 'slug' | 'name' | 'dateCreated' | 'isEarlyAdopter'> & Partial<OrgSummary>,
  regionUrl: string,
) {
  return {
    id: String(org.id),
    slug: org.slug,
    status: { id: 'active', name: 'active' },
    name: org.name,
    dateCreated: isoDate(org.dateCreated),
    isEarlyAdopter: org.isEarlyAdopter,
    require2FA: false,
    requireEmailVerification: false,
    avatar: { avatarType: 'letter_avatar', avatarUuid: null, avatarUrl: null },
    allowMemberInvite: true,
    allowMemberProjectCreation: true,
    allowSuperuserAccess: true,
    links: { organizationUrl: regionUrl, regionUrl },
    hasAuthProvider: false,
    features: [] as string[],
    extraOptions: {},
  };
}

export const ORG_ROLE_LIST = ORG_ROLES.filter((r) => r !== 'admin').map((id) => ({
  id,
  name: ROLE_NAMES[id],
  desc: `${ROLE_NAMES[id]} of the organization`,
  scopes: [...ROLE_SCOPES[id]].sort(),
  allowed: true,
  isAllowed: true,
  isRetired: false,
  isTeamRolesAllowed: true,
  minimumTeamRole: id === 'member' ? 'contributor' : 'admin',
}));

export const TEAM_ROLE_LIST = [
  {
    id: 'contributor',
    name: 'Contributor',
    desc: 'Can view and act on issues.',
    scopes: [] as string[],
    allowed: true,
    isAllowed: true,
    isRetired: false,
    isMinimumRoleFor: 'member',
  },
  {
    id: 'admin',
    name: 'Team Admin',
    desc: 'Can manage the team and its projects.',
    scopes: [] as string[],
    allowed: true,
    isAllowed: true,
    isRetired: false,
    isMinimumRoleFor: 'admin',
  },
];

/** The detailed organization: the summary plus the caller's access and the organization's settings. */
export function serializeOrganizationDetail(
  org: Organization,
  baseUrl: string,
  caller: { role: string | null; scopes: ReadonlySet<Scope> },
  extra: { teams?: unknown[]; projects?: unknown[] },
) {
  return {
    ...serializeOrganization(org, baseUrl),
    access: [...caller.scopes].sort(),
    role: caller.role,
    orgRole: caller.role,
    isDefault: false,
    defaultRole: org.defaultRole,
    orgRoleList: ORG_ROLE_LIST,
    teamRoleList: TEAM_ROLE_LIST,
    openMembership: org.openMembership,
    allowSharedIssues: org.allowSharedIssues,
    enhancedPrivacy: false,
    dataScrubber: false,
    dataScrubberDefaults: false,
    sensitiveFields: [] as string[],
    safeFields: [] as string[],
    storeCrashReports: 0,
    scrubIPAddresses: false,
    trustedRelays: [] as unknown[],
    pendingAccessRequests: 0,
    requiresSso: false,
    onboardingTasks: [] as unknown[],
    quota: { maxRate: null, maxRateInterval: 60, accountLimit: 0, projectLimit: 100 },
    ...(extra.teams ? { teams: extra.teams } : {}),
    ...(extra.projects ? { projects: extra.projects } : {}),
  };
}
