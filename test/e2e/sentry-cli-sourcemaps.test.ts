import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgToken, DEFAULT_ORG_TOKEN_SCOPES } from '../../src/services/org-tokens.js';
import { findSourceFiles } from '../../src/store/region/source-files.js';
import type { Project } from '../../src/store/types.js';
import type { Json } from '../api/support/api-client.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { ROOT, run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';
import { buildApp } from '../support/source-bundles.js';

// Source maps of an app that esbuild builds from several source files, uploaded by the real
// sentry-cli (3.8.0, and 2.x's binary) with an organization token, then read back through the
// API and through findSourceFiles, which symbolication uses.

const CLIS = {
  '3.8.0': SENTRY_CLI,
  '2.58.6': path.join(ROOT, 'node_modules/sentry-cli-v2/bin/sentry-cli'),
} as const;

const DEBUG_ID = /\/\/# debugId=([0-9a-f-]{36})/;

/**
 * Checks a stored map against the one on disk (sentry-cli may rewrite a map as it uploads it, so
 * not byte for byte): the same sources and contents, and where the stored minified source throws,
 * the stored map points into the original source.
 */
function expectUsableMap(minified: string, stored: string, onDisk: string) {
  const map = JSON.parse(stored);
  const disk = JSON.parse(onDisk);
  expect(map.sources).toEqual(disk.sources);
  expect(map.sourcesContent).toEqual(disk.sourcesContent);
  const at = minified.indexOf('division by zero');
  if (at === -1) return;
  const before = minified.slice(0, at).split('\n');
  const position = originalPositionFor(new TraceMap(map), {
    line: before.length,
    column: (before.at(-1) as string).length,
  });
  expect(position).toMatchObject({ source: '../src/math.js', line: 2 });
}

describe.each(TEST_ENGINES)('sentry-cli sourcemaps upload on %s', (engine) => {
  let t: TestServer;
  let ciToken: string;
  let ownerToken: string;
  let web: Project;
  let work: string;

  const cli = (version: keyof typeof CLIS, ...args: string[]) =>
    run(CLIS[version], ['--log-level=debug', ...args], {
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: ciToken, HOME: work },
    });
  const api = async (url: string, method = 'GET') => {
    const res = await fetch(`${t.url}/api/0${url}`, {
      method,
      headers: { authorization: `Bearer ${ownerToken}` },
    });
    return { status: res.status, body: (res.status === 204 ? null : await res.json()) as Json };
  };
  /** A fresh copy of the built app, to inject or upload as it is. */
  const copyOfApp = (name: string) => {
    const dir = path.join(work, name);
    cpSync(path.join(work, 'app/dist'), dir, { recursive: true });
    return dir;
  };
  const jsFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.js'));

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'errata-sourcemaps-'));
    // About 300 KiB of scripts and maps, cut into 64 KiB chunks sent two per request.
    expect(await buildApp(path.join(work, 'app'), 150 * 1024)).toHaveLength(6);
    t = await startTestServer(engine, {
      ERRATA_ASSEMBLE_POLL_MS: '50',
      ERRATA_UPLOAD_CHUNK_BYTES: String(64 * 1024),
      ERRATA_UPLOAD_CHUNKS_PER_REQUEST: '2',
    });
    const ctx = t.server.ctx;
    const user = await makeUser(ctx, { email: 'sourcemaps@example.com' });
    const { org, team } = await makeOrg(ctx, user, 'acme');
    ({ project: web } = await makeProject(ctx, org, team, 'web'));
    ownerToken = await makeToken(ctx, user, ['org:read', 'project:admin']);
    ({ token: ciToken } = await createOrgToken(ctx, {
      organizationId: org.id,
      orgSlug: org.slug,
      name: 'ci',
      scopes: [...DEFAULT_ORG_TOKEN_SCOPES],
      createdById: user.id,
    }));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  describe.each(Object.keys(CLIS) as (keyof typeof CLIS)[])('sentry-cli %s', (version) => {
    it('injects debug ids, uploads, and every script and map is stored under its debug id', async () => {
      const dir = copyOfApp(`inject-${version}`);
      const injected = await cli(version, 'sourcemaps', 'inject', dir);
      expect(injected.code, injected.stderr).toBe(0);
      const scripts = jsFiles(dir).map((name) => {
        const text = readFileSync(path.join(dir, name), 'utf8');
        return { name, text, debugId: (DEBUG_ID.exec(text) as RegExpExecArray)[1] as string };
      });
      expect(scripts).toHaveLength(3);

      const up = await cli(version, 'sourcemaps', 'upload', '-o', 'acme', '-p', 'web', '--wait', dir);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toContain('File processing complete');
      // The chunks went up (the first assemble call reported them missing), in several requests.
      const chunkPosts = up.stderr.match(/> POST \/api\/0\/organizations\/acme\/chunk-upload\//g) ?? [];
      expect(chunkPosts.length).toBeGreaterThan(1);

      const list = await api('/projects/acme/web/files/artifact-bundles/');
      expect(list.status).toBe(200);
      const bundle = list.body.find((b: { debugIds: string[] }) =>
        b.debugIds.includes(scripts[0]?.debugId as string),
      );
      expect(bundle).toMatchObject({
        fileCount: 6,
        associations: [],
        release: null,
        debugIds: scripts.map((s) => s.debugId).sort(),
      });

      const found = await findSourceFiles(t.database.db.region, web.id, {
        debugIds: scripts.map((s) => s.debugId),
      });
      for (const script of scripts) {
        const pair = found.byDebugId.get(script.debugId);
        expect(pair?.minifiedSource?.data.toString('utf8')).toBe(script.text);
        expect(pair?.minifiedSource?.file).toMatchObject({
          url: `~/${script.name}`,
          type: 'minified_source',
        });
        expect(pair?.sourceMap?.file).toMatchObject({ url: `~/${script.name}.map`, type: 'source_map' });
        expectUsableMap(
          script.text,
          pair?.sourceMap?.data.toString('utf8') as string,
          readFileSync(path.join(dir, `${script.name}.map`), 'utf8'),
        );
        expect(pair?.sourceMap?.bundleId).toBe(bundle.bundleId);
      }

      // The same files again: every chunk is on the server, so none is uploaded.
      const again = await cli(version, 'sourcemaps', 'upload', '-o', 'acme', '-p', 'web', '--wait', dir);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/POST \/api\/0\/organizations\/acme\/chunk-upload\//);
      expect((await api('/projects/acme/web/files/artifact-bundles/')).body).toHaveLength(list.body.length);
    });

    it('uploads with --release and --dist and no debug ids (no --wait): files are found by release, dist and URL', async () => {
      const dir = copyOfApp(`release-${version}`);
      const release = `web@${version}`;
      const up = await cli(
        version,
        'sourcemaps',
        'upload',
        '-o',
        'acme',
        '-p',
        'web',
        '--release',
        release,
        '--dist',
        '7',
        '--url-prefix',
        '~/static',
        dir,
      );
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toContain('File upload complete (processing pending on server)');
      await t.server.assembler.drain();
      const list = await api('/projects/acme/web/files/artifact-bundles/');
      const bundle = list.body.find((b: { release: string }) => b.release === release);
      expect(bundle).toMatchObject({ associations: [{ release, dist: '7' }], dist: '7', fileCount: 6 });

      const urls = jsFiles(dir).map((name) => `~/static/${name}`);
      const found = await findSourceFiles(t.database.db.region, web.id, { release, dist: '7', urls });
      for (const name of jsFiles(dir)) {
        const pair = found.byUrl.get(`~/static/${name}`);
        const minified = pair?.minifiedSource?.data.toString('utf8') as string;
        expect(minified).toBe(readFileSync(path.join(dir, name), 'utf8'));
        expect(pair?.sourceMap?.file.url).toBe(`~/static/${name}.map`);
        expectUsableMap(
          minified,
          pair?.sourceMap?.data.toString('utf8') as string,
          readFileSync(path.join(dir, `${name}.map`), 'utf8'),
        );
      }
      // Another dist, or none, is another build.
      const other = await findSourceFiles(t.database.db.region, web.id, { release, dist: '8', urls });
      expect(other.byUrl.size).toBe(0);
    });
  });

  it('shows sentry-cli why a bundle was refused (here: over the unpacked limit), and stores nothing', async () => {
    const strict = await startTestServer(engine, { ERRATA_UPLOAD_MAX_UNPACKED_BYTES: String(64 * 1024) });
    try {
      const ctx = strict.server.ctx;
      const user = await makeUser(ctx, { email: 'strict@example.com' });
      const { org, team } = await makeOrg(ctx, user, 'acme');
      await makeProject(ctx, org, team, 'web');
      const { token } = await createOrgToken(ctx, {
        organizationId: org.id,
        orgSlug: org.slug,
        name: 'ci',
        scopes: [...DEFAULT_ORG_TOKEN_SCOPES],
        createdById: user.id,
      });
      const dir = copyOfApp('refused');
      for (const version of Object.keys(CLIS) as (keyof typeof CLIS)[]) {
        const up = await run(
          CLIS[version],
          ['sourcemaps', 'upload', '-o', 'acme', '-p', 'web', '--release', 'refused@1', '--wait', dir],
          {
            env: { SENTRY_URL: strict.url, SENTRY_AUTH_TOKEN: token, HOME: work },
          },
        );
        expect(up.code, version).toBe(1);
        expect(up.stderr, version).toContain('the files unpack to more than the limit of 65536 bytes');
      }
      const region = strict.database.db.region;
      expect(await region.selectFrom('artifact_bundles').select('id').execute()).toEqual([]);
      expect(await region.selectFrom('upload_chunks').select('checksum').execute()).toEqual([]);
      expect(await region.selectFrom('blobs').select('key').execute()).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('answers debug-files upload with the reason instead of storing native symbols', async () => {
    const dir = path.join(work, 'native');
    cpSync(process.execPath, path.join(dir, 'node'), { recursive: true });
    for (const version of Object.keys(CLIS) as (keyof typeof CLIS)[]) {
      const up = await cli(version, 'debug-files', 'upload', '-o', 'acme', '-p', 'web', dir);
      expect(up.code).toBe(1);
      expect(up.stdout + up.stderr).toContain('Errata does not symbolicate native code');
      expect(up.stderr).not.toMatch(/POST \/api\/0\/organizations\/acme\/chunk-upload\//);
    }
  });
});
