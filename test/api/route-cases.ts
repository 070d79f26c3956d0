import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Method } from '../../src/api/permissions.js';
import { ROLE_SCOPES, type Scope } from '../../src/auth/scopes.js';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { createUserToken } from '../../src/services/user-tokens.js';
import type { Organization, Project, ProjectKey, Team, User } from '../../src/store/types.js';
import { type Harness, signIn, TEST_URL } from '../support/harness.js';

// One rightful call per route of API_ROUTES, keyed `${method} ${url}`: the URL and body to send
// against fresh objects, and what a 2xx answer must hold. auth-matrix.test.ts sends each one with
// every kind of credential; it fails for a route without a case here, or a case without a route.

export const NOT_PROVIDED = 'Authentication credentials were not provided.';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export type Session = Awaited<ReturnType<typeof signIn>>;

/** What every case can use: the harness and the people, sessions and tokens made once per engine. */
export interface Env {
  readonly h: Harness;
  readonly owner: User;
  /** The owner's personal token with every scope, for setting things up through the API. */
  readonly full: string;
  readonly ownerSession: Session;
  /** A person who belongs to none of the organizations made for the cases; owns org B. */
  readonly outsider: User;
  readonly outsiderToken: string;
  readonly outsiderSession: Session;
  readonly orgB: Organization;
  readonly orgBToken: string;
  readonly expiredToken: string;
  readonly revokedOrgToken: string;
}

/** Fresh objects for one test: organization A (owned by `owner`) with its first team, a project and its key. */
export interface World {
  readonly org: Organization;
  readonly team: Team;
  readonly project: Project;
  readonly key: ProjectKey;
  /** An organization token of A (every scope unless the test says otherwise). */
  readonly orgToken: string;
  /** Text of organization A that no foreign caller may ever see. */
  readonly secrets: string[];
}

/** One request of a case, against the world it was prepared in. */
export interface Prepared {
  readonly url: string;
  readonly payload?: unknown;
  /** The session a session-only route is called with; default the owner's. */
  readonly session?: Session;
  /** More text a foreign caller must not see (e.g. the name of the owner's token). */
  readonly secrets?: string[];
  /** Checks the 2xx answer given to the rightful caller, and its effect. */
  check(res: LightMyRequestResponse): Promise<void> | void;
}

export interface RouteCase {
  /** For scoped routes: the one scope of the route's gate the rightful caller's token holds. */
  readonly grant?: Scope;
  /**
   * Scopes the rightful caller's token also needs for the checks past the gate (a project scope to
   * find events, the scopes of a role to grant it).
   */
  readonly alsoGrants?: readonly Scope[];
  /**
   * A caller from elsewhere (a non-member's token, another organization's token, another person's
   * session): `deny` = 403/404, `filter` = 2xx showing nothing of organization A, `none` = the route
   * has nothing of anyone else's to protect.
   */
  readonly foreign: 'deny' | 'filter' | 'none';
  prepare(env: Env, w: World): Promise<Prepared>;
}

let seq = 0;
/** A number no other object of the run has used, for unique names. */
export const next = () => ++seq;

export async function call(
  env: Env,
  method: Method,
  url: string,
  payload?: unknown,
  token = env.full,
): Promise<LightMyRequestResponse> {
  return env.h.request({
    method,
    url,
    token,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** A setup call through the API as the owner; it must succeed. */
async function setup<T = Record<string, unknown>>(
  env: Env,
  method: Method,
  url: string,
  payload?: unknown,
): Promise<T> {
  const res = await call(env, method, url, payload);
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`);
  return (res.body === '' ? undefined : res.json()) as T;
}

async function invite(env: Env, w: World, teams: string[] = [], email = `invitee-${next()}@example.com`) {
  const member = await setup<{ id: string; email: string; invite_link: string }>(
    env,
    'POST',
    `/api/0/organizations/${w.org.slug}/members/`,
    { email, teams },
  );
  const token = member.invite_link.split('/').filter(Boolean).at(-1) as string;
  return { ...member, token };
}

async function addTeam(env: Env, w: World) {
  return setup<{ id: string; slug: string }>(env, 'POST', `/api/0/organizations/${w.org.slug}/teams/`, {
    slug: `extra-${next()}-z`,
  });
}

async function ownerToken(env: Env, name: string) {
  return createUserToken(env.h.ctx, { userId: env.owner.id, scopes: ['org:read'], name });
}

async function orgToken(env: Env, w: World, scopes: Scope[] = ['org:ci'], name = 'ci') {
  return createOrgToken(env.h.ctx, {
    organizationId: w.org.id,
    orgSlug: w.org.slug,
    name,
    scopes,
    createdById: env.owner.id,
  });
}

/** Sends one error event to the world's project through ingest and digests it: an issue with one event. */
async function withIssue(env: Env, w: World) {
  const n = next();
  const eventId = randomBytes(16).toString('hex');
  const stored = await env.h.app.inject({
    method: 'POST',
    url: `/api/${w.project.id}/store/`,
    payload: {
      event_id: eventId,
      timestamp: env.h.ctx.now() / 1000,
      platform: 'node',
      level: 'error',
      exception: { values: [{ type: 'TypeError', value: `boom-${n}-z` }] },
    },
    headers: { 'x-sentry-auth': `Sentry sentry_key=${w.key.publicKey}, sentry_version=7` },
  });
  if (stored.statusCode !== 200) throw new Error(`ingest: ${stored.statusCode} ${stored.body}`);
  await env.h.worker.drain();
  const [issue] = await setup<{ id: string; shortId: string }[]>(
    env,
    'GET',
    `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/`,
  );
  if (!issue) throw new Error('the event made no issue');
  return { issueId: issue.id, shortId: issue.shortId, eventId, title: `TypeError: boom-${n}-z` };
}

/** An event with a text attachment, sent as an envelope the way SDKs send files, and digested. */
async function withAttachment(env: Env, w: World) {
  const eventId = randomBytes(16).toString('hex');
  const content = `log line ${next()}\n`;
  const body = [
    JSON.stringify({ event_id: eventId }),
    JSON.stringify({ type: 'event' }),
    JSON.stringify({ level: 'error', message: 'with a file', timestamp: env.h.ctx.now() / 1000 }),
    JSON.stringify({
      type: 'attachment',
      length: Buffer.byteLength(content),
      filename: 'app.log',
      content_type: 'text/plain',
    }),
    content,
  ].join('\n');
  const sent = await env.h.app.inject({
    method: 'POST',
    url: `/api/${w.project.id}/envelope/?sentry_key=${w.key.publicKey}&sentry_version=7`,
    payload: body,
  });
  if (sent.statusCode !== 200) throw new Error(`ingest: ${sent.statusCode} ${sent.body}`);
  await env.h.worker.drain();
  const [attachment] = await env.h.ctx.db.region
    .selectFrom('attachments')
    .select('id')
    .where('event_id', '=', eventId)
    .execute();
  if (!attachment) throw new Error('the attachment was not stored');
  return { eventId, content, attachmentId: String(attachment.id) };
}

/** The checks every issue answer gets: the world's project and the event's title. */
function expectIssue(body: unknown, w: World, issue: Awaited<ReturnType<typeof withIssue>>) {
  expect(body).toMatchObject({
    id: issue.issueId,
    shortId: issue.shortId,
    title: issue.title,
    status: 'unresolved',
    level: 'error',
    project: { id: String(w.project.id), slug: w.project.slug },
    permalink: `${TEST_URL}/organizations/${w.org.slug}/issues/${issue.issueId}/`,
  });
}

function expectEvent(body: unknown, w: World, issue: Awaited<ReturnType<typeof withIssue>>) {
  expect(body).toMatchObject({
    id: issue.eventId,
    eventID: issue.eventId,
    groupID: issue.issueId,
    projectID: String(w.project.id),
    title: issue.title,
    dateCreated: expect.stringMatching(ISO),
  });
}

/** The same issue route under an organization (by short id) and at the top level (by numeric id). */
function issueCases(
  suffix: string,
  check: (
    res: LightMyRequestResponse,
    w: World,
    issue: Awaited<ReturnType<typeof withIssue>>,
    env: Env,
  ) => void | Promise<void>,
  eventParam?: (issue: Awaited<ReturnType<typeof withIssue>>) => string,
  options: { method?: Method; grant?: Scope; payload?: unknown } = {},
): Record<string, RouteCase> {
  const method = options.method ?? 'GET';
  const make =
    (url: (w: World, issue: Awaited<ReturnType<typeof withIssue>>) => string): RouteCase['prepare'] =>
    async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: url(w, issue),
        ...(options.payload === undefined ? {} : { payload: options.payload }),
        secrets: [issue.title, issue.eventId],
        check: (res) => check(res, w, issue, env),
      };
    };
  const tail = (issue: Awaited<ReturnType<typeof withIssue>>) =>
    `${suffix.replace(':event', eventParam ? eventParam(issue) : '').replace(':key', 'level')}`;
  return {
    [`${method} /organizations/:org/issues/:issue/${suffix}`]: {
      grant: options.grant ?? 'event:read',
      foreign: 'deny',
      prepare: make(
        (w, issue) => `/api/0/organizations/${w.org.slug}/issues/${issue.shortId}/${tail(issue)}`,
      ),
    },
    [`${method} /issues/:issue/${suffix}`]: {
      grant: options.grant ?? 'event:read',
      foreign: 'deny',
      prepare: make((_w, issue) => `/api/0/issues/${issue.issueId}/${tail(issue)}`),
    },
  };
}

function expectNotFound(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(404);
  expect(res.json()).toEqual({ detail: 'The requested resource does not exist' });
}

export const ROUTE_CASES: Record<string, RouteCase> = {
  'GET /': {
    foreign: 'none',
    prepare: async () => ({
      url: '/api/0/',
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ version: '0', auth: null, user: null });
      },
    }),
  },
  'GET /users/:user/regions/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (env) => ({
      url: `/api/0/users/${env.owner.id}/regions/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ regions: [{ name: 'default', url: TEST_URL }] });
      },
    }),
  },
  'POST /auth/login/': {
    foreign: 'none',
    prepare: async (env) => ({
      url: '/api/0/auth/login/',
      payload: { username: env.owner.email, password: 'correct horse battery' },
      check: (res) => {
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.user).toMatchObject({ id: String(env.owner.id), email: env.owner.email });
        expect(body.csrfToken).toEqual(expect.any(String));
        const session = (res.cookies as { name: string; httpOnly?: boolean }[]).find(
          (c) => c.name === 'errata_session',
        );
        expect(session?.httpOnly).toBe(true);
      },
    }),
  },
  'DELETE /auth/': {
    foreign: 'none',
    prepare: async (env) => {
      const session = await signIn(env.h, env.owner.email);
      return {
        url: '/api/0/auth/',
        session,
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expect(res.body).toBe('');
          const after = await env.h.request({
            method: 'GET',
            url: '/api/0/api-tokens/',
            headers: { cookie: session.cookie },
          });
          expect(after.statusCode).toBe(401);
          expect(after.json()).toEqual({ detail: NOT_PROVIDED });
        },
      };
    },
  },
  'GET /organizations/': {
    grant: 'org:read',
    foreign: 'filter',
    prepare: async (_env, w) => ({
      url: '/api/0/organizations/',
      check: (res) => {
        expect(res.statusCode).toBe(200);
        const mine = (res.json() as { slug: string }[]).find((o) => o.slug === w.org.slug);
        expect(mine).toMatchObject({
          id: String(w.org.id),
          name: w.org.name,
          dateCreated: expect.stringMatching(ISO),
          isEarlyAdopter: false,
          require2FA: false,
          requireEmailVerification: false,
          features: [],
        });
        expect(res.headers.link).toContain('rel="next"');
      },
    }),
  },
  'POST /organizations/': {
    grant: 'org:write',
    foreign: 'none',
    prepare: async (env) => {
      const n = next();
      return {
        url: '/api/0/organizations/',
        payload: { name: `Made ${n} Z` },
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          const body = res.json();
          expect(body).toMatchObject({ name: `Made ${n} Z`, slug: `made-${n}-z`, role: 'owner' });
          expect(body.teams.map((t: { slug: string }) => t.slug)).toEqual([`made-${n}-z`]);
          expect(body.projects).toEqual([]);
          const read = await call(env, 'GET', `/api/0/organizations/made-${n}-z/`);
          expect(read.json().id).toBe(body.id);
        },
      };
    },
  },
  'GET /organizations/:org/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body).toMatchObject({
          id: String(w.org.id),
          slug: w.org.slug,
          role: 'owner',
          // The token's scopes, not the owner's: a token never does more than it was given.
          access: ['org:read'],
        });
        expect(body.teams.map((t: { slug: string }) => t.slug)).toEqual([w.team.slug]);
        expect(body.projects.map((p: { slug: string }) => p.slug)).toEqual([w.project.slug]);
      },
    }),
  },
  'PUT /organizations/:org/': {
    grant: 'org:write',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/`,
      payload: { name: 'Renamed Org' },
      check: async (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ slug: w.org.slug, name: 'Renamed Org' });
        const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/`);
        expect(read.json().name).toBe('Renamed Org');
      },
    }),
  },
  'GET /organizations/:org/teams/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/teams/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([
          expect.objectContaining({
            id: String(w.team.id),
            slug: w.team.slug,
            memberCount: 1,
            isMember: true,
          }),
        ]);
      },
    }),
  },
  'POST /organizations/:org/teams/': {
    grant: 'team:write',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/teams/`,
      payload: { slug: 'backend' },
      check: async (res) => {
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({
          slug: 'backend',
          name: 'backend',
          isMember: true,
          teamRole: 'admin',
          memberCount: 1,
        });
        expect((await call(env, 'GET', `/api/0/teams/${w.org.slug}/backend/`)).statusCode).toBe(200);
      },
    }),
  },
  'GET /teams/:org/:team/': {
    grant: 'team:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          id: String(w.team.id),
          slug: w.team.slug,
          name: w.team.name,
          dateCreated: expect.stringMatching(ISO),
          isMember: true,
          teamRole: 'admin',
          memberCount: 1,
        });
      },
    }),
  },
  'PUT /teams/:org/:team/': {
    grant: 'team:write',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/`,
      payload: { name: 'Renamed Team' },
      check: async (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ slug: w.team.slug, name: 'Renamed Team' });
        const read = await call(env, 'GET', `/api/0/teams/${w.org.slug}/${w.team.slug}/`);
        expect(read.json().name).toBe('Renamed Team');
      },
    }),
  },
  'DELETE /teams/:org/:team/': {
    grant: 'team:admin',
    foreign: 'deny',
    prepare: async (env, w) => {
      const team = await addTeam(env, w);
      return {
        url: `/api/0/teams/${w.org.slug}/${team.slug}/`,
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', `/api/0/teams/${w.org.slug}/${team.slug}/`));
        },
      };
    },
  },
  'GET /teams/:org/:team/members/': {
    grant: 'team:read',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/members/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([
          expect.objectContaining({
            email: env.owner.email,
            orgRole: 'owner',
            teamRole: 'admin',
            teamSlug: w.team.slug,
            user: expect.objectContaining({ id: String(env.owner.id) }),
          }),
        ]);
      },
    }),
  },
  'GET /teams/:org/:team/projects/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/projects/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([
          expect.objectContaining({
            id: String(w.project.id),
            slug: w.project.slug,
            team: { id: String(w.team.id), slug: w.team.slug, name: w.team.name },
          }),
        ]);
      },
    }),
  },
  'POST /teams/:org/:team/projects/': {
    grant: 'project:write',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/projects/`,
      payload: { name: 'Checkout Web', platform: 'javascript' },
      check: async (res) => {
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({
          slug: 'checkout-web',
          name: 'Checkout Web',
          platform: 'javascript',
          team: { slug: w.team.slug },
        });
        const keys = await call(env, 'GET', `/api/0/projects/${w.org.slug}/checkout-web/keys/`);
        expect(keys.json()).toHaveLength(1);
      },
    }),
  },
  'POST /organizations/:org/members/:member/teams/:team/': {
    grant: 'team:write',
    foreign: 'deny',
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/teams/${w.team.slug}/`,
        secrets: [member.email],
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({ slug: w.team.slug, memberCount: 2 });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`);
          expect(read.json().teams).toEqual([w.team.slug]);
        },
      };
    },
  },
  'DELETE /organizations/:org/members/:member/teams/:team/': {
    grant: 'team:admin',
    foreign: 'deny',
    prepare: async (env, w) => {
      const member = await invite(env, w, [w.team.slug]);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/teams/${w.team.slug}/`,
        secrets: [member.email],
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ slug: w.team.slug, memberCount: 1 });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`);
          expect(read.json().teams).toEqual([]);
        },
      };
    },
  },
  'GET /organizations/:org/projects/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/projects/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([
          expect.objectContaining({
            id: String(w.project.id),
            slug: w.project.slug,
            name: w.project.name,
            team: expect.objectContaining({ slug: w.team.slug }),
          }),
        ]);
      },
    }),
  },
  'GET /projects/:org/:project/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          id: String(w.project.id),
          slug: w.project.slug,
          platform: 'node',
          organization: { id: String(w.org.id), slug: w.org.slug },
          teams: [{ slug: w.team.slug }],
          access: ['project:read'],
        });
      },
    }),
  },
  'PUT /projects/:org/:project/': {
    grant: 'project:write',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/`,
      payload: { name: 'Renamed Project', platform: 'python' },
      check: async (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          slug: w.project.slug,
          name: 'Renamed Project',
          platform: 'python',
        });
        const read = await call(env, 'GET', `/api/0/projects/${w.org.slug}/${w.project.slug}/`);
        expect(read.json()).toMatchObject({ name: 'Renamed Project', platform: 'python' });
      },
    }),
  },
  'DELETE /projects/:org/:project/': {
    grant: 'project:admin',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/`,
      check: async (res) => {
        expect(res.statusCode).toBe(204);
        expectNotFound(await call(env, 'GET', `/api/0/projects/${w.org.slug}/${w.project.slug}/`));
      },
    }),
  },
  'POST /projects/:org/:project/teams/:team/': {
    grant: 'project:write',
    foreign: 'deny',
    prepare: async (env, w) => {
      const team = await addTeam(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/teams/${team.slug}/`,
        check: (res) => {
          expect(res.statusCode).toBe(201);
          const slugs = res.json().teams.map((t: { slug: string }) => t.slug);
          expect(slugs.sort()).toEqual([w.team.slug, team.slug].sort());
        },
      };
    },
  },
  'DELETE /projects/:org/:project/teams/:team/': {
    grant: 'project:write',
    foreign: 'deny',
    prepare: async (env, w) => {
      const team = await addTeam(env, w);
      await setup(env, 'POST', `/api/0/projects/${w.org.slug}/${w.project.slug}/teams/${team.slug}/`);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/teams/${team.slug}/`,
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json().teams.map((t: { slug: string }) => t.slug)).toEqual([w.team.slug]);
        },
      };
    },
  },
  'GET /projects/:org/:project/keys/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/keys/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([
          expect.objectContaining({
            id: w.key.publicKey,
            public: w.key.publicKey,
            projectId: w.project.id,
            isActive: true,
            dsn: expect.objectContaining({
              public: `http://${w.key.publicKey}@errata.test:9000/${w.project.id}`,
            }),
          }),
        ]);
      },
    }),
  },
  'POST /projects/:org/:project/keys/': {
    grant: 'project:write',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/keys/`,
      payload: { name: 'CI' },
      check: (res) => {
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({
          name: 'CI',
          label: 'CI',
          projectId: w.project.id,
          isActive: true,
          rateLimit: null,
          public: expect.stringMatching(/^[0-9a-f]{32}$/),
        });
      },
    }),
  },
  'GET /projects/:org/:project/keys/:key/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (_env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/keys/${w.key.publicKey}/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ id: w.key.publicKey, secret: w.key.secretKey, name: 'Default' });
      },
    }),
  },
  'PUT /projects/:org/:project/keys/:key/': {
    grant: 'project:write',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/keys/${w.key.publicKey}/`,
      payload: { isActive: false },
      check: async (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ id: w.key.publicKey, isActive: false });
        const read = await call(
          env,
          'GET',
          `/api/0/projects/${w.org.slug}/${w.project.slug}/keys/${w.key.publicKey}/`,
        );
        expect(read.json().isActive).toBe(false);
      },
    }),
  },
  'DELETE /projects/:org/:project/keys/:key/': {
    grant: 'project:admin',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/keys/${w.key.publicKey}/`,
      check: async (res) => {
        expect(res.statusCode).toBe(204);
        expectNotFound(
          await call(env, 'GET', `/api/0/projects/${w.org.slug}/${w.project.slug}/keys/${w.key.publicKey}/`),
        );
      },
    }),
  },
  'GET /organizations/:org/members/': {
    grant: 'member:read',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/members/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([
          expect.objectContaining({
            email: env.owner.email,
            orgRole: 'owner',
            pending: false,
            user: expect.objectContaining({ id: String(env.owner.id), email: env.owner.email }),
          }),
        ]);
      },
    }),
  },
  'POST /organizations/:org/members/': {
    grant: 'member:invite',
    foreign: 'deny',
    prepare: async (env, w) => {
      const email = `new-${next()}@example.com`;
      return {
        url: `/api/0/organizations/${w.org.slug}/members/`,
        payload: { email, orgRole: 'member' },
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          const body = res.json();
          // member:invite may invite, but only member:admin may see (and so hand on) the link.
          expect(body).toMatchObject({
            email,
            orgRole: 'member',
            pending: true,
            user: null,
            invite_link: null,
          });
          const list = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/`);
          expect(list.json().map((m: { email: string }) => m.email)).toContain(email);
        },
      };
    },
  },
  'GET /organizations/:org/members/:member/': {
    grant: 'member:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const member = await invite(env, w, [w.team.slug]);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/`,
        secrets: [member.email],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({
            id: member.id,
            email: member.email,
            orgRole: 'member',
            pending: true,
            teams: [w.team.slug],
            teamRoles: [{ teamSlug: w.team.slug, role: null }],
            isOnlyOwner: false,
          });
        },
      };
    },
  },
  'PUT /organizations/:org/members/:member/': {
    grant: 'member:write',
    alsoGrants: [...ROLE_SCOPES.manager],
    foreign: 'deny',
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/`,
        payload: { orgRole: 'manager' },
        secrets: [member.email],
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ id: member.id, orgRole: 'manager', role: 'manager' });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`);
          expect(read.json().orgRole).toBe('manager');
        },
      };
    },
  },
  'DELETE /organizations/:org/members/:member/': {
    grant: 'member:admin',
    foreign: 'deny',
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/`,
        secrets: [member.email],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`));
        },
      };
    },
  },
  'GET /accept-invite/:org/:member/:token/': {
    foreign: 'none',
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/accept-invite/${w.org.slug}/${member.id}/${member.token}/`,
        session: env.outsiderSession,
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({
            orgSlug: w.org.slug,
            organization: { id: String(w.org.id), slug: w.org.slug },
            email: member.email,
            role: 'member',
          });
        },
      };
    },
  },
  'POST /accept-invite/:org/:member/:token/': {
    foreign: 'none',
    prepare: async (env, w) => {
      const member = await invite(env, w, [], env.outsider.email);
      return {
        url: `/api/0/accept-invite/${w.org.slug}/${member.id}/${member.token}/`,
        session: env.outsiderSession,
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const read = await call(
            env,
            'GET',
            `/api/0/organizations/${w.org.slug}/members/${member.id}/`,
            undefined,
            env.outsiderToken,
          );
          expect(read.statusCode).toBe(200);
          expect(read.json()).toMatchObject({
            email: env.outsider.email,
            pending: false,
            user: { id: String(env.outsider.id) },
          });
        },
      };
    },
  },
  'GET /api-tokens/': {
    foreign: 'filter',
    prepare: async (env) => {
      const name = `listed-${next()}-z`;
      const { record } = await ownerToken(env, name);
      return {
        url: '/api/0/api-tokens/',
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const tokens = res.json() as Record<string, unknown>[];
          expect(tokens.find((t) => t.id === String(record.id))).toMatchObject({
            name,
            scopes: ['org:read'],
            tokenLastCharacters: record.lastChars,
            dateCreated: expect.stringMatching(ISO),
          });
          for (const t of tokens) expect(t).not.toHaveProperty('token');
        },
      };
    },
  },
  'POST /api-tokens/': {
    foreign: 'none',
    prepare: async (env) => ({
      url: '/api/0/api-tokens/',
      payload: { name: 'deploys', scopes: ['project:admin'] },
      check: async (res) => {
        expect(res.statusCode).toBe(201);
        const body = res.json();
        expect(body).toMatchObject({
          name: 'deploys',
          scopes: ['project:admin', 'project:read', 'project:write'],
          token: expect.stringMatching(/^sntryu_[0-9a-f]{64}$/),
          expiresAt: null,
        });
        const root = await call(env, 'GET', '/api/0/', undefined, body.token);
        expect(root.json().auth.scopes).toEqual(['project:admin', 'project:read', 'project:write']);
      },
    }),
  },
  'DELETE /api-tokens/': {
    foreign: 'deny',
    prepare: async (env) => {
      const name = `doomed-${next()}-z`;
      const { token, record } = await ownerToken(env, name);
      return {
        url: '/api/0/api-tokens/',
        payload: { tokenId: String(record.id) },
        secrets: [name],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const after = await call(env, 'GET', '/api/0/', undefined, token);
          expect(after.statusCode).toBe(401);
          expect(after.json()).toEqual({ detail: 'Invalid token' });
        },
      };
    },
  },
  'GET /api-tokens/:token/': {
    foreign: 'deny',
    prepare: async (env) => {
      const name = `shown-${next()}-z`;
      const { record } = await ownerToken(env, name);
      return {
        url: `/api/0/api-tokens/${record.id}/`,
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const body = res.json();
          expect(body).toMatchObject({ id: String(record.id), name, scopes: ['org:read'] });
          expect(body).not.toHaveProperty('token');
        },
      };
    },
  },
  'PATCH /api-tokens/:token/': {
    foreign: 'deny',
    prepare: async (env) => {
      const name = `patched-${next()}-z`;
      const { record } = await ownerToken(env, name);
      return {
        url: `/api/0/api-tokens/${record.id}/`,
        payload: { name: 'after patch' },
        secrets: [name],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const read = await env.h.request({
            method: 'GET',
            url: `/api/0/api-tokens/${record.id}/`,
            headers: { cookie: env.ownerSession.cookie },
          });
          expect(read.json().name).toBe('after patch');
        },
      };
    },
  },
  'PUT /api-tokens/:token/': {
    foreign: 'deny',
    prepare: async (env) => {
      const name = `put-${next()}-z`;
      const { record } = await ownerToken(env, name);
      return {
        url: `/api/0/api-tokens/${record.id}/`,
        payload: { name: 'after put' },
        secrets: [name],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const read = await env.h.request({
            method: 'GET',
            url: `/api/0/api-tokens/${record.id}/`,
            headers: { cookie: env.ownerSession.cookie },
          });
          expect(read.json().name).toBe('after put');
        },
      };
    },
  },
  'DELETE /api-tokens/:token/': {
    foreign: 'deny',
    prepare: async (env) => {
      const name = `deleted-${next()}-z`;
      const { token, record } = await ownerToken(env, name);
      return {
        url: `/api/0/api-tokens/${record.id}/`,
        secrets: [name],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const after = await call(env, 'GET', '/api/0/', undefined, token);
          expect(after.statusCode).toBe(401);
          expect(after.json()).toEqual({ detail: 'Invalid token' });
        },
      };
    },
  },
  'GET /organizations/:org/org-auth-tokens/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const { record } = await orgToken(env, w, ['org:ci'], 'release bot');
      return {
        url: `/api/0/organizations/${w.org.slug}/org-auth-tokens/`,
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const tokens = res.json() as Record<string, unknown>[];
          expect(tokens.find((t) => t.id === String(record.id))).toMatchObject({
            name: 'release bot',
            scopes: ['org:ci'],
            tokenLastCharacters: record.lastChars,
            dateLastUsed: null,
          });
          for (const t of tokens) expect(t).not.toHaveProperty('token');
        },
      };
    },
  },
  'POST /organizations/:org/org-auth-tokens/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/org-auth-tokens/`,
      payload: { name: 'CI' },
      check: async (res) => {
        expect(res.statusCode).toBe(201);
        const body = res.json();
        expect(body).toMatchObject({
          name: 'CI',
          scopes: ['org:ci'],
          token: expect.stringMatching(/^sntrys_[A-Za-z0-9+/=]+_[A-Za-z0-9+/]{43}$/),
        });
        const root = await call(env, 'GET', '/api/0/', undefined, body.token);
        expect(root.json()).toEqual({ version: '0', auth: { scopes: ['org:ci'] }, user: null });
      },
    }),
  },
  'GET /organizations/:org/org-auth-tokens/:token/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const { record } = await orgToken(env, w, ['org:ci'], 'shown');
      return {
        url: `/api/0/organizations/${w.org.slug}/org-auth-tokens/${record.id}/`,
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const body = res.json();
          expect(body).toMatchObject({ id: String(record.id), name: 'shown', scopes: ['org:ci'] });
          expect(body).not.toHaveProperty('token');
        },
      };
    },
  },
  'PUT /organizations/:org/org-auth-tokens/:token/': {
    grant: 'org:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const { record } = await orgToken(env, w, ['org:ci'], 'before');
      const url = `/api/0/organizations/${w.org.slug}/org-auth-tokens/${record.id}/`;
      return {
        url,
        payload: { name: 'after' },
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expect(res.body).toBe('');
          expect((await call(env, 'GET', url)).json().name).toBe('after');
        },
      };
    },
  },
  'DELETE /organizations/:org/org-auth-tokens/:token/': {
    grant: 'org:write',
    foreign: 'deny',
    prepare: async (env, w) => {
      const { token, record } = await orgToken(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/org-auth-tokens/${record.id}/`,
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const after = await call(env, 'GET', '/api/0/', undefined, token);
          expect(after.statusCode).toBe(401);
          expect(after.json()).toEqual({ detail: 'Invalid org token' });
        },
      };
    },
  },
  'GET /projects/:org/:project/issues/': {
    grant: 'event:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const body = res.json() as unknown[];
          expect(body).toHaveLength(1);
          expectIssue(body[0], w, issue);
        },
      };
    },
  },
  'GET /organizations/:org/issues/': {
    grant: 'event:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/issues/`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const body = res.json() as unknown[];
          expect(body).toHaveLength(1);
          expectIssue(body[0], w, issue);
        },
      };
    },
  },
  ...issueCases('', (res, w, issue) => {
    expect(res.statusCode).toBe(200);
    expectIssue(res.json(), w, issue);
    expect(res.json()).toMatchObject({ userReportCount: 0 });
  }),
  ...issueCases('events/', (res, w, issue) => {
    expect(res.statusCode).toBe(200);
    const body = res.json() as unknown[];
    expect(body).toHaveLength(1);
    expectEvent(body[0], w, issue);
  }),
  ...issueCases(
    'events/:event/',
    (res, w, issue) => {
      expect(res.statusCode).toBe(200);
      expectEvent(res.json(), w, issue);
    },
    (issue) => issue.eventId,
  ),
  ...issueCases('hashes/', (res, _w, issue) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        mechanism: expect.any(String),
        latestEvent: expect.objectContaining({ eventID: issue.eventId, groupID: issue.issueId }),
      },
    ]);
  }),
  ...issueCases(
    '',
    async (res, w, issue, env) => {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: issue.issueId, status: 'resolved', substatus: null });
      const after = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/issues/${issue.issueId}/`);
      expect(after.json()).toMatchObject({ status: 'resolved' });
    },
    undefined,
    { method: 'PUT', grant: 'event:write', payload: { status: 'resolved' } },
  ),
  ...issueCases(
    '',
    async (res, w, issue, env) => {
      expect(res.statusCode).toBe(202);
      expectNotFound(await call(env, 'GET', `/api/0/organizations/${w.org.slug}/issues/${issue.issueId}/`));
    },
    undefined,
    { method: 'DELETE', grant: 'event:admin' },
  ),
  'PUT /projects/:org/:project/issues/': {
    grant: 'event:write',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/?id=${issue.issueId}`,
        payload: { status: 'resolved', snoozeDuration: null },
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ status: 'resolved' });
          const after = await call(env, 'GET', `/api/0/issues/${issue.issueId}/`);
          expect(after.json()).toMatchObject({ status: 'resolved' });
        },
      };
    },
  },
  'DELETE /projects/:org/:project/issues/': {
    grant: 'event:admin',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/?id=${issue.issueId}`,
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', `/api/0/issues/${issue.issueId}/`));
        },
      };
    },
  },
  'PUT /organizations/:org/issues/': {
    grant: 'event:write',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/issues/?id=${issue.issueId}`,
        payload: { status: 'ignored', statusDetails: { ignoreCount: 10 } },
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ status: 'ignored', statusDetails: { ignoreCount: 10 } });
          const after = await call(env, 'GET', `/api/0/issues/${issue.issueId}/`);
          expect(after.json()).toMatchObject({
            status: 'ignored',
            substatus: 'archived_until_condition_met',
          });
        },
      };
    },
  },
  'DELETE /organizations/:org/issues/': {
    grant: 'event:admin',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/issues/?id=${issue.issueId}`,
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', `/api/0/issues/${issue.issueId}/`));
        },
      };
    },
  },
  ...issueCases('tags/', (res) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toContainEqual({
      key: 'level',
      name: 'level',
      totalValues: 1,
      uniqueValues: 1,
      topValues: [
        expect.objectContaining({ key: 'level', value: 'error', count: 1, query: 'level:"error"' }),
      ],
    });
  }),
  ...issueCases('tags/:key/', (res) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      key: 'level',
      totalValues: 1,
      uniqueValues: 1,
      topValues: [{ value: 'error', count: 1 }],
    });
  }),
  ...issueCases('tags/:key/values/', (res) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({
        key: 'level',
        value: 'error',
        name: 'error',
        count: 1,
        firstSeen: expect.stringMatching(ISO),
      }),
    ]);
  }),
  'GET /projects/:org/:project/events/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const body = res.json() as unknown[];
          expect(body).toHaveLength(1);
          expectEvent(body[0], w, issue);
        },
      };
    },
  },
  'GET /projects/:org/:project/events/:event/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/${issue.eventId}/`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expectEvent(res.json(), w, issue);
        },
      };
    },
  },
  'GET /projects/:org/:project/events/:event/attachments/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const a = await withAttachment(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/${a.eventId}/attachments/`,
        secrets: [a.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            {
              id: a.attachmentId,
              event_id: a.eventId,
              type: 'event.attachment',
              name: 'app.log',
              mimetype: 'text/plain',
              dateCreated: expect.stringMatching(ISO),
              size: Buffer.byteLength(a.content),
              headers: { 'Content-Type': 'text/plain' },
              sha1: expect.stringMatching(/^[0-9a-f]{40}$/),
            },
          ]);
        },
      };
    },
  },
  'GET /projects/:org/:project/events/:event/attachments/:attachment/': {
    grant: 'project:read',
    foreign: 'deny',
    prepare: async (env, w) => {
      const a = await withAttachment(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/${a.eventId}/attachments/${a.attachmentId}/?download=1`,
        secrets: [a.content.trim()],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.body).toBe(a.content);
          expect(res.headers['content-disposition']).toBe('attachment; filename="app.log"');
        },
      };
    },
  },
  'GET /organizations/:org/eventids/:event/': {
    grant: 'org:read',
    alsoGrants: ['project:read'],
    foreign: 'deny',
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/eventids/${issue.eventId}/`,
        secrets: [issue.title],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const body = res.json();
          expect(body).toMatchObject({
            organizationSlug: w.org.slug,
            projectSlug: w.project.slug,
            groupId: issue.issueId,
            eventId: issue.eventId,
          });
          expectEvent(body.event, w, issue);
        },
      };
    },
  },
};
