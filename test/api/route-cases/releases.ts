import { expect } from 'vitest';
import {
  PROJECT_RELEASES,
  RELEASE_CREATE,
  RELEASE_DATA,
  RELEASE_DELETE,
  RELEASE_LIST,
} from '../support/callers.js';
import { call, type Env, expectNotFound, ISO, next, setup, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// Releases of an organization and their deploys, at organization and project level. Every case
// makes a release of its own (in the world's project), so that no cell reads another's changes.

async function withRelease(env: Env, w: World) {
  const version = `web@1.${next()}.0+build 7`;
  await setup(env, 'POST', `/api/0/organizations/${w.org.slug}/releases/`, {
    version,
    projects: [w.project.slug],
  });
  return { version, path: `/api/0/organizations/${w.org.slug}/releases/${encodeURIComponent(version)}/` };
}

const base = { grant: 'project:releases', foreign: 'deny' } as const;

export const RELEASES_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/releases/': {
    ...base,
    callers: RELEASE_LIST,
    prepare: async (env, w) => {
      const { version } = await withRelease(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/releases/?query=${encodeURIComponent(version)}`,
        secrets: [version],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            expect.objectContaining({
              version,
              projects: [expect.objectContaining({ slug: w.project.slug })],
            }),
          ]);
        },
      };
    },
  },
  'POST /organizations/:org/releases/': {
    ...base,
    callers: RELEASE_CREATE,
    prepare: async (env, w) => {
      const version = `api@2.${next()}.0`;
      return {
        url: `/api/0/organizations/${w.org.slug}/releases/`,
        payload: { version, projects: [w.project.slug], ref: 'main' },
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({ version, ref: 'main', dateCreated: expect.stringMatching(ISO) });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/releases/${version}/`);
          expect(read.json()).toMatchObject({ version, projects: [{ slug: w.project.slug }] });
        },
      };
    },
  },
  'GET /organizations/:org/releases/:version/': {
    ...base,
    callers: RELEASE_DATA,
    prepare: async (env, w) => {
      const { version, path } = await withRelease(env, w);
      return {
        url: path,
        secrets: [version],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ version, deployCount: 0, commitCount: 0, authors: [] });
        },
      };
    },
  },
  'PUT /organizations/:org/releases/:version/': {
    ...base,
    callers: RELEASE_DATA,
    prepare: async (env, w) => {
      const { version, path } = await withRelease(env, w);
      return {
        url: path,
        payload: { dateReleased: '2026-12-01T00:00:00Z' },
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          const read = await call(env, 'GET', path);
          expect(read.json()).toMatchObject({ version, dateReleased: '2026-12-01T00:00:00.000Z' });
        },
      };
    },
  },
  'DELETE /organizations/:org/releases/:version/': {
    ...base,
    callers: RELEASE_DELETE,
    prepare: async (env, w) => {
      const { path } = await withRelease(env, w);
      return {
        url: path,
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', path));
        },
      };
    },
  },
  'GET /projects/:org/:project/releases/': {
    ...base,
    callers: PROJECT_RELEASES,
    prepare: async (env, w) => {
      const { version } = await withRelease(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/releases/`,
        secrets: [version],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json().map((r: { version: string }) => r.version)).toContain(version);
        },
      };
    },
  },
  'POST /projects/:org/:project/releases/': {
    ...base,
    callers: PROJECT_RELEASES,
    prepare: async (env, w) => {
      const version = `cli2@4.${next()}.0`;
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/releases/`,
        payload: { version, ref: 'main' },
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({ version, ref: 'main', projects: [{ slug: w.project.slug }] });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/releases/${version}/`);
          expect(read.json()).toMatchObject({ version, projects: [{ slug: w.project.slug }] });
        },
      };
    },
  },
  'PUT /projects/:org/:project/releases/:version/': {
    ...base,
    callers: PROJECT_RELEASES,
    prepare: async (env, w) => {
      const { version } = await withRelease(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/releases/${encodeURIComponent(version)}/`,
        payload: { dateReleased: '2026-12-07T03:00:00Z' },
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ version, dateReleased: '2026-12-07T03:00:00.000Z' });
          const read = await call(
            env,
            'GET',
            `/api/0/organizations/${w.org.slug}/releases/${encodeURIComponent(version)}/`,
          );
          expect(read.json()).toMatchObject({ dateReleased: '2026-12-07T03:00:00.000Z' });
        },
      };
    },
  },
  'GET /projects/:org/:project/releases/:version/': {
    ...base,
    callers: PROJECT_RELEASES,
    prepare: async (env, w) => {
      const { version } = await withRelease(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/releases/${encodeURIComponent(version)}/`,
        secrets: [version],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ version, projects: [{ slug: w.project.slug }] });
        },
      };
    },
  },
  'GET /organizations/:org/releases/:version/deploys/': {
    ...base,
    callers: RELEASE_DATA,
    prepare: async (env, w) => {
      const { path } = await withRelease(env, w);
      const name = `deploy-${next()}`;
      await setup(env, 'POST', `${path}deploys/`, { environment: 'production', name });
      return {
        url: `${path}deploys/`,
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            expect.objectContaining({
              environment: 'production',
              name,
              dateFinished: expect.stringMatching(ISO),
            }),
          ]);
        },
      };
    },
  },
  'POST /organizations/:org/releases/:version/deploys/': {
    ...base,
    callers: RELEASE_DATA,
    prepare: async (env, w) => {
      const { path } = await withRelease(env, w);
      return {
        url: `${path}deploys/`,
        payload: { environment: 'staging', name: null },
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({ environment: 'staging', name: null });
          const read = await call(env, 'GET', path);
          expect(read.json()).toMatchObject({ deployCount: 1, lastDeploy: { environment: 'staging' } });
        },
      };
    },
  },
};
