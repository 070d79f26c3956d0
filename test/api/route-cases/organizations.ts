import { expect } from 'vitest';
import {
  ORG_READ,
  ORG_TOKEN_MINT,
  ORG_WRITE,
  PROJECT_WRITE,
  TEAM_READ,
  TEAM_WRITE,
  TEAMS_ADMIN,
} from '../support/callers.js';
import { addTeam, call, expectNotFound, findIn, ISO, next, orgToken, RIGHTFUL } from '../support/world.js';
import type { RouteCase } from './case.js';

// The organization, its teams and its organization tokens.

export const ORGANIZATIONS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_READ,
    prepare: async (_env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/`,
      check: (res, who) => {
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body).toMatchObject({ id: String(w.org.id), slug: w.org.slug });
        expect(body.teams.map((t: { slug: string }) => t.slug)).toContain(w.team.slug);
        expect(body.projects.map((p: { slug: string }) => p.slug)).toContain(w.project.slug);
        if (who === RIGHTFUL) {
          // The token's scopes, not the owner's: a token never does more than it was given.
          expect(body).toMatchObject({ role: 'owner', access: ['org:read'] });
          expect(body.teams).toHaveLength(1);
          expect(body.projects).toHaveLength(1);
        }
      },
    }),
  },
  'PUT /organizations/:org/': {
    grant: 'org:write',
    foreign: 'deny',
    callers: ORG_WRITE,
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
    callers: ORG_READ,
    prepare: async (_env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/teams/`,
      check: (res, who) => {
        expect(res.statusCode).toBe(200);
        const team = findIn(res, 'id', String(w.team.id));
        expect(team).toMatchObject({ slug: w.team.slug });
        if (who === RIGHTFUL) {
          expect(res.json()).toHaveLength(1);
          expect(team).toMatchObject({ memberCount: 1, isMember: true });
        }
      },
    }),
  },
  'POST /organizations/:org/teams/': {
    grant: 'team:write',
    foreign: 'deny',
    callers: TEAMS_ADMIN,
    prepare: async (env, w) => {
      const slug = `backend-${next()}`;
      return {
        url: `/api/0/organizations/${w.org.slug}/teams/`,
        payload: { slug },
        check: async (res, who) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({ slug, name: slug });
          // The person who creates a team joins it as its admin; a token's organization has no person.
          if (who.role !== null)
            expect(res.json()).toMatchObject({ isMember: true, teamRole: 'admin', memberCount: 1 });
          expect((await call(env, 'GET', `/api/0/teams/${w.org.slug}/${slug}/`)).statusCode).toBe(200);
        },
      };
    },
  },
  'GET /teams/:org/:team/': {
    grant: 'team:read',
    foreign: 'deny',
    callers: TEAM_READ,
    prepare: async (_env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/`,
      check: (res, who) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          id: String(w.team.id),
          slug: w.team.slug,
          dateCreated: expect.stringMatching(ISO),
        });
        if (who === RIGHTFUL)
          expect(res.json()).toMatchObject({
            name: w.team.name,
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
    callers: TEAM_WRITE,
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
    callers: TEAMS_ADMIN,
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
  'GET /teams/:org/:team/projects/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: TEAM_READ,
    prepare: async (_env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/projects/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(findIn(res, 'id', String(w.project.id))).toMatchObject({
          slug: w.project.slug,
          team: { id: String(w.team.id), slug: w.team.slug },
        });
      },
    }),
  },
  'POST /teams/:org/:team/projects/': {
    grant: 'project:write',
    foreign: 'deny',
    callers: PROJECT_WRITE,
    prepare: async (env, w) => {
      const n = next();
      return {
        url: `/api/0/teams/${w.org.slug}/${w.team.slug}/projects/`,
        payload: { name: `Checkout Web ${n}`, platform: 'javascript' },
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({
            slug: `checkout-web-${n}`,
            name: `Checkout Web ${n}`,
            platform: 'javascript',
            team: { slug: w.team.slug },
          });
          const keys = await call(env, 'GET', `/api/0/projects/${w.org.slug}/checkout-web-${n}/keys/`);
          expect(keys.json()).toHaveLength(1);
        },
      };
    },
  },
  'GET /organizations/:org/org-auth-tokens/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_READ,
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
    callers: ORG_TOKEN_MINT,
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
    callers: ORG_READ,
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
    callers: ORG_READ,
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
    callers: ORG_WRITE,
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
};
