import { expandScopes, type OrgRole, type Scope } from '../../../src/auth/scopes.js';

// The callers of the role matrix (docs/access-policy.md), the outcomes a cell may expect, and the named
// presets most routes use. Expectations are written here as data, never computed from the product's
// own access functions.

/**
 * People act through their session. `member:open` is a member of an organization with open
 * membership; the other members are in one with closed membership: `member:team` is on the
 * project's team, `member:off` on none of its teams, `team-admin` (role member) is admin of the
 * project's team. `token:<role>` is a personal token of that role holding only the scope the route's
 * case grants (`token:member` belongs to `member:team`); `…:lacking` holds every scope but the
 * route's. Organization tokens: `org:ci` only, `org:read` only, the scope the case grants, and every
 * scope an organization token may hold.
 */
export const CALLERS = [
  'owner',
  'manager',
  'admin',
  'member:open',
  'member:team',
  'member:off',
  'team-admin',
  'token:owner',
  'token:manager',
  'token:admin',
  'token:member',
  'token:owner:lacking',
  'token:member:lacking',
  'org:ci',
  'org:read',
  'org:grant',
  'org:all',
] as const;
export type CallerName = (typeof CALLERS)[number];

export interface CallerSpec {
  readonly kind: 'session' | 'user-token' | 'org-token';
  /** The person (or, for organization tokens, nobody) and the organization role the caller acts with. */
  readonly person:
    | 'owner'
    | 'manager'
    | 'admin'
    | 'member:open'
    | 'member:team'
    | 'member:off'
    | 'team-admin'
    | null;
  readonly role: OrgRole | null;
  /** A token's scopes: the case's grant, every scope but the route's, `org:ci`, `org:read`, or all. */
  readonly scopes?: 'grant' | 'lacking' | 'org:ci' | 'org:read' | 'all';
  /** docs/access-policy.md 7: holds member:admin and may grant role member, so it sees invite links. */
  readonly inviteLinks: boolean;
}

const person = (p: NonNullable<CallerSpec['person']>, role: OrgRole, inviteLinks = false): CallerSpec => ({
  kind: 'session',
  person: p,
  role,
  inviteLinks,
});
const token = (p: CallerSpec['person'], role: OrgRole, scopes: 'grant' | 'lacking'): CallerSpec => ({
  kind: 'user-token',
  person: p,
  role,
  scopes,
  inviteLinks: false,
});
const org = (scopes: NonNullable<CallerSpec['scopes']>, inviteLinks = false): CallerSpec => ({
  kind: 'org-token',
  person: null,
  role: null,
  scopes,
  inviteLinks,
});

export const CALLER_SPECS: Readonly<Record<CallerName, CallerSpec>> = {
  owner: person('owner', 'owner', true),
  manager: person('manager', 'manager', true),
  admin: person('admin', 'admin'),
  'member:open': person('member:open', 'member'),
  'member:team': person('member:team', 'member'),
  'member:off': person('member:off', 'member'),
  'team-admin': person('team-admin', 'member'),
  'token:owner': token('owner', 'owner', 'grant'),
  'token:manager': token('manager', 'manager', 'grant'),
  'token:admin': token('admin', 'admin', 'grant'),
  'token:member': token('member:team', 'member', 'grant'),
  'token:owner:lacking': token('owner', 'owner', 'lacking'),
  'token:member:lacking': token('member:team', 'member', 'lacking'),
  'org:ci': org('org:ci'),
  'org:read': org('org:read'),
  'org:grant': org('grant'),
  'org:all': org('all', true),
};

/** Scopes of the pool that, even expanded, give none of `allowed`. */
export function noneOf(pool: Iterable<Scope>, allowed: readonly Scope[]): Scope[] {
  return [...pool].filter((s) => expandScopes([s]).every((x) => !allowed.includes(x)));
}

/**
 * `ok`: a 2xx that the case's check accepts, effect included. `gate`: the route gate's 403 naming
 * the scopes (a token without any of them). `deny`: a 403 from the handler. `missing`: the 404 of an
 * unknown id. `session-only`: the 403 a token gets on a session route. Else the exact status and body.
 * Every refusal also leaves the organization, its issues and events unchanged.
 */
export type Outcome =
  | 'ok'
  | 'gate'
  | 'deny'
  | 'missing'
  | 'session-only'
  | { readonly status: number; readonly body: unknown };
export type Expectations = Readonly<Record<CallerName, Outcome>>;

type Groups = Partial<Record<'ok' | 'gate' | 'deny' | 'missing' | 'session-only', readonly CallerName[]>>;

/** Expectations from callers grouped by outcome, plus callers with an exact answer; a caller twice is an error. */
export function table(groups: Groups, exact: Partial<Record<CallerName, Outcome>> = {}): Expectations {
  const out: Partial<Record<CallerName, Outcome>> = {};
  const put = (caller: CallerName, outcome: Outcome) => {
    if (out[caller] !== undefined) throw new Error(`${caller} has two expectations`);
    out[caller] = outcome;
  };
  for (const [outcome, callers] of Object.entries(groups) as [Outcome, CallerName[]][])
    for (const c of callers) put(c, outcome);
  for (const [c, outcome] of Object.entries(exact) as [CallerName, Outcome][]) put(c, outcome);
  return out as Expectations;
}

const STAFF = ['owner', 'manager', 'admin'] as const;
const PEOPLE = [...STAFF, 'member:open', 'member:team', 'member:off', 'team-admin'] as const;
/** Members who reach the project (docs/access-policy.md 1): open membership, on its team, its team's admin. */
const REACHING = ['member:open', 'member:team', 'team-admin'] as const;
const MEMBERS = ['member:open', 'member:team', 'member:off', 'team-admin'] as const;
const GRANT_TOKENS = ['token:owner', 'token:manager', 'token:admin', 'token:member'] as const;
const STAFF_TOKENS = ['token:owner', 'token:manager', 'token:admin'] as const;
const LACKING = ['token:owner:lacking', 'token:member:lacking'] as const;
const ORG_SCOPED = ['org:grant', 'org:all'] as const;
const TOKENS = [...GRANT_TOKENS, ...LACKING, 'org:ci', 'org:read', ...ORG_SCOPED] as const;

/** Organization data any member may read (org:read). */
export const ORG_READ = table({
  ok: [...PEOPLE, ...GRANT_TOKENS, 'org:read', ...ORG_SCOPED],
  gate: ['org:ci', ...LACKING],
});

/** Callers who reach the project by role or token: staff, reaching members, grant and org-scoped tokens. */
export const PROJECT_REACHERS = [...STAFF, ...REACHING, ...GRANT_TOKENS, ...ORG_SCOPED] as const;
/** Tokens whose scopes are all outside the route's. */
export const LACKING_TOKENS = LACKING;

/**
 * Organization-wide data of the projects a caller reaches (sessions, usage stats, the events
 * datasets), org:read as in Sentry's docs: a member who reaches no project is told so (400).
 */
export const ORG_PROJECT_DATA = table(
  {
    ok: [...PROJECT_REACHERS, 'org:read'],
    gate: ['org:ci', ...LACKING],
  },
  { 'member:off': { status: 400, body: { detail: 'No projects available' } } },
);

/**
 * One trace across the projects a caller reaches (Sentry's trace view, org:read): a member who
 * reaches no project gets Sentry's 404.
 */
export const ORG_TRACE = table({
  ok: [...PROJECT_REACHERS, 'org:read'],
  gate: ['org:ci', ...LACKING],
  missing: ['member:off'],
});

/** Project (or team) data read through the project's URL: reach needed, else 403. */
export const PROJECT_READ = table({
  ok: [...STAFF, ...REACHING, ...GRANT_TOKENS, ...ORG_SCOPED],
  deny: ['member:off'],
  gate: ['org:ci', 'org:read', ...LACKING],
});
export const TEAM_READ = PROJECT_READ;

/**
 * A project's issue alert rules (Sentry's ProjectAlertRulePermission): reading and changing them
 * alike, since alerts:write is a scope of every role; reach needed, else 403.
 */
export const PROJECT_ALERTS = PROJECT_READ;

/** Project (or team) settings: project:write/admin (team:write/admin), which a team admin holds on its team. */
export const PROJECT_WRITE = table({
  ok: [...STAFF, 'team-admin', ...STAFF_TOKENS, ...ORG_SCOPED],
  deny: ['member:open', 'member:team', 'member:off', 'token:member'],
  gate: ['org:ci', 'org:read', ...LACKING],
});
export const TEAM_WRITE = PROJECT_WRITE;

/** Creating a team, or deleting one no member of the matrix is admin of: team:write/admin of the role. */
export const TEAMS_ADMIN = table({
  ok: [...STAFF, ...STAFF_TOKENS, ...ORG_SCOPED],
  deny: [...MEMBERS, 'token:member'],
  gate: ['org:ci', 'org:read', ...LACKING],
});

/** Issue data by issue id: reach needed, and an issue out of reach is a missing one (docs/access-policy.md 3). */
export const ISSUE_DATA = table({
  ok: [...STAFF, ...REACHING, ...GRANT_TOKENS, ...ORG_SCOPED],
  missing: ['member:off'],
  gate: ['org:ci', 'org:read', ...LACKING],
});

/** Issues and events through the project's URL: reach needed, else 403. */
export const PROJECT_EVENTS = PROJECT_READ;

/** Organization issue lists: a caller sees only the projects it reaches (docs/access-policy.md 2). */
export const ORG_ISSUE_LIST = table(
  { ok: [...STAFF, ...REACHING, ...GRANT_TOKENS, ...ORG_SCOPED], gate: ['org:ci', 'org:read', ...LACKING] },
  { 'member:off': { status: 200, body: [] } },
);
/** Bulk changes by `?id=`: an issue out of reach is skipped, so nothing is changed (204). */
export const ORG_ISSUE_BULK = table(
  { ok: [...STAFF, ...REACHING, ...GRANT_TOKENS, ...ORG_SCOPED], gate: ['org:ci', 'org:read', ...LACKING] },
  { 'member:off': { status: 204, body: '' } },
);
/** Event id lookup: only reached projects, and only with a project scope (org:read alone finds nothing). */
export const EVENT_IDS = table({
  ok: [...STAFF, ...REACHING, ...GRANT_TOKENS, ...ORG_SCOPED],
  missing: ['member:off', 'org:read'],
  gate: ['org:ci', ...LACKING],
});

/** Organization settings and removals that need org:write / member:admin: owner and manager. */
export const ORG_WRITE = table({
  ok: ['owner', 'manager', 'token:owner', 'token:manager', ...ORG_SCOPED],
  deny: ['admin', ...MEMBERS, 'token:admin', 'token:member'],
  gate: ['org:ci', 'org:read', ...LACKING],
});
export const MEMBER_REMOVE = ORG_WRITE;

/** Member data, and inviting a member (role member: everyone holds member:read and member:invite). */
export const MEMBER_READ = table({
  ok: [...PEOPLE, ...GRANT_TOKENS, ...ORG_SCOPED],
  gate: ['org:ci', 'org:read', ...LACKING],
});
export const MEMBER_INVITE = MEMBER_READ;

/**
 * Promoting an invited member to manager: member:write and every scope of manager (docs/access-policy.md
 * 4); the case's tokens hold manager's scopes (role-grants.test.ts tries narrower ones).
 */
export const MEMBER_PROMOTE = ORG_WRITE;

/**
 * Adding someone to the project's team as contributor: the route's scopes (org:read, org:write or
 * team:write) in the effective scopes, then team:write, or being on the team, or open membership.
 * `token:member` holds team:write, which its member role does not: none of the route's scopes.
 */
export const TEAM_JOIN = table({
  ok: [...STAFF, ...REACHING, ...STAFF_TOKENS, ...ORG_SCOPED],
  deny: ['member:off', 'token:member', 'org:read'],
  gate: ['org:ci', ...LACKING],
});
/** Taking someone off the project's team: team:write of the role, or admin of the team. */
export const TEAM_LEAVE = table({
  ok: [...STAFF, 'team-admin', ...STAFF_TOKENS, ...ORG_SCOPED],
  deny: ['member:open', 'member:team', 'member:off', 'token:member', 'org:read'],
  gate: ['org:ci', ...LACKING],
});

/** Minting an organization token: any member with org:read; never another token (tokens trace to a person). */
export const ORG_TOKEN_MINT = table({
  ok: [...PEOPLE, ...GRANT_TOKENS],
  deny: ['org:read', ...ORG_SCOPED],
  gate: ['org:ci', ...LACKING],
});

/** Session-only invite routes: reading an invite shows its organization to any signed-in person. */
export const INVITE_READ = table({ ok: [...PEOPLE], 'session-only': [...TOKENS] });
/** Accepting an invite sent to someone else (docs/access-policy.md 6). */
export const INVITE_ACCEPT_OTHER = table(
  { 'session-only': [...TOKENS] },
  Object.fromEntries(
    PEOPLE.map((p) => [
      p,
      { status: 403, body: { detail: 'This invite was sent to another email address.' } },
    ]),
  ),
);

/**
 * A person's own alert-email settings in an organization (session only): every member, each seeing
 * the projects they reach (a member on no team sees none of the project's).
 */
export const OWN_PROJECT_SETTINGS = table({ ok: [...PEOPLE], 'session-only': [...TOKENS] });
/** Changing them for a project: one the caller does not reach is an invalid id, and nothing changes. */
export const OWN_PROJECT_SETTINGS_CHANGE = table(
  { ok: [...STAFF, ...REACHING], 'session-only': [...TOKENS] },
  {
    'member:off': {
      status: 400,
      body: { projects: ['Invalid project ids'], detail: 'projects: Invalid project ids' },
    },
  },
);

/**
 * Releases and deploys (Sentry's release permission): anyone who reaches a project, by role
 * (members hold project:releases) or by token, org:ci included; org:read alone is not enough.
 * A release of no reached project is missing (`missingAs`: the caller's answer then).
 */
const releaseTable = (offTeam: Outcome, gate: readonly CallerName[] = []) =>
  table(
    {
      ok: [
        ...STAFF,
        ...REACHING,
        ...GRANT_TOKENS,
        ...ORG_SCOPED,
        ...(gate.includes('org:ci') ? [] : ['org:ci' as const]),
      ],
      gate: ['org:read', ...LACKING, ...gate],
    },
    { 'member:off': offTeam },
  );
/** The organization's release list: a member on no team sees an empty list. */
export const RELEASE_LIST = releaseTable({ status: 200, body: [] });
/** A release (or its deploys) by version: one of no reached project is missing. */
export const RELEASE_DATA = releaseTable('missing');
/** Releases through a project's URL: reach needed, else 403. */
export const PROJECT_RELEASES = releaseTable('deny');
/** Creating a release in a project the caller does not reach: Sentry's 400 on the project list. */
export const RELEASE_CREATE = releaseTable({
  status: 400,
  body: { projects: ['Invalid project ids or slugs'], detail: 'projects: Invalid project ids or slugs' },
});
/** Deleting a release: project:admin or project:releases, never org:ci. */
export const RELEASE_DELETE = releaseTable('missing', ['org:ci']);
/** Release work of the organization that names no project (sentry-cli's chunk upload): every member. */
export const RELEASE_ORG = releaseTable('ok');
/** Deleting a project's artifact bundle: reach needed, else 403; never org:ci. */
export const PROJECT_RELEASE_DELETE = releaseTable('deny', ['org:ci']);
/** The organization's repositories: org:read, as any member, or CI's org:ci (sentry-cli set-commits). */
export const REPO_LIST = table({
  ok: [...PEOPLE, ...GRANT_TOKENS, 'org:ci', 'org:read', ...ORG_SCOPED],
  gate: [...LACKING],
});
