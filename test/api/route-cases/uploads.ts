import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { insertArtifactBundle, packArtifactFile } from '../../../src/store/region/artifact-bundles.js';
import { findBundleAssembly } from '../../../src/store/region/bundle-assemblies.js';
import { findStoredChunks } from '../../../src/store/region/upload-chunks.js';
import { sha1 } from '../../support/source-bundles.js';
import { PROJECT_RELEASE_DELETE, PROJECT_RELEASES, RELEASE_CREATE, RELEASE_ORG } from '../support/callers.js';
import { call, type Env, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// Source-map uploads (Sentry's release permission): the chunk upload, bundle assembly, the
// project's bundles, and the native debug-file call Errata answers with an error.

const base = { grant: 'project:releases', foreign: 'deny' } as const;

function chunkForm(data: Buffer): FormData {
  const form = new FormData();
  form.append('file_gzip', new Blob([new Uint8Array(gzipSync(data))]), sha1(data));
  return form;
}

/** An artifact bundle stored straight into the world's project (assembly has tests of its own). */
async function withBundle(env: Env, w: World) {
  const bundleId = randomUUID();
  const debugId = randomUUID();
  await insertArtifactBundle(
    env.h.ctx.db.region,
    {
      organizationId: w.org.id,
      bundleId,
      checksum: sha1(randomBytes(20)),
      size: 100,
      projectIds: [w.project.id],
      association: { release: 'web@1.0', dist: null },
      files: [
        {
          path: 'files/_/_/app.js',
          url: '~/app.js',
          type: 'minified_source',
          debugId,
          sourcemap: null,
          size: 3,
          packed: packArtifactFile(Buffer.from('a()')),
        },
      ],
    },
    env.h.ctx.now(),
  );
  return {
    bundleId,
    debugId,
    path: `/api/0/projects/${w.org.slug}/${w.project.slug}/files/artifact-bundles/`,
  };
}

export const UPLOADS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/chunk-upload/': {
    ...base,
    callers: RELEASE_ORG,
    prepare: async (_env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/chunk-upload/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          url: expect.stringMatching(new RegExp(`/api/0/organizations/${w.org.slug}/chunk-upload/$`)),
          hashAlgorithm: 'sha1',
          accept: expect.arrayContaining(['artifact_bundles']),
        });
      },
    }),
  },
  'POST /organizations/:org/chunk-upload/': {
    ...base,
    callers: RELEASE_ORG,
    prepare: async (env, w) => {
      const data = randomBytes(64);
      return {
        url: `/api/0/organizations/${w.org.slug}/chunk-upload/`,
        payload: chunkForm(data),
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(await findStoredChunks(env.h.ctx.db.region, w.org.id, [sha1(data)])).toEqual(
            new Set([sha1(data)]),
          );
        },
      };
    },
  },
  'POST /organizations/:org/artifactbundle/assemble/': {
    ...base,
    callers: RELEASE_CREATE,
    prepare: async (env, w) => {
      const data = randomBytes(64);
      const sent = await env.h.request({
        method: 'POST',
        url: `/api/0/organizations/${w.org.slug}/chunk-upload/`,
        token: env.full,
        payload: chunkForm(data) as never,
      });
      expect(sent.statusCode, sent.body).toBe(200);
      return {
        url: `/api/0/organizations/${w.org.slug}/artifactbundle/assemble/`,
        payload: {
          checksum: sha1(data),
          chunks: [sha1(data)],
          projects: [w.project.slug],
          version: 'web@1.0',
        },
        check: async (res) => {
          expect(res.json()).toEqual({ state: 'created', missingChunks: [], detail: null });
          expect(await findBundleAssembly(env.h.ctx.db.region, w.org.id, sha1(data))).toMatchObject({
            projectIds: [w.project.id],
            release: 'web@1.0',
          });
        },
      };
    },
  },
  'POST /projects/:org/:project/files/difs/assemble/': {
    ...base,
    callers: PROJECT_RELEASES,
    prepare: async (_env, w) => {
      const checksum = sha1(randomBytes(8));
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/files/difs/assemble/`,
        payload: { [checksum]: { name: 'app.dSYM', chunks: [checksum] } },
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()[checksum]).toMatchObject({ state: 'error', missingChunks: [] });
        },
      };
    },
  },
  'GET /projects/:org/:project/files/artifact-bundles/': {
    ...base,
    callers: PROJECT_RELEASES,
    prepare: async (env, w) => {
      const { bundleId, debugId, path } = await withBundle(env, w);
      return {
        url: path,
        secrets: [bundleId, debugId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toContainEqual(
            expect.objectContaining({ bundleId, debugIds: [debugId], release: 'web@1.0', fileCount: 1 }),
          );
        },
      };
    },
  },
  'DELETE /projects/:org/:project/files/artifact-bundles/:bundleId/': {
    ...base,
    callers: PROJECT_RELEASE_DELETE,
    prepare: async (env, w) => {
      const { bundleId, path } = await withBundle(env, w);
      return {
        url: `${path}${bundleId}/`,
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const list = await call(env, 'GET', path);
          expect(list.json().map((b: { bundleId: string }) => b.bundleId)).not.toContain(bundleId);
        },
      };
    },
  },
};
