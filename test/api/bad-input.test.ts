import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../src/api/permissions.js';
import type { ApiRoute } from '../../src/api/route.js';
import { API_ROUTES } from '../../src/api/routes.js';
import { USER_TOKEN_SCOPES } from '../../src/auth/scopes.js';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { createUserToken } from '../../src/services/user-tokens.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
  signIn,
} from '../support/harness.js';

// Bad requests to every endpoint that takes a body or an id: each gets a clear 4xx with a `detail`,
// and nothing changes (everything both organizations hold is read back and compared).

const NOT_FOUND = 'The requested resource does not exist';
const MAX_BODY = 2048;
const TOO_LARGE = `Request body is larger than the limit of ${MAX_BODY} bytes.`;
const BAD_JSON = 'Malformed request: the body is not valid JSON.';
const TOO_BIG_ID = '99999999999999999999';

type Session = Awaited<ReturnType<typeof signIn>>;

/** The objects the cases aim at. Organization "acme" is the owner's; "bee" belongs to someone else. */
interface World {
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
  /** Objects of organization "bee" (and its owner), to address through "acme". */
  readonly bee: {
    readonly teamId: string;
    readonly projectId: string;
    readonly key: string;
    readonly memberId: string;
    readonly orgTokenId: string;
    readonly userTokenId: string;
  };
}

interface BadCase {
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

const routeKey = (route: ApiRoute) => `${route.method} ${route.url}`;
const callerOf = (route: ApiRoute): BadCase['as'] =>
  route.auth === 'public' ? 'anonymous' : route.auth === 'session' ? 'session' : 'token';

/** A body each endpoint accepts, so that only the part under test is wrong. */
const VALID_BODY: Record<string, unknown> = {
  'PUT /organizations/:org/issues/:issue/': { status: 'resolved' },
  'PUT /issues/:issue/': { status: 'resolved' },
  'PUT /projects/:org/:project/issues/': { status: 'resolved' },
  'PUT /organizations/:org/issues/': { status: 'resolved' },
  'POST /auth/login/': { username: 'owner@bad.test', password: 'wrong password' },
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
    ...replace,
  };
  return `/api/0${route.url.replace(/:(\w+)/g, (_m, name: string) => values[name] as string)}`;
}

const withBody = API_ROUTES.filter((r) => r.method !== 'GET');

/** Invalid JSON, oversized JSON and (where a schema asks for an object) non-object JSON, for every route that reads a body. */
const BODY_CASES: BadCase[] = withBody.flatMap((route): BadCase[] => [
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
};

function unknownValues(route: ApiRoute, param: string): string[] {
  if (route.url.startsWith('/accept-invite/') && param === 'token') return ['wrong-token'];
  // `:key` is a DSN key only under keys/ (under tags/ it names a tag).
  if (param === 'key' && !route.url.includes('/keys/:key/')) return [];
  return UNKNOWN[param] ?? [];
}

const ID_CASES: BadCase[] = API_ROUTES.flatMap((route) => {
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
const PAGE_CASES: BadCase[] = LISTS.flatMap((key) => {
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

const field = (name: string) => new RegExp(`^Invalid request body: ${name}\\b`);
const SLUG_RULE = /^Invalid slug: use lowercase letters/;
const BLANK_NAME = 'The name may not be blank.';
const NO_PERMISSION = 'You do not have permission to perform this action.';
const ORG_TAKEN = 'An organization with this slug already exists.';
const TEAM_TAKEN = 'A team with this slug already exists.';
const PROJECT_TAKEN = 'A project with this slug already exists.';
const TOKEN_ID = 'tokenId is required.';

/** `{name}` in a path template stands for an id or key of the world (see `place`). */
function place(template: string, w: World): string {
  const values: Record<string, string> = {
    key: w.key,
    invitee: w.inviteeId,
    inviteToken: w.inviteToken,
    orgToken: w.orgTokenId,
    userToken: w.userTokenId,
    beeTeam: w.bee.teamId,
    beeProject: w.bee.projectId,
    beeKey: w.bee.key,
    beeMember: w.bee.memberId,
    beeOrgToken: w.bee.orgTokenId,
    beeUserToken: w.bee.userTokenId,
  };
  return `/api/0${template.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] as string)}`;
}

type Row = readonly [what: string, body: BadCase['body'], status: number, detail: BadCase['detail']];

/** The rows of one endpoint: what is wrong, the body, and the answer expected. */
function endpoint(method: Method, template: string, rows: readonly Row[], as: BadCase['as'] = 'token') {
  return rows.map(
    ([what, body, status, detail]): BadCase => ({
      name: `${method} ${template}: ${what}`,
      method,
      url: (w) => place(template, w),
      ...(body === undefined ? {} : { body }),
      as,
      status,
      detail,
    }),
  );
}

/** Wrong types, missing fields, bad values, taken slugs and other people's ids, endpoint by endpoint. */
const FIELD_CASES: BadCase[] = [
  ...endpoint(
    'POST',
    '/auth/login/',
    [
      ['no password', { username: 'owner@bad.test' }, 400, field('password')],
      ['a numeric username', { username: 5, password: 'x' }, 400, field('username')],
      ['an empty password', { username: 'owner@bad.test', password: '' }, 400, field('password')],
      [
        'a wrong password',
        { username: 'owner@bad.test', password: 'not it' },
        400,
        /^Please enter a correct/,
      ],
    ],
    'anonymous',
  ),
  ...endpoint('POST', '/organizations/', [
    ['no name', {}, 400, field('name')],
    ['a numeric name', { name: 5 }, 400, field('name')],
    ['a blank name', { name: '   ' }, 400, BLANK_NAME],
    ['a name over 64 characters', { name: 'n'.repeat(65) }, 400, field('name')],
    ['a slug with spaces', { name: 'Fine', slug: 'Not A Slug' }, 400, SLUG_RULE],
    ['an all-digit slug', { name: 'Fine', slug: '12345' }, 400, SLUG_RULE],
    ['defaultTeam as text', { name: 'Fine', defaultTeam: 'yes' }, 400, field('defaultTeam')],
    ['a taken slug', { name: 'Again', slug: 'taken-org' }, 409, ORG_TAKEN],
    ["a name making another's slug", { name: 'Bee' }, 409, ORG_TAKEN],
  ]),
  ...endpoint('PUT', '/organizations/acme/', [
    ['a numeric name', { name: 5 }, 400, field('name')],
    ['a blank name', { name: ' ' }, 400, BLANK_NAME],
    ['a slug with spaces', { slug: 'Bad Slug' }, 400, SLUG_RULE],
    ['an unknown default role', { defaultRole: 'emperor' }, 400, field('defaultRole')],
    ['openMembership as text', { openMembership: 'no' }, 400, field('openMembership')],
    ['a taken slug', { slug: 'taken-org' }, 409, ORG_TAKEN],
    ["another organization's slug and a new name", { slug: 'bee', name: 'Stolen' }, 409, ORG_TAKEN],
  ]),
  ...endpoint('GET', '/users/999999/regions/', [["another person's id", undefined, 403, NO_PERMISSION]]),
  ...endpoint('POST', '/organizations/acme/teams/', [
    ['neither slug nor name', {}, 400, 'A name or slug is required.'],
    ['a numeric slug', { slug: 5 }, 400, field('slug')],
    ['a slug with spaces', { slug: 'Back End' }, 400, SLUG_RULE],
    ['a taken slug', { slug: 'backend' }, 409, TEAM_TAKEN],
    ['a name making a taken slug', { name: 'Backend' }, 409, TEAM_TAKEN],
  ]),
  ...endpoint('PUT', '/teams/acme/backend/', [
    ['an empty name', { name: '' }, 400, field('name')],
    ['a slug with spaces', { slug: 'Back End' }, 400, SLUG_RULE],
    ['a taken slug and a new name', { slug: 'acme', name: 'Taken' }, 409, TEAM_TAKEN],
  ]),
  ...endpoint('GET', '/teams/acme/{beeTeam}/', [
    ["another organization's team id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/teams/acme/{beeTeam}/', [
    ["another organization's team id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/teams/acme/acme/projects/', [
    ['no name', { platform: 'node' }, 400, field('name')],
    ['a numeric name', { name: 7 }, 400, field('name')],
    ['a blank name', { name: '  ' }, 400, BLANK_NAME],
    ['a slug with capitals', { name: 'Fine', slug: 'Not OK' }, 400, SLUG_RULE],
    ['a numeric platform', { name: 'Fine', platform: 3 }, 400, field('platform')],
    ['a name making a taken slug', { name: 'API' }, 409, PROJECT_TAKEN],
  ]),
  ...endpoint('POST', '/teams/acme/backend/projects/', [
    ["a slug taken in another team's project", { name: 'Web again', slug: 'web' }, 409, PROJECT_TAKEN],
  ]),
  ...endpoint('PUT', '/projects/acme/web/', [
    ['a numeric name', { name: 1 }, 400, field('name')],
    ['a blank name', { name: ' ' }, 400, BLANK_NAME],
    ['a slug in capitals', { slug: 'WEB' }, 400, SLUG_RULE],
    ['a taken slug and a new name', { slug: 'api', name: 'Taken' }, 409, PROJECT_TAKEN],
  ]),
  ...endpoint('GET', '/projects/acme/{beeProject}/', [
    ["another organization's project id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/projects/acme/{beeProject}/', [
    ["another organization's project id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/projects/acme/web/teams/{beeTeam}/', [
    ["another organization's team id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/projects/acme/web/keys/', [
    ['a numeric name', { name: 5 }, 400, field('name')],
    ['a rate limit without window', { rateLimit: { count: 5 } }, 400, field('rateLimit')],
    ['a negative rate limit', { rateLimit: { count: -1, window: 60 } }, 400, field('rateLimit')],
    ['a rate limit as text', { rateLimit: 'lots' }, 400, field('rateLimit')],
  ]),
  ...endpoint('PUT', '/projects/acme/web/keys/{key}/', [
    ['isActive as text', { isActive: 'no' }, 400, field('isActive')],
    ['an empty name', { name: '' }, 400, field('name')],
    ['a zero window', { rateLimit: { count: 1, window: 0 } }, 400, field('rateLimit')],
  ]),
  ...endpoint('PUT', '/projects/acme/api/keys/{key}/', [
    ["another project's key", { isActive: false }, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/projects/acme/web/keys/{beeKey}/', [
    ["another organization's key", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/organizations/acme/members/', [
    ['no email', { orgRole: 'member' }, 400, field('email')],
    ['a numeric email', { email: 5 }, 400, field('email')],
    ['a malformed email', { email: 'not-an-email' }, 400, 'Enter a valid email address.'],
    ['an unknown role', { email: 'fresh@bad.test', orgRole: 'emperor' }, 400, 'Invalid role: emperor'],
    ['an unknown team', { email: 'fresh@bad.test', teams: ['nope'] }, 400, 'Unknown team: nope'],
    [
      "another organization's team",
      { email: 'fresh@bad.test', teamRoles: [{ teamSlug: 'bee' }] },
      400,
      'Unknown team: bee',
    ],
    [
      'a team role without a team',
      { email: 'fresh@bad.test', teamRoles: [{ role: 'admin' }] },
      400,
      field('teamRoles'),
    ],
    [
      'a member already invited',
      { email: 'invitee@bad.test' },
      409,
      'The user invitee@bad.test is already a member or invited.',
    ],
    [
      'the owner, in capitals',
      { email: 'OWNER@bad.test' },
      409,
      'The user owner@bad.test is already a member or invited.',
    ],
  ]),
  ...endpoint('PUT', '/organizations/acme/members/{invitee}/', [
    ['an unknown role', { orgRole: 'emperor' }, 400, 'Invalid role: emperor'],
    ['a numeric role', { orgRole: 3 }, 400, field('orgRole')],
  ]),
  ...endpoint('DELETE', '/organizations/acme/members/{beeMember}/', [
    ["another organization's member", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/organizations/acme/members/{beeMember}/teams/backend/', [
    ["another organization's member", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint(
    'POST',
    '/accept-invite/acme/{invitee}/{inviteToken}/',
    [
      [
        'by someone it was not sent to (a member already)',
        undefined,
        403,
        'This invite was sent to another email address.',
      ],
    ],
    'session',
  ),
  ...endpoint(
    'POST',
    '/accept-invite/bee/{invitee}/{inviteToken}/',
    [['through the wrong organization', undefined, 404, 'Invalid invite code']],
    'session',
  ),
  ...endpoint(
    'POST',
    '/api-tokens/',
    [
      ['no scopes', { name: 'x' }, 400, field('scopes')],
      ['scopes as text', { scopes: 'org:read' }, 400, field('scopes')],
      ['an empty scope list', { scopes: [] }, 400, 'At least one scope is required.'],
      ['an unknown scope', { scopes: ['org:read', 'org:everything'] }, 400, 'Invalid scopes: org:everything'],
      ['an OpenID scope', { scopes: ['openid'] }, 400, 'Invalid scopes: openid'],
      ['a name over 255 characters', { scopes: ['org:read'], name: 'n'.repeat(256) }, 400, field('name')],
      ['an expiry of 0 days', { scopes: ['org:read'], expiresInDays: 0 }, 400, field('expiresInDays')],
    ],
    'session',
  ),
  ...endpoint(
    'PATCH',
    '/api-tokens/{userToken}/',
    [
      ['new scopes', { scopes: ['org:admin'] }, 400, 'Only the name of a token can be changed, not: scopes'],
      ['a numeric name', { name: 5 }, 400, field('name')],
    ],
    'session',
  ),
  ...endpoint(
    'PATCH',
    '/api-tokens/{beeUserToken}/',
    [["another person's token", { name: 'mine' }, 404, NOT_FOUND]],
    'session',
  ),
  ...endpoint(
    'DELETE',
    '/api-tokens/',
    [
      ['no tokenId', {}, 400, TOKEN_ID],
      ['tokenId as a word', { tokenId: 'abc' }, 400, TOKEN_ID],
      ['tokenId true', { tokenId: true }, 400, TOKEN_ID],
      ['tokenId in a list', (w: World) => ({ tokenId: [Number(w.userTokenId)] }), 400, TOKEN_ID],
      [
        'tokenId in hex',
        (w: World) => ({ tokenId: `0x${Number(w.userTokenId).toString(16)}` }),
        400,
        TOKEN_ID,
      ],
      ["another person's tokenId", (w: World) => ({ tokenId: w.bee.userTokenId }), 404, NOT_FOUND],
    ],
    'session',
  ),
  ...endpoint('POST', '/organizations/acme/org-auth-tokens/', [
    ['no name', {}, 400, ['The name cannot be blank.']],
    ['a blank name', { name: '  ' }, 400, ['The name cannot be blank.']],
    ['a numeric name', { name: 5 }, 400, field('name')],
    [
      'a name over 255 characters',
      { name: 'n'.repeat(256) },
      400,
      ['The name cannot be longer than 255 characters.'],
    ],
    [
      'an unknown scope',
      { name: 'ci', scopes: ['org:all'] },
      400,
      ['Invalid scopes for an organization token: org:all'],
    ],
    ['an empty scope list', { name: 'ci', scopes: [] }, 400, ['At least one scope is required.']],
  ]),
  ...endpoint('PUT', '/organizations/acme/org-auth-tokens/{orgToken}/', [
    ['no name', {}, 400, 'The name cannot be blank.'],
    ['a blank name', { name: ' ' }, 400, 'The name cannot be blank.'],
    [
      'a name over 255 characters',
      { name: 'n'.repeat(256) },
      400,
      'The name cannot be longer than 255 characters.',
    ],
  ]),
  ...endpoint('PUT', '/organizations/acme/org-auth-tokens/{beeOrgToken}/', [
    ["another organization's token", { name: 'mine' }, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/organizations/acme/org-auth-tokens/{beeOrgToken}/', [
    ["another organization's token", undefined, 404, NOT_FOUND],
  ]),
];

const CASES = [...BODY_CASES, ...ID_CASES, ...PAGE_CASES, ...FIELD_CASES];

describe.each(TEST_ENGINES)('bad input on %s', (engine) => {
  let h: Harness;
  let w: World;

  beforeAll(async () => {
    h = await createHarness(engine, { ERRATA_API_MAX_BODY_BYTES: String(MAX_BODY) });
    const owner = await makeUser(h.ctx, { email: 'owner@bad.test' });
    const other = await makeUser(h.ctx, { email: 'other@bad.test' });
    const { org, team } = await makeOrg(h.ctx, owner, 'acme');
    await makeOrg(h.ctx, owner, 'taken-org');
    const { key } = await makeProject(h.ctx, org, team, 'web');
    await makeProject(h.ctx, org, team, 'api');
    const full = await makeToken(h.ctx, owner, [...USER_TOKEN_SCOPES]);
    const backend = await h.request({
      method: 'POST',
      url: '/api/0/organizations/acme/teams/',
      token: full,
      payload: { slug: 'backend' },
    });
    expect(backend.statusCode).toBe(201);
    const invited = await h.request({
      method: 'POST',
      url: '/api/0/organizations/acme/members/',
      token: full,
      payload: { email: 'invitee@bad.test', teams: ['backend'] },
    });
    expect(invited.statusCode).toBe(201);
    const invitee = invited.json() as { id: string; invite_link: string };
    const orgToken = await createOrgToken(h.ctx, {
      organizationId: org.id,
      orgSlug: 'acme',
      name: 'ci',
      scopes: ['org:ci'],
      createdById: owner.id,
    });
    const userToken = await createUserToken(h.ctx, { userId: owner.id, scopes: ['org:read'], name: 'spare' });
    const eventId = 'e'.repeat(32);
    const stored = await h.app.inject({
      method: 'POST',
      url: `/api/${key.projectId}/store/`,
      payload: {
        event_id: eventId,
        level: 'error',
        exception: { values: [{ type: 'Error', value: 'boom' }] },
      },
      headers: { 'x-sentry-auth': `Sentry sentry_key=${key.publicKey}, sentry_version=7` },
    });
    expect(stored.statusCode).toBe(200);
    await h.worker.drain();
    const issues = await h.request({ method: 'GET', url: '/api/0/projects/acme/web/issues/', token: full });
    const issueId = (issues.json() as { id: string }[])[0]?.id as string;

    const { org: bee, team: beeTeam } = await makeOrg(h.ctx, other, 'bee');
    const { project: beeProject, key: beeKey } = await makeProject(h.ctx, bee, beeTeam, 'bee-web');
    const otherFull = await makeToken(h.ctx, other, [...USER_TOKEN_SCOPES]);
    const beeMember = await h.request({
      method: 'POST',
      url: '/api/0/organizations/bee/members/',
      token: otherFull,
      payload: { email: 'bee-invitee@bad.test' },
    });
    const beeOrgToken = await createOrgToken(h.ctx, {
      organizationId: bee.id,
      orgSlug: 'bee',
      name: 'bee ci',
      scopes: ['org:ci'],
      createdById: other.id,
    });
    const beeUserToken = await createUserToken(h.ctx, {
      userId: other.id,
      scopes: ['org:read'],
      name: 'bee',
    });
    w = {
      ownerEmail: owner.email,
      full,
      session: await signIn(h, owner.email),
      otherFull,
      otherSession: await signIn(h, other.email),
      key: key.publicKey,
      inviteeId: invitee.id,
      inviteToken: invitee.invite_link.split('/').filter(Boolean).at(-1) as string,
      orgTokenId: String(orgToken.record.id),
      userTokenId: String(userToken.record.id),
      issueId,
      eventId,
      bee: {
        teamId: String(beeTeam.id),
        projectId: String(beeProject.id),
        key: beeKey.publicKey,
        memberId: (beeMember.json() as { id: string }).id,
        orgTokenId: String(beeOrgToken.record.id),
        userTokenId: String(beeUserToken.record.id),
      },
    };
  });
  afterAll(() => h?.close());

  /** Everything both organizations and both people hold, read through the API (last-used times aside). */
  async function snapshot(): Promise<unknown> {
    const read = async (url: string, auth: { token?: string; headers?: Record<string, string> }) => {
      const res = await h.request({ method: 'GET', url, ...auth });
      expect(res.statusCode, url).toBe(200);
      return JSON.parse(res.body, (k, v) =>
        k === 'dateLastUsed' || k === 'lastLogin' || k === 'lastActive' ? undefined : v,
      );
    };
    const byId = (list: { id: string }[]) => [...list].sort((a, b) => Number(a.id) - Number(b.id));
    const one = async (org: string, token: string, session: Session) => {
      const detail = await read(`/api/0/organizations/${org}/`, { token });
      const [members, orgTokens, orgs, apiTokens, keys, teamMembers] = await Promise.all([
        read(`/api/0/organizations/${org}/members/`, { token }),
        read(`/api/0/organizations/${org}/org-auth-tokens/`, { token }).then(byId),
        read('/api/0/organizations/', { token }),
        read('/api/0/api-tokens/', { headers: { cookie: session.cookie } }).then(byId),
        Promise.all(
          (detail.projects as { slug: string }[]).map((p) =>
            read(`/api/0/projects/${org}/${p.slug}/keys/`, { token }),
          ),
        ),
        Promise.all(
          (detail.teams as { slug: string }[]).map((t) =>
            read(`/api/0/teams/${org}/${t.slug}/members/`, { token }),
          ),
        ),
      ]);
      return { detail, members, orgTokens, orgs, apiTokens, keys, teamMembers };
    };
    const [acme, bee] = await Promise.all([
      one('acme', w.full, w.session),
      one('bee', w.otherFull, w.otherSession),
    ]);
    return { acme, bee };
  }

  async function send(c: BadCase): Promise<LightMyRequestResponse> {
    const as = c.as ?? 'token';
    const headers: Record<string, string> =
      as === 'token'
        ? { authorization: `Bearer ${w.full}` }
        : as === 'session'
          ? { ...w.session.headers }
          : {};
    const options: InjectOptions = { method: c.method, url: c.url(w), headers };
    if (c.raw !== undefined) {
      headers['content-type'] = 'application/json';
      options.payload = c.raw;
    } else if (c.body !== undefined) {
      options.payload = (typeof c.body === 'function' ? c.body(w) : c.body) as Record<string, unknown>;
    }
    return h.app.inject(options);
  }

  it('has a valid body for every route that validates one', () => {
    const missing = API_ROUTES.filter((r) => r.body && VALID_BODY[routeKey(r)] === undefined).map(routeKey);
    expect(missing, 'add a body each of these routes accepts to VALID_BODY').toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // GET handlers write nothing (a token's last-used time aside), so only the others are re-read.
    const before = c.method === 'GET' ? null : await snapshot();
    const res = await send(c);
    expect(res.statusCode, res.body).toBe(c.status);
    const body = res.json() as { detail?: unknown };
    if (c.detail instanceof RegExp) {
      expect(typeof body.detail).toBe('string');
      expect(body.detail).toMatch(c.detail);
    } else {
      expect(body.detail).toEqual(c.detail);
    }
    if (before !== null) expect(await snapshot()).toEqual(before);
  });
});
