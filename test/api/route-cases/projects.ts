import { expect } from 'vitest';
import { ORG_READ, PROJECT_READ, PROJECT_WRITE } from '../support/callers.js';
import { addTeam, call, expectNotFound, findIn, RIGHTFUL, setup } from '../support/world.js';
import type { RouteCase } from './case.js';

// Projects, the teams they belong to, and their DSN keys. The role matrix runs every change on a
// project made for the cell, so that no change reaches the project the other cells read.

export const PROJECTS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/projects/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_READ,
    prepare: async (_env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/projects/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(findIn(res, 'id', String(w.project.id))).toMatchObject({
          slug: w.project.slug,
          team: expect.objectContaining({ slug: w.team.slug }),
        });
      },
    }),
  },
  'GET /projects/:org/:project/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_READ,
    prepare: async (_env, w) => ({
      url: `/api/0/projects/${w.org.slug}/${w.project.slug}/`,
      check: (res, who) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          id: String(w.project.id),
          slug: w.project.slug,
          platform: 'node',
          organization: { id: String(w.org.id), slug: w.org.slug },
          teams: [{ slug: w.team.slug }],
        });
        if (who === RIGHTFUL) expect(res.json().access).toEqual(['project:read']);
      },
    }),
  },
  'PUT /projects/:org/:project/': {
    grant: 'project:write',
    foreign: 'deny',
    callers: PROJECT_WRITE,
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
    callers: PROJECT_WRITE,
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
    callers: PROJECT_WRITE,
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
    callers: PROJECT_WRITE,
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
    callers: PROJECT_READ,
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
              public: `${w.url.replace('://', `://${w.key.publicKey}@`)}/${w.project.id}`,
            }),
          }),
        ]);
      },
    }),
  },
  'POST /projects/:org/:project/keys/': {
    grant: 'project:write',
    foreign: 'deny',
    callers: PROJECT_WRITE,
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
    callers: PROJECT_READ,
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
    callers: PROJECT_WRITE,
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
    callers: PROJECT_WRITE,
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
};
