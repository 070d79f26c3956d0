import { expect } from 'vitest';
import { LACKING_TOKENS, PROJECT_REACHERS, PROJECT_READ, PROJECT_WRITE, table } from '../support/callers.js';
import { type Env, next, setup, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// Environments of an organization and its projects. Every case deploys a release of its own to an
// environment of its own in the world's project, so that no cell reads another's changes.

async function withEnvironment(env: Env, w: World) {
  const version = `env-case@${next()}`;
  const name = `stage-${next()}`;
  const releases = `/api/0/organizations/${w.org.slug}/releases/`;
  await setup(env, 'POST', releases, { version, projects: [w.project.slug] });
  await setup(env, 'POST', `${releases}${encodeURIComponent(version)}/deploys/`, { environment: name });
  return { name, base: `/api/0/projects/${w.org.slug}/${w.project.slug}/environments/` };
}

/** The organization's list holds only what the caller may read in projects: nothing for org:read alone. */
const ORG_ENVIRONMENTS = table(
  {
    ok: [...PROJECT_REACHERS],
    gate: ['org:ci', ...LACKING_TOKENS],
  },
  { 'member:off': { status: 200, body: [] }, 'org:read': { status: 200, body: [] } },
);

export const ENVIRONMENTS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/environments/': {
    grant: 'org:read',
    // Environments come from projects, which only a project scope reads.
    alsoGrants: ['project:read'],
    foreign: 'deny',
    callers: ORG_ENVIRONMENTS,
    prepare: async (env, w) => {
      const { name } = await withEnvironment(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/environments/`,
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toContainEqual({ id: expect.any(String), name });
        },
      };
    },
  },
  'GET /projects/:org/:project/environments/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_READ,
    prepare: async (env, w) => {
      const { name, base } = await withEnvironment(env, w);
      return {
        url: base,
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toContainEqual({ id: expect.any(String), name, isHidden: false });
        },
      };
    },
  },
  'PUT /projects/:org/:project/environments/': {
    grant: 'project:write',
    foreign: 'deny',
    callers: PROJECT_WRITE,
    prepare: async (env, w) => {
      const { name, base } = await withEnvironment(env, w);
      return {
        url: base,
        payload: { environmentNames: [name], isHidden: true },
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([{ id: expect.any(String), name, isHidden: true }]);
          const hidden = await setup<{ name: string }[]>(env, 'GET', `${base}?visibility=hidden`);
          expect(hidden.map((e) => e.name)).toContain(name);
        },
      };
    },
  },
  'GET /projects/:org/:project/environments/:environment/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_READ,
    prepare: async (env, w) => {
      const { name, base } = await withEnvironment(env, w);
      return {
        url: `${base}${name}/`,
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual({ id: expect.any(String), name, isHidden: false });
        },
      };
    },
  },
  'PUT /projects/:org/:project/environments/:environment/': {
    grant: 'project:write',
    foreign: 'deny',
    callers: PROJECT_WRITE,
    prepare: async (env, w) => {
      const { name, base } = await withEnvironment(env, w);
      return {
        url: `${base}${name}/`,
        payload: { isHidden: true },
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual({ id: expect.any(String), name, isHidden: true });
          const read = await setup<{ isHidden: boolean }>(env, 'GET', `${base}${name}/`);
          expect(read.isHidden).toBe(true);
        },
      };
    },
  },
};
