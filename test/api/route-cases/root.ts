import { expect } from 'vitest';
import { signIn } from '../../support/harness.js';
import { call, ISO, NOT_PROVIDED, next, ownerToken } from '../support/world.js';
import type { RouteCase } from './case.js';

// Routes that reach no organization's data as such: the root, signing in and out, a person's own
// tokens and regions, and the list and creation of organizations (whose answer holds only the caller's).

const SIGN_IN = { outside: 'signing in and out: no organization involved' } as const;
const PERSONAL = { outside: "a person's own tokens and regions" } as const;
const ORG_LIST = { outside: "the caller's own organizations, or a new one" } as const;

/** PATCH and PUT of a personal token both rename it; `label` tells the two cases' names apart. */
function renamesToken(label: string): RouteCase {
  return {
    foreign: 'deny',
    callers: PERSONAL,
    prepare: async (env) => {
      const name = `${label}-${next()}-z`;
      const { record } = await ownerToken(env, name);
      return {
        url: `/api/0/api-tokens/${record.id}/`,
        payload: { name: `after ${label}` },
        secrets: [name],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const read = await env.h.request({
            method: 'GET',
            url: `/api/0/api-tokens/${record.id}/`,
            headers: { cookie: env.ownerSession.cookie },
          });
          expect(read.json().name).toBe(`after ${label}`);
        },
      };
    },
  };
}

export const ROOT_CASES: Record<string, RouteCase> = {
  'GET /': {
    foreign: 'none',
    callers: SIGN_IN,
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
    callers: PERSONAL,
    prepare: async (env) => ({
      url: `/api/0/users/${env.owner.id}/regions/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        // The owner's organizations all live in the harness's region.
        expect(res.json()).toEqual({
          regions: [{ name: env.h.ctx.config.region, url: env.h.ctx.config.url }],
        });
      },
    }),
  },
  'GET /regions/': {
    grant: 'org:read',
    foreign: 'none',
    callers: { outside: "the deployment's regions and their public URLs, the same for everyone" },
    prepare: async (env) => ({
      url: '/api/0/regions/',
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({
          regions: env.h.ctx.config.regions.map((r) => ({ name: r.name, url: r.url })),
        });
      },
    }),
  },
  'POST /auth/login/': {
    foreign: 'none',
    callers: SIGN_IN,
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
    callers: SIGN_IN,
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
    callers: ORG_LIST,
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
    callers: ORG_LIST,
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
  'GET /api-tokens/': {
    foreign: 'filter',
    callers: PERSONAL,
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
    callers: PERSONAL,
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
    callers: PERSONAL,
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
    callers: PERSONAL,
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
  'PATCH /api-tokens/:token/': renamesToken('patch'),
  'PUT /api-tokens/:token/': renamesToken('put'),
  'DELETE /api-tokens/:token/': {
    foreign: 'deny',
    callers: PERSONAL,
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
};
