/** Every scope a token may hold, as Sentry names them (rest-api.md §3.1). */
export const SCOPES = [
  'org:read',
  'org:write',
  'org:admin',
  'org:integrations',
  'org:ci',
  'member:invite',
  'member:read',
  'member:write',
  'member:admin',
  'team:read',
  'team:write',
  'team:admin',
  'project:read',
  'project:write',
  'project:admin',
  'project:releases',
  'project:distribution',
  'event:read',
  'event:write',
  'event:admin',
  'alerts:read',
  'alerts:write',
  'openid',
  'profile',
  'email',
] as const;

export type Scope = (typeof SCOPES)[number];

const KNOWN = new Set<string>(SCOPES);

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && KNOWN.has(value);
}

// What each scope stands for, itself included (Sentry's scope hierarchy, rest-api.md §3.2).
const IMPLIES: Partial<Record<Scope, readonly Scope[]>> = {
  'org:write': ['org:read'],
  'org:admin': ['org:read', 'org:write', 'org:integrations'],
  'member:invite': ['member:read'],
  'member:write': ['member:read', 'member:invite'],
  'member:admin': ['member:read', 'member:invite', 'member:write'],
  'team:write': ['team:read'],
  'team:admin': ['team:read', 'team:write'],
  'project:write': ['project:read'],
  'project:admin': ['project:read', 'project:write'],
  'event:write': ['event:read'],
  'event:admin': ['event:read', 'event:write'],
  'alerts:write': ['alerts:read'],
};

/** Expands scopes through the hierarchy and returns them sorted, as Sentry stores them on a token. */
export function expandScopes(scopes: Iterable<Scope>): Scope[] {
  const out = new Set<Scope>();
  for (const scope of scopes) {
    out.add(scope);
    for (const implied of IMPLIES[scope] ?? []) out.add(implied);
  }
  return [...out].sort();
}

/** Organization roles, lowest first (Sentry's `SENTRY_ROLES`; `admin` is retired but still accepted). */
export const ORG_ROLES = ['member', 'admin', 'manager', 'owner'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export function isOrgRole(value: unknown): value is OrgRole {
  return typeof value === 'string' && (ORG_ROLES as readonly string[]).includes(value);
}

const MEMBER: readonly Scope[] = [
  'event:read',
  'event:write',
  'event:admin',
  'project:releases',
  'project:read',
  'org:read',
  'member:read',
  'member:invite',
  'team:read',
  'alerts:read',
  'alerts:write',
];
const ADMIN: readonly Scope[] = [
  ...MEMBER,
  'project:write',
  'project:admin',
  'team:write',
  'team:admin',
  'org:integrations',
];
const MANAGER: readonly Scope[] = [...ADMIN, 'org:write', 'member:write', 'member:admin', 'alerts:write'];
const OWNER: readonly Scope[] = [...MANAGER, 'org:admin'];

/** The scopes each organization role grants (the seed table: rest-api.md §3.5). */
export const ROLE_SCOPES: Readonly<Record<OrgRole, ReadonlySet<Scope>>> = {
  member: new Set(MEMBER),
  admin: new Set(ADMIN),
  manager: new Set(MANAGER),
  owner: new Set(OWNER),
};

/** Team roles: a team admin may manage its team and that team's projects. */
export const TEAM_ROLES = ['contributor', 'admin'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];
export const TEAM_ADMIN_SCOPES: readonly Scope[] = [
  'team:read',
  'team:write',
  'team:admin',
  'project:read',
  'project:write',
  'project:admin',
];

/** Scopes an organization token may be given: `org:ci` (Sentry's only one) and the role-grantable ones. */
export const ORG_TOKEN_SCOPES: ReadonlySet<Scope> = new Set<Scope>(['org:ci', ...OWNER]);

/** Scopes a personal token may be given: all but the OpenID ones, which belong to OAuth. */
export const USER_TOKEN_SCOPES: ReadonlySet<Scope> = new Set<Scope>(
  SCOPES.filter((s) => s !== 'openid' && s !== 'profile' && s !== 'email'),
);
