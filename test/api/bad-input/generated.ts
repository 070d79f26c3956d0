import type { Method } from '../../../src/api/permissions.js';
import type { ApiRoute } from '../../../src/api/route.js';
import { API_ROUTES } from '../../../src/api/routes.js';
import type { Session } from '../support/world.js';
import { NOT_FOUND } from '../support/world.js';

// The generated bad requests: broken bodies for every route that reads one, unknown ids for every
// URL parameter, and bad paging for every list. bad-input.test.ts sends them; fields.ts has the
// hand-written ones.

export const MAX_BODY = 2048;
const TOO_LARGE = `Request body is larger than the limit of ${MAX_BODY} bytes.`;
const BAD_JSON = 'Malformed request: the body is not valid JSON.';
const TOO_BIG_ID = '99999999999999999999';

/** The objects the cases aim at. Organization "acme" is the owner's; "bee" belongs to someone else. */
export interface World {
  readonly ownerEmail: string;
  readonly full: string;
  readonly session: Session;
  readonly otherFull: string;
  readonly otherSession: Session;
  readonly key: string;
  readonly inviteeId: string;
  readonly inviteToken: string;
  readonly orgTokenId: string;
  readonly userTokenId: string;
  /** The issue and event made by one error event sent to project "web". */
  readonly issueId: string;
  readonly eventId: string;
  /** A release of project "web" (organization "bee" has one of its own, "bee-1.0"). */
  readonly release: string;
  /** The repository the release's commits are in. */
  readonly repoId: string;
  /** The default alert rule of project "web". */
  readonly ruleId: string;
  /** Objects of organization "bee" (and its owner), to address through "acme". */
  readonly bee: {
    readonly teamId: string;
    readonly projectId: string;
    readonly key: string;
    readonly memberId: string;
    readonly orgTokenId: string;
    readonly userTokenId: string;
    readonly repoId: string;
    readonly ruleId: string;
  };
}

export interface BadCase {
  readonly name: string;
  readonly method: Method;
  readonly url: (w: World) => string;
  /** A JSON body, or raw text sent as application/json. */
  readonly body?: unknown | ((w: World) => unknown);
  readonly raw?: string;
  /** Who asks: the owner's token (default), the owner's session, or nobody (public routes). */
  readonly as?: 'token' | 'session' | 'anonymous';
  readonly status: number;
  /** The exact `detail`, or a pattern a string `detail` must match. */
  readonly detail: string | string[] | RegExp;
}

export const routeKey = (route: ApiRoute) => `${route.method} ${route.url}`;
const callerOf = (route: ApiRoute): BadCase['as'] =>
  route.auth === 'public' ? 'anonymous' : route.auth === 'session' ? 'session' : 'token';

/** A body each endpoint accepts, so that only the part under test is wrong. */
export const VALID_BODY: Record<string, unknown> = {
  'PUT /organizations/:org/issues/:issue/': { status: 'resolved' },
  'PUT /issues/:issue/': { status: 'resolved' },
  'PUT /projects/:org/:project/issues/': { status: 'resolved' },
  'PUT /organizations/:org/issues/': { status: 'resolved' },
  'POST /auth/login/': { username: 'owner@bad.test', password: 'wrong password' },
  'POST /auth/password-reset/': { email: 'nobody@bad.test' },
  'POST /auth/password-reset/confirm/': { token: 'a'.repeat(43), password: 'long enough password' },
  'PUT /users/:user/notification-settings/': { workflowEmail: true },
  'PUT /users/:user/notification-settings/:org/': { projects: [] },
  'POST /organizations/': { name: 'Fresh Org' },
  'PUT /organizations/:org/': { name: 'Changed' },
  'POST /organizations/:org/teams/': { slug: 'fresh-team' },
  'PUT /teams/:org/:team/': { name: 'Changed' },
  'POST /teams/:org/:team/projects/': { name: 'Fresh Project' },
  'PUT /projects/:org/:project/': { name: 'Changed' },
  'POST /projects/:org/:project/keys/': { name: 'Fresh' },
  'PUT /projects/:org/:project/keys/:key/': { name: 'Changed' },
  'POST /organizations/:org/members/': { email: 'fresh@bad.test' },
  'PUT /organizations/:org/members/:member/': { orgRole: 'manager' },
  'POST /api-tokens/': { scopes: ['org:read'] },
  'PATCH /api-tokens/:token/': { name: 'Changed' },
  'PUT /api-tokens/:token/': { name: 'Changed' },
  'POST /organizations/:org/org-auth-tokens/': { name: 'Fresh' },
  'PUT /organizations/:org/org-auth-tokens/:token/': { name: 'Changed' },
  'POST /organizations/:org/releases/': { version: '2.0.0', projects: ['web'] },
  'POST /projects/:org/:project/releases/': { version: '2.0.1' },
  'PUT /projects/:org/:project/releases/:version/': { ref: 'main' },
  'PUT /organizations/:org/releases/:version/': { ref: 'main' },
  'POST /organizations/:org/releases/:version/deploys/': { environment: 'production' },
  'PUT /projects/:org/:project/environments/': { environmentNames: ['production'], isHidden: false },
  'PUT /projects/:org/:project/environments/:environment/': { isHidden: false },
  'POST /organizations/:org/artifactbundle/assemble/': {
    checksum: 'a'.repeat(40),
    chunks: [],
    projects: ['web'],
  },
  'POST /projects/:org/:project/files/difs/assemble/': {},
  'POST /projects/:org/:project/rules/': {
    name: 'Fresh',
    actionMatch: 'all',
    frequency: 30,
    conditions: [{ id: 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition' }],
    actions: [{ id: 'sentry.mail.actions.NotifyEmailAction', targetType: 'IssueOwners' }],
  },
  'PUT /projects/:org/:project/rules/:rule/': {
    name: 'Changed',
    actionMatch: 'any',
    frequency: 60,
    conditions: [{ id: 'sentry.rules.conditions.regression_event.RegressionEventCondition' }],
    actions: [
      { id: 'sentry.rules.actions.notify_event_service.NotifyEventServiceAction', service: 'webhooks' },
    ],
  },
  'PUT /projects/:org/:project/plugins/:plugin/': { urls: 'https://hooks.example/errata' },
  'POST /organizations/:org/monitors/': {
    project: 'web',
    name: 'Fresh monitor',
    config: { schedule_type: 'crontab', schedule: '0 * * * *' },
  },
  'PUT /organizations/:org/monitors/:monitor/': { name: 'Nightly' },
  'PUT /projects/:org/:project/monitors/:monitor/': { name: 'Nightly' },
  'POST /projects/:org/:project/user-feedback/': {
    event_id: 'a'.repeat(32),
    name: 'Jane',
    email: 'jane@example.com',
    comments: 'It broke!',
  },
  'POST /projects/:org/:project/user-reports/': {
    event_id: 'b'.repeat(32),
    name: 'Jane',
    email: 'jane@example.com',
    comments: 'It broke!',
  },
  'POST /projects/:org/:project/rule-actions/': {
    actions: [{ id: 'sentry.mail.actions.NotifyEmailAction', targetType: 'IssueOwners' }],
  },
};

/** The route's URL with every parameter naming a real object of "acme". */
function fill(route: ApiRoute, w: World, replace: Record<string, string> = {}): string {
  const token = route.url.startsWith('/api-tokens/') ? w.userTokenId : w.orgTokenId;
  const member = w.inviteeId;
  const values: Record<string, string> = {
    org: 'acme',
    team: 'backend',
    project: 'web',
    key: w.key,
    member,
    token: route.url.startsWith('/accept-invite/') ? w.inviteToken : token,
    user: 'me',
    issue: w.issueId,
    event: w.eventId,
    version: w.release,
    environment: 'production',
    bundleId: '00000000-0000-0000-0000-000000000001',
    repo: w.repoId,
    rule: w.ruleId,
    plugin: 'webhooks',
    monitor: 'nightly',
    ...replace,
  };
  return `/api/0${route.url.replace(/:(\w+)/g, (_m, name: string) => values[name] as string)}`;
}

const withBody = API_ROUTES.filter((r) => r.method !== 'GET');

/** Invalid JSON, oversized JSON and (where a schema asks for an object) non-object JSON, for every route that reads a body. */
export const BODY_CASES: BadCase[] = withBody.flatMap((route): BadCase[] => [
  {
    name: `${routeKey(route)}: invalid JSON`,
    method: route.method,
    url: (w) => fill(route, w),
    raw: '{"name": "half',
    as: callerOf(route),
    status: 400,
    detail: BAD_JSON,
  },
  {
    name: `${routeKey(route)}: a body over the limit`,
    method: route.method,
    url: (w) => fill(route, w),
    body: { name: 'x'.repeat(MAX_BODY * 2) },
    as: callerOf(route),
    status: 413,
    detail: TOO_LARGE,
  },
  ...(route.body
    ? (['[]', '"text"', '42', 'null'] as const).map(
        (raw): BadCase => ({
          name: `${routeKey(route)}: JSON ${raw} instead of an object`,
          method: route.method,
          url: (w) => fill(route, w),
          raw,
          as: callerOf(route),
          status: 400,
          detail: /must be object/,
        }),
      )
    : []),
]);

/** Unknown values for each URL parameter; all-digit ones too large for an id must be 404s as well. */
const UNKNOWN: Record<string, string[]> = {
  org: ['no-such-org', '999999', TOO_BIG_ID],
  team: ['no-such-team', '999999', TOO_BIG_ID],
  project: ['no-such-project', '999999', TOO_BIG_ID],
  key: ['0'.repeat(32), 'not-a-key'],
  member: ['999999', 'someone', TOO_BIG_ID, '1e0'],
  token: ['999999', 'abc', TOO_BIG_ID, '1e0', '0x1'],
  issue: ['999999', TOO_BIG_ID, 'NOPE-1'],
  event: ['0'.repeat(32), 'not-an-event-id'],
  version: ['no-such-release', 'a%2Fb', 'bee-1.0', TOO_BIG_ID],
  bundleId: ['no-such-bundle', '00000000-0000-0000-0000-000000000000'],
  repo: ['999999', 'origin', TOO_BIG_ID, '1e0'],
  rule: ['999999', 'abc', TOO_BIG_ID, '1e0', '-1'],
  plugin: ['slack', 'no-such-plugin'],
  monitor: ['no-such-monitor', '999999', TOO_BIG_ID, 'bee-nightly'],
};

function unknownValues(route: ApiRoute, param: string): string[] {
  if (route.url.startsWith('/accept-invite/') && param === 'token') return ['wrong-token'];
  // `:key` is a DSN key only under keys/ (under tags/ it names a tag).
  if (param === 'key' && !route.url.includes('/keys/:key/')) return [];
  return UNKNOWN[param] ?? [];
}

export const ID_CASES: BadCase[] = API_ROUTES.flatMap((route) => {
  // A route whose body has no entry in VALID_BODY is reported once, by the test that checks it.
  if (route.body && VALID_BODY[routeKey(route)] === undefined) return [];
  const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] as string).filter((p) => p !== 'user');
  const invite = route.url.startsWith('/accept-invite/');
  return params.flatMap((param) =>
    unknownValues(route, param).map(
      (value): BadCase => ({
        name: `${routeKey(route)}: unknown :${param} ${value.length > 24 ? `${value.slice(0, 8)}…` : value}`,
        method: route.method,
        url: (w) => fill(route, w, { [param]: value }),
        ...(VALID_BODY[routeKey(route)] === undefined ? {} : { body: VALID_BODY[routeKey(route)] }),
        as: callerOf(route),
        status: 404,
        detail: invite ? 'Invalid invite code' : NOT_FOUND,
      }),
    ),
  );
});

/** The paginated lists. */
const LISTS = [
  'GET /organizations/',
  'GET /organizations/:org/teams/',
  'GET /organizations/:org/projects/',
  'GET /organizations/:org/members/',
  'GET /teams/:org/:team/members/',
  'GET /teams/:org/:team/projects/',
  'GET /projects/:org/:project/keys/',
  'GET /projects/:org/:project/issues/',
  'GET /organizations/:org/issues/',
  'GET /organizations/:org/issues/:issue/events/',
  'GET /issues/:issue/events/',
  'GET /projects/:org/:project/events/',
  'GET /organizations/:org/releases/',
  'GET /projects/:org/:project/releases/',
  'GET /organizations/:org/releases/:version/deploys/',
  'GET /organizations/:org/releases/:version/commits/',
  'GET /organizations/:org/releases/:version/commitfiles/',
  'GET /projects/:org/:project/releases/:version/commits/',
  'GET /organizations/:org/repos/',
  'GET /organizations/:org/repos/:repo/commits/',
  'GET /projects/:org/:project/files/artifact-bundles/',
  'GET /projects/:org/:project/rules/',
  'GET /projects/:org/:project/rules/:rule/deliveries/',
  'GET /organizations/:org/monitors/',
  'GET /organizations/:org/monitors/:monitor/checkins/',
  'GET /projects/:org/:project/monitors/:monitor/checkins/',
  'GET /projects/:org/:project/user-feedback/',
  'GET /organizations/:org/user-feedback/',
  'GET /issues/:issue/user-feedback/',
];
const PAGE_QUERIES: [string, string][] = [
  ['cursor=abc', 'Invalid cursor parameter.'],
  ['cursor=0:10', 'Invalid cursor parameter.'],
  ['cursor=0:10:0:1', 'Invalid cursor parameter.'],
  ['cursor=0:x:0', 'Invalid cursor parameter.'],
  ['cursor=0:-1:0', 'Invalid cursor parameter.'],
  ['cursor=0:1.5:0', 'Invalid cursor parameter.'],
  [`cursor=0:${TOO_BIG_ID}:0`, 'Invalid cursor parameter.'],
  ['per_page=abc', 'Invalid per_page parameter.'],
  ['per_page=1.5', 'Invalid per_page parameter.'],
  ['per_page=-1', 'Invalid per_page parameter.'],
  ['per_page=0', 'Invalid per_page parameter.'],
  ['per_page=101', 'Invalid per_page value. Cannot exceed 100.'],
  [`per_page=${TOO_BIG_ID}`, 'Invalid per_page value. Cannot exceed 100.'],
];
export const PAGE_CASES: BadCase[] = LISTS.flatMap((key) => {
  const route = API_ROUTES.find((r) => routeKey(r) === key);
  if (!route) throw new Error(`${key} is not a route any more`);
  return PAGE_QUERIES.map(
    ([query, detail]): BadCase => ({
      name: `${key}?${query}`,
      method: 'GET',
      url: (w) => `${fill(route, w)}?${query}`,
      status: 400,
      detail,
    }),
  );
});
