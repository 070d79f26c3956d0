import type { Scope } from '../auth/scopes.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** For each method, the scopes of which a caller must hold at least one (Sentry's permission classes). */
export type ScopeMap = Readonly<Partial<Record<Method, readonly Scope[]>>>;

const READ = ['org:read', 'org:write', 'org:admin'] as const;

/** rest-api.md §3.3 and §3.4, one entry per permission class Errata uses. */
export const PERMISSIONS = {
  organization: {
    GET: READ,
    POST: ['org:write', 'org:admin'],
    PUT: ['org:write', 'org:admin'],
    DELETE: ['org:admin'],
  },
  organizationList: { GET: READ, POST: ['org:write', 'org:admin'] },
  organizationProjects: { GET: READ, POST: ['project:read', 'project:write', 'project:admin'] },
  organizationTeams: { GET: READ, POST: ['org:write', 'org:admin', 'team:write'] },
  team: {
    GET: ['team:read', 'team:write', 'team:admin'],
    POST: ['team:write', 'team:admin'],
    PUT: ['team:write', 'team:admin'],
    DELETE: ['team:admin'],
  },
  teamProjects: {
    GET: ['project:read', 'project:write', 'project:admin'],
    POST: ['project:write', 'project:admin'],
  },
  project: {
    GET: ['project:read', 'project:write', 'project:admin'],
    POST: ['project:write', 'project:admin'],
    PUT: ['project:read', 'project:write', 'project:admin'],
    DELETE: ['project:admin'],
  },
  projectTeams: { POST: ['project:write', 'project:admin'], DELETE: ['project:write', 'project:admin'] },
  projectKeys: {
    GET: ['project:read', 'project:write', 'project:admin'],
    POST: ['project:write', 'project:admin'],
    PUT: ['project:write', 'project:admin'],
    DELETE: ['project:admin'],
  },
  members: {
    GET: ['member:read', 'member:write', 'member:admin'],
    POST: ['member:invite', 'member:write', 'member:admin'],
  },
  member: {
    GET: ['member:read', 'member:write', 'member:admin'],
    PUT: ['member:invite', 'member:write', 'member:admin'],
    DELETE: ['member:read', 'member:write', 'member:admin'],
  },
  memberTeams: {
    POST: ['org:read', 'org:write', 'team:write'],
    DELETE: ['org:read', 'org:write', 'org:admin', 'team:admin'],
  },
  orgAuthTokens: { GET: READ, POST: READ, PUT: READ, DELETE: ['org:write', 'org:admin'] },
  userRegions: { GET: ['org:read'] },
  regions: { GET: READ },
  issues: {
    GET: ['event:read', 'event:write', 'event:admin'],
    PUT: ['event:write', 'event:admin'],
    DELETE: ['event:admin'],
  },
  projectIssues: { GET: ['event:read'], PUT: ['event:write'], DELETE: ['event:admin'] },
  projectEvents: { GET: ['project:read', 'project:write', 'project:admin'] },
  eventIds: { GET: READ },
  // A project's environments: readers see them, writers hide or show them.
  environments: {
    GET: ['project:read', 'project:write', 'project:admin'],
    PUT: ['project:write', 'project:admin'],
  },
  // Sentry's release permission, at organization and project level alike: CI's org:ci may create
  // and update releases and deploys, but not delete them.
  releases: {
    GET: ['project:read', 'project:write', 'project:admin', 'project:releases', 'org:ci'],
    POST: ['project:write', 'project:admin', 'project:releases', 'org:ci'],
    PUT: ['project:write', 'project:admin', 'project:releases', 'org:ci'],
    DELETE: ['project:admin', 'project:releases'],
  },
  // Sentry's loose integrations permission: CI's org:ci lists repositories (sentry-cli set-commits).
  repositories: { GET: [...READ, 'org:integrations', 'org:ci'] },
  repositoryCommits: { GET: READ },
  // Sentry's ProjectAlertRulePermission: alerts:write, which every role holds, changes a project's
  // issue alert rules where the caller reaches the project.
  alertRules: {
    GET: ['project:read', 'project:write', 'project:admin', 'alerts:read', 'alerts:write'],
    POST: ['project:write', 'project:admin', 'alerts:write'],
    PUT: ['project:write', 'project:admin', 'alerts:write'],
    DELETE: ['project:write', 'project:admin', 'alerts:write'],
  },
  // Sentry's crons permissions: the organization's monitor list and creation, and each monitor,
  // which the caller reads and changes with its scopes on the monitor's project.
  organizationMonitors: {
    GET: [...READ, 'alerts:read'],
    POST: [...READ, 'alerts:write'],
  },
  monitors: {
    GET: ['project:read', 'project:write', 'project:admin', 'alerts:read', 'alerts:write'],
    POST: ['project:write', 'project:admin', 'alerts:write'],
    PUT: ['project:write', 'project:admin', 'alerts:write'],
    DELETE: ['project:write', 'project:admin', 'alerts:write'],
  },
  // User feedback: a project's reports (Sentry's ProjectPermission), and the organization's list,
  // which shows the reports of the projects the caller reads.
  userFeedback: {
    GET: ['project:read', 'project:write', 'project:admin'],
    POST: ['project:write', 'project:admin'],
  },
  organizationUserFeedback: { GET: ['project:read', 'project:write', 'project:admin'] },
  // Sentry's organization permission for release health: any member reads the sessions of the
  // projects it reaches.
  sessions: { GET: READ },
  // Sentry's Explore query (logs and other datasets): org:read in its API docs, over the projects
  // the caller reaches.
  orgEvents: { GET: READ },
  // Sentry's trace view (trace, trace-meta): org:read in its API docs, over the projects the caller
  // reaches.
  trace: { GET: READ },
  // Sentry's usage stats (stats_v2): any member reads the outcomes of the projects it reaches.
  organizationStats: { GET: READ },
  // Sentry's ProjectPermission, which its legacy plugin endpoints use.
  projectPlugins: {
    GET: ['project:read', 'project:write', 'project:admin'],
    POST: ['project:write', 'project:admin'],
    PUT: ['project:write', 'project:admin'],
    DELETE: ['project:admin'],
  },
} as const satisfies Record<string, ScopeMap>;
