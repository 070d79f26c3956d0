import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BundleAssembler } from '../../src/jobs/bundle-assembler.js';
import { expireUploads } from '../../src/jobs/expire-uploads.js';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { claimBundleAssembly } from '../../src/store/region/bundle-assemblies.js';
import { findSourceFiles } from '../../src/store/region/source-files.js';
import type { Project } from '../../src/store/types.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';
import { chunksOf, manifestOf, sha1, zipBundle } from '../support/source-bundles.js';

// The upload protocol in process: chunks (their SHA-1 checked, stored once), assembly off the
// request path and across restarts, every kind of bad bundle refused with a reason and nothing
// stored, the project's bundle list and delete, scopes, and retention.

const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const MINIFIED = 'function d(a,b){if(b===0)throw new Error("division by zero");return a/b}d(1,0);\n';
const MAP = JSON.stringify({
  version: 3,
  sources: ['../src/math.js'],
  sourcesContent: [
    'export function divide(a, b) {\n  if (b === 0) throw new Error("division by zero");\n}\n',
  ],
  names: ['divide', 'a', 'b'],
  mappings: 'AAAO,SAASA,EAAOC,EAAGC',
});
const DEBUG_ID = '8d2f1b0a-0e3c-4b5a-9f6e-7d8c9b0a1f2e';

/** A bundle as sentry-cli makes it: a minified file and its map, with or without debug ids. */
function goodBundle(options: { debugId?: string; release?: string; map?: string; extra?: string } = {}) {
  const debugId = options.debugId;
  return zipBundle([
    { name: 'files/_/_/app.min.js', data: `${MINIFIED}${options.extra ?? ''}` },
    { name: 'files/_/_/app.min.js.map', data: options.map ?? MAP },
    {
      name: 'manifest.json',
      data: manifestOf(
        {
          'files/_/_/app.min.js': {
            type: 'minified_source',
            url: '~/static/app.min.js',
            sourcemap: 'app.min.js.map',
            ...(debugId ? { debugId } : {}),
          },
          'files/_/_/app.min.js.map': {
            type: 'source_map',
            url: '~/static/app.min.js.map',
            ...(debugId ? { debugId } : {}),
          },
        },
        {
          debugId: randomUUIDv4(),
          org: 'acme',
          project: 'web',
          ...(options.release ? { release: options.release } : {}),
        },
      ),
    },
  ]);
}

function randomUUIDv4(): string {
  return crypto.randomUUID();
}

describe.each(TEST_ENGINES)('source-map uploads on %s', (engine) => {
  let h: Harness;
  let ci: string;
  let owner: string;
  let web: Project;
  let api: Project;
  let assembler: BundleAssembler;
  let clock = Date.parse('2026-12-01T09:00:00.000Z');
  const refusals: unknown[] = [];

  beforeAll(async () => {
    h = await createHarness(
      engine,
      {
        ERRATA_UPLOAD_CHUNK_BYTES: String(CHUNK),
        ERRATA_UPLOAD_CHUNKS_PER_REQUEST: '4',
        ERRATA_UPLOAD_MAX_REQUEST_BYTES: String(3 * CHUNK),
        ERRATA_UPLOAD_MAX_BUNDLE_BYTES: String(MiB),
        ERRATA_UPLOAD_MAX_UNPACKED_BYTES: String(8 * MiB),
        // Below the chunk requests' size: multipart bodies are streamed under their own limits.
        ERRATA_API_MAX_BODY_BYTES: String(16 * 1024),
      },
      { now: () => clock },
    );
    const user = await makeUser(h.ctx, { email: 'uploads@example.com' });
    const { org, team } = await makeOrg(h.ctx, user, 'acme');
    ({ project: web } = await makeProject(h.ctx, org, team, 'web'));
    ({ project: api } = await makeProject(h.ctx, org, team, 'api'));
    owner = await makeToken(h.ctx, user, ['org:read', 'project:admin']);
    ({ token: ci } = await createOrgToken(h.ctx, {
      organizationId: org.id,
      orgSlug: 'acme',
      name: 'ci',
      scopes: ['org:ci'],
      createdById: user.id,
    }));
    assembler = new BundleAssembler(h.ctx.db, {
      limits: h.ctx.config,
      pollMs: 60_000,
      now: () => clock,
      log: { warn: (o: unknown) => refusals.push(o), error: (o: unknown) => refusals.push(o) },
    });
  });
  afterAll(() => h?.close());
  beforeEach(() => {
    clock += 1000;
  });

  const region = () => h.ctx.db.region;
  const count = async (table: 'blobs' | 'upload_chunks' | 'artifact_bundles' | 'artifact_bundle_files') =>
    Number(
      (
        await region()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** What uploads have stored: compared before and after a refused upload. */
  const stored = async () => ({
    blobs: await count('blobs'),
    chunks: await count('upload_chunks'),
    bundles: await count('artifact_bundles'),
    files: await count('artifact_bundle_files'),
  });

  const postChunks = (parts: { name?: string; filename: string; data: Buffer }[], token = ci) => {
    const form = new FormData();
    for (const p of parts) form.append(p.name ?? 'file_gzip', new Blob([new Uint8Array(p.data)]), p.filename);
    return h.request({
      method: 'POST',
      url: '/api/0/organizations/acme/chunk-upload/',
      token,
      payload: form as never,
    });
  };
  const assemble = (body: Record<string, unknown>, token = ci) =>
    h.request({
      method: 'POST',
      url: '/api/0/organizations/acme/artifactbundle/assemble/',
      token,
      payload: body,
    });

  /** sentry-cli's flow: ask what is missing, send it gzipped, ask again, let the assembler run, ask once more. */
  async function upload(bundle: Buffer, extra: Record<string, unknown> = {}) {
    const chunks = chunksOf(bundle, CHUNK);
    const body = { checksum: sha1(bundle), chunks: chunks.map(sha1), projects: ['web'], ...extra };
    const first = await assemble(body);
    expect(first.statusCode, first.body).toBe(200);
    const missing = first.json().missingChunks as string[];
    for (let i = 0; i < chunks.length; i += 4) {
      const batch = chunks.slice(i, i + 4).filter((c) => missing.includes(sha1(c)));
      if (batch.length === 0) continue;
      const sent = await postChunks(batch.map((c) => ({ filename: sha1(c), data: gzipSync(c) })));
      expect(sent.statusCode, sent.body).toBe(200);
    }
    const queued = await assemble(body);
    await assembler.drain();
    const done = await assemble(body);
    return { first: first.json(), queued: queued.json(), done: done.json() };
  }

  describe('chunks', () => {
    it('stores a chunk sent raw or gzipped once, under its SHA-1', async () => {
      const data = randomBytes(1000);
      const before = await stored();
      const raw = await postChunks([{ name: 'file', filename: sha1(data), data }]);
      expect(raw.statusCode, raw.body).toBe(200);
      const again = await postChunks([{ filename: sha1(data).toUpperCase(), data: gzipSync(data) }]);
      expect(again.statusCode, again.body).toBe(200);
      expect(await stored()).toEqual({ ...before, blobs: before.blobs + 1, chunks: before.chunks + 1 });
      const ask = await assemble({ checksum: sha1(data), chunks: [sha1(data)], projects: ['web'] });
      expect(ask.json()).toMatchObject({ state: 'created', missingChunks: [] });
    });

    it.each([
      [
        'a SHA-1 that does not match',
        () => {
          const data = randomBytes(100);
          return [
            { filename: sha1(data), data: gzipSync(data) },
            { filename: sha1(Buffer.from('x')), data: gzipSync(data) },
          ];
        },
        400,
        /^Checksum mismatch: chunk [0-9a-f]{40} has the SHA-1 [0-9a-f]{40}\.$/,
      ],
      [
        'a name that is no SHA-1',
        () => [{ filename: 'chunk-1', data: gzipSync('x') }],
        400,
        /is not a SHA-1 checksum/,
      ],
      [
        'gzip that is not',
        () => [{ filename: sha1(Buffer.from('x')), data: Buffer.from('x') }],
        400,
        /is not valid gzip/,
      ],
      [
        'another part name',
        () => [{ name: 'upload', filename: sha1(Buffer.from('x')), data: Buffer.from('x') }],
        400,
        /Unexpected part "upload"/,
      ],
      [
        'more chunks than a request may hold',
        () =>
          Array.from({ length: 5 }, (_, i) => ({
            filename: sha1(Buffer.from([i])),
            data: gzipSync(Buffer.from([i])),
          })),
        413,
        'Too many chunks: send at most 4 per request.',
      ],
      [
        'a chunk over the chunk size',
        () => {
          const data = Buffer.alloc(CHUNK + 1, 7);
          return [{ filename: sha1(data), data: gzipSync(data) }];
        },
        413,
        /is larger than the chunk size of 65536 bytes/,
      ],
      [
        'a part over the chunk size',
        () => [{ name: 'file', filename: 'a'.repeat(40), data: randomBytes(5 * CHUNK) }],
        413,
        'A chunk is larger than the chunk size of 65536 bytes.',
      ],
      [
        'chunks that come to more than the request limit',
        () =>
          Array.from({ length: 4 }, () => {
            const data = randomBytes(CHUNK);
            return { name: 'file', filename: sha1(data), data };
          }),
        413,
        'The chunks of this request come to more than the limit of 196608 bytes.',
      ],
    ] as const)('refuses %s, storing none of its chunks', async (_what, parts, status, detail) => {
      const before = await stored();
      const res = await postChunks([...parts()]);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().detail).toMatch(detail);
      expect(await stored()).toEqual(before);
    });

    it('refuses a body whose Content-Length is over the request limit before reading it', async () => {
      const data = randomBytes(8 * CHUNK);
      const body = Buffer.concat([
        Buffer.from(`--XX\r\nContent-Disposition: form-data; name="file"; filename="${sha1(data)}"\r\n\r\n`),
        data,
        Buffer.from('\r\n--XX--\r\n'),
      ]);
      const before = await stored();
      const res = await h.request({
        method: 'POST',
        url: '/api/0/organizations/acme/chunk-upload/',
        token: ci,
        headers: { 'content-type': 'multipart/form-data; boundary=XX' },
        payload: body,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().detail).toBe('Request body is larger than the limit of 196608 bytes.');
      expect(await stored()).toEqual(before);
    });

    it.each([
      ['no boundary', 'multipart/form-data', 'abc', /^Malformed multipart body: .*Boundary not found/],
      [
        'a body cut short',
        'multipart/form-data; boundary=XX',
        `--XX\r\nContent-Disposition: form-data; name="file"; filename="${'a'.repeat(40)}"\r\n\r\nhello`,
        /^Malformed multipart body: Unexpected end/,
      ],
    ])('refuses a malformed multipart body (%s)', async (_what, type, body, detail) => {
      const before = await stored();
      const res = await h.request({
        method: 'POST',
        url: '/api/0/organizations/acme/chunk-upload/',
        token: ci,
        headers: { 'content-type': type },
        payload: body,
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().detail).toMatch(detail);
      expect(await stored()).toEqual(before);
    });

    it('refuses a body that is not multipart, and tokens without the release scopes or of another organization', async () => {
      const json = await h.request({
        method: 'POST',
        url: '/api/0/organizations/acme/chunk-upload/',
        token: ci,
        payload: { file: 'x' },
      });
      expect(json.statusCode).toBe(400);
      expect(json.json().detail).toMatch(/^Send chunks as multipart\/form-data/);
      const user = await makeUser(h.ctx, { email: 'reader@example.com' });
      const { org: other } = await makeOrg(h.ctx, user, 'other');
      const foreign = await createOrgToken(h.ctx, {
        organizationId: other.id,
        orgSlug: 'other',
        name: 'ci',
        scopes: ['org:ci'],
        createdById: user.id,
      });
      const data = Buffer.from('chunk');
      const before = await stored();
      for (const token of [
        foreign.token,
        await makeToken(h.ctx, user, ['org:read']),
        owner.replace(/.$/, 'x'),
      ]) {
        const res = await postChunks([{ filename: sha1(data), data: gzipSync(data) }], token);
        expect([401, 403]).toContain(res.statusCode);
        const options = await h.request({
          method: 'GET',
          url: '/api/0/organizations/acme/chunk-upload/',
          token,
        });
        expect([401, 403]).toContain(options.statusCode);
      }
      expect(await stored()).toEqual(before);
    });

    it('offers the options sentry-cli needs to upload artifact bundles in chunks', async () => {
      const res = await h.request({
        method: 'GET',
        url: '/api/0/organizations/acme/chunk-upload/',
        token: ci,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        url: 'http://errata.test:9000/api/0/organizations/acme/chunk-upload/',
        chunkSize: CHUNK,
        chunksPerRequest: 4,
        maxFileSize: MiB,
        maxRequestSize: 3 * CHUNK,
        concurrency: 4,
        hashAlgorithm: 'sha1',
        compression: ['gzip'],
        accept: ['release_files', 'artifact_bundles', 'artifact_bundles_v2', 'debug_files'],
      });
    });
  });

  describe('assembly', () => {
    it('reports missing chunks, assembles off the request path, and indexes files by debug id', async () => {
      // Several chunks: the bundle is padded past one chunk.
      const bundle = await goodBundle({
        debugId: DEBUG_ID,
        extra: `//${randomBytes(100_000).toString('base64')}\n`,
      });
      expect(chunksOf(bundle, CHUNK).length).toBeGreaterThan(1);
      const { first, queued, done } = await upload(bundle);
      expect(first).toEqual({
        state: 'not_found',
        missingChunks: chunksOf(bundle, CHUNK).map(sha1),
        detail: null,
      });
      expect(queued).toEqual({ state: 'created', missingChunks: [], detail: null });
      expect(done).toEqual({ state: 'ok', missingChunks: [], detail: null });

      const found = await findSourceFiles(region(), web.id, { debugIds: [DEBUG_ID.toUpperCase()] });
      const pair = found.byDebugId.get(DEBUG_ID);
      expect(pair?.minifiedSource?.data.toString()).toMatch(/^function d\(a,b\)/);
      expect(pair?.sourceMap?.data.toString()).toBe(MAP);
      // Other projects never see it.
      expect((await findSourceFiles(region(), api.id, { debugIds: [DEBUG_ID] })).byDebugId.size).toBe(0);
      // The chunks went into the bundle.
      expect(
        await region()
          .selectFrom('upload_chunks')
          .select('checksum')
          .where('checksum', 'in', chunksOf(bundle, CHUNK).map(sha1))
          .execute(),
      ).toEqual([]);

      const list = await h.request({
        method: 'GET',
        url: '/api/0/projects/acme/web/files/artifact-bundles/',
        token: owner,
      });
      expect(list.json()).toContainEqual(
        expect.objectContaining({
          debugIds: [DEBUG_ID],
          fileCount: 2,
          size: bundle.length,
          release: null,
          associations: [],
        }),
      );
      // Uploading it again finds it whole: nothing to send.
      const again = await assemble({
        checksum: sha1(bundle),
        chunks: chunksOf(bundle, CHUNK).map(sha1),
        projects: ['api'],
      });
      expect(again.json()).toEqual({ state: 'ok', missingChunks: [], detail: null });
      expect((await findSourceFiles(region(), api.id, { debugIds: [DEBUG_ID] })).byDebugId.size).toBe(1);
    });

    it('indexes a bundle with a release and dist by URL, the map through the sourcemap header', async () => {
      const bundle = await goodBundle({ release: 'from-manifest' });
      const { done } = await upload(bundle, { version: 'web@2.0', dist: 'ios' });
      expect(done.state).toBe('ok');
      const urls = [
        'https://cdn.example.com/static/app.min.js?v=1',
        'https://cdn.example.com/static/app.min.js',
        '~/static/app.min.js',
      ];
      const found = await findSourceFiles(
        region(),
        web.id,
        { release: 'web@2.0', dist: 'ios', urls },
        { now: clock },
      );
      const pair = found.byUrl.get('~/static/app.min.js');
      expect(pair?.minifiedSource?.file).toMatchObject({
        url: '~/static/app.min.js',
        sourcemap: 'app.min.js.map',
      });
      expect(pair?.sourceMap?.data.toString()).toBe(MAP);
      expect([...found.byUrl.keys()]).toEqual(['~/static/app.min.js']);
      expect((await findSourceFiles(region(), web.id, { release: 'web@2.0', urls })).byUrl.size).toBe(0);
      expect((await findSourceFiles(region(), web.id, { release: 'from-manifest', urls })).byUrl.size).toBe(
        0,
      );
      const list = await h.request({
        method: 'GET',
        url: '/api/0/projects/acme/web/files/artifact-bundles/',
        token: owner,
      });
      expect(list.json()).toContainEqual(
        expect.objectContaining({
          release: 'web@2.0',
          dist: 'ios',
          associations: [{ release: 'web@2.0', dist: 'ios' }],
        }),
      );
    });

    it('takes the release from the manifest when the upload names none', async () => {
      const bundle = await goodBundle({ release: 'manifest@1', extra: '//m\n' });
      expect((await upload(bundle)).done.state).toBe('ok');
      const found = await findSourceFiles(region(), web.id, {
        release: 'manifest@1',
        urls: ['~/static/app.min.js'],
      });
      expect(found.byUrl.get('~/static/app.min.js')?.sourceMap).toBeDefined();
    });

    it('assembles what was queued before a restart, and takes over what a stopped process left assembling', async () => {
      const bundle = await goodBundle({ debugId: crypto.randomUUID(), extra: '//restart\n' });
      const body = { checksum: sha1(bundle), chunks: [sha1(bundle)], projects: ['web'] };
      await postChunks([{ filename: sha1(bundle), data: gzipSync(bundle) }]);
      expect((await assemble(body)).json().state).toBe('created');
      // A process claims it and stops before finishing.
      expect(await claimBundleAssembly(region(), clock, clock - 300_000)).toMatchObject({
        checksum: sha1(bundle),
      });
      expect((await assemble(body)).json().state).toBe('assembling');
      const fresh = new BundleAssembler(h.ctx.db, {
        limits: h.ctx.config,
        pollMs: 60_000,
        now: () => clock,
        log: console,
      });
      expect(await fresh.drain()).toBe(0);
      clock += 5 * 60_000 + 1;
      expect(await fresh.drain()).toBe(1);
      expect((await assemble(body)).json().state).toBe('ok');
    });

    it('retries a bundle after a database failure, and gives up with an error id on any other', async () => {
      const bundle = await goodBundle({ extra: '//failing\n' });
      const body = { checksum: sha1(bundle), chunks: [sha1(bundle)], projects: ['web'] };
      const before = await stored();
      await postChunks([{ filename: sha1(bundle), data: gzipSync(bundle) }]);
      expect((await assemble(body)).json().state).toBe('created');
      const failing = (error: Error) =>
        new BundleAssembler(h.ctx.db, {
          limits: {
            ...h.ctx.config,
            get uploadMaxUnpackedBytes(): number {
              throw error;
            },
          },
          pollMs: 60_000,
          now: () => clock,
          log: { warn: () => {}, error: () => {} },
        });
      const down = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
      expect(await failing(down).drain()).toBe(0);
      expect((await assemble(body)).json().state).toBe('assembling');
      clock += 5 * 60_000 + 1;
      expect(await failing(new TypeError('a bug')).drain()).toBe(1);
      expect((await assemble(body)).json()).toEqual({
        state: 'error',
        missingChunks: [],
        detail: expect.stringMatching(/^Errata could not assemble this bundle \(error [0-9a-f]{32}\)\.$/),
      });
      expect(await stored()).toEqual(before);
    });

    describe('refuses a bad bundle with the reason, storing nothing', () => {
      const bomb = () =>
        zipBundle([
          { name: 'files/_/_/a.js', data: Buffer.alloc(3 * MiB) },
          {
            name: 'manifest.json',
            data: manifestOf({ 'files/_/_/a.js': { type: 'minified_source', url: '~/a.js' } }),
          },
        ]);
      /** Rewrites the sizes a zip declares for its first file (central directory and local header). */
      const lieAboutSize = async (size: number) => {
        const zip = await zipBundle([
          { name: 'files/_/_/a.js', data: 'x'.repeat(5000) },
          {
            name: 'manifest.json',
            data: manifestOf({ 'files/_/_/a.js': { type: 'minified_source', url: '~/a.js' } }),
          },
        ]);
        const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
        zip.writeUInt32LE(size, central + 24);
        zip.writeUInt32LE(size, zip.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04])) + 22);
        return zip;
      };
      const cases: [string, () => Promise<Buffer>, RegExp][] = [
        [
          'random bytes',
          async () => randomBytes(3000),
          /^the bundle is not a valid zip: not a readable zip archive/,
        ],
        [
          'a truncated zip',
          async () => {
            const zip = await goodBundle({ extra: '//cut\n' });
            return zip.subarray(0, zip.length - 30);
          },
          /^the bundle is not a valid zip/,
        ],
        [
          'a damaged file inside',
          async () => {
            const zip = await zipBundle([
              { name: 'files/_/_/a.js', data: 'x'.repeat(300), store: true },
              {
                name: 'manifest.json',
                data: manifestOf({ 'files/_/_/a.js': { type: 'minified_source', url: '~/a.js' } }),
              },
            ]);
            const at = zip.indexOf('xxxx');
            zip.write('y', at);
            return zip;
          },
          /^the bundle is not a valid zip: files\/_\/_\/a\.js is corrupt \(its CRC-32 does not match\)$/,
        ],
        [
          'a zip bomb (3 MiB of zeros)',
          bomb,
          /^the bundle is not a valid zip: files\/_\/_\/a\.js inflates \d+ times, more than the limit of 200$/,
        ],
        [
          'a file that inflates past its declared size',
          () => lieAboutSize(100),
          /^the bundle is not a valid zip: files\/_\/_\/a\.js is corrupt or truncated \(too many bytes/,
        ],
        [
          'files declaring more than the unpacked limit',
          () => lieAboutSize(9 * MiB),
          /^the bundle is not a valid zip: the files unpack to more than the limit of 8388608 bytes$/,
        ],
        [
          'a manifest naming files that are not there',
          () =>
            zipBundle([
              { name: 'files/_/_/a.js', data: 'a()' },
              {
                name: 'manifest.json',
                data: manifestOf({
                  'files/_/_/a.js': { type: 'minified_source', url: '~/a.js' },
                  'files/_/_/a.js.map': { type: 'source_map', url: '~/a.js.map' },
                }),
              },
            ]),
          /^manifest\.json lists 1 file\(s\) the bundle does not contain: files\/_\/_\/a\.js\.map$/,
        ],
        [
          'no manifest',
          () => zipBundle([{ name: 'files/_/_/a.js', data: 'a()' }]),
          /^the bundle has no manifest\.json$/,
        ],
        [
          'a source map that is not JSON',
          () => goodBundle({ map: '{"version":3,' }),
          /^files\/_\/_\/app\.min\.js\.map is not a usable source map: not valid JSON/,
        ],
        [
          'a source map with broken mappings',
          () =>
            goodBundle({
              map: JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: 'AAAA,ACAA' }),
            }),
          /^files\/_\/_\/app\.min\.js\.map is not a usable source map: mappings line 1 names source 1 of 1$/,
        ],
        [
          'a source map with an unfinished VLQ',
          () =>
            goodBundle({
              map: JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: 'AAAg' }),
            }),
          /mappings has an unfinished VLQ number$/,
        ],
        [
          'an invalid debug id',
          async () =>
            zipBundle([
              { name: 'files/_/_/a.js', data: 'a()' },
              {
                name: 'manifest.json',
                data: manifestOf({
                  'files/_/_/a.js': { type: 'minified_source', url: '~/a.js', debugId: 'nope' },
                }),
              },
            ]),
          /^manifest\.json: files\/_\/_\/a\.js has an invalid debug id "nope"$/,
        ],
      ];
      it.each(cases)('%s', async (_what, make, detail) => {
        const bundle = await make();
        const before = await stored();
        const { done } = await upload(bundle);
        expect(done.state).toBe('error');
        expect(done.detail).toMatch(detail);
        expect(done.missingChunks).toEqual([]);
        expect(await stored()).toEqual(before);
      });

      it('a bundle whose chunks do not make up its checksum', async () => {
        const bundle = await goodBundle({ extra: '//sum\n' });
        const before = await stored();
        await postChunks([{ filename: sha1(bundle), data: gzipSync(bundle) }]);
        const body = { checksum: 'f'.repeat(40), chunks: [sha1(bundle)], projects: ['web'] };
        expect((await assemble(body)).json().state).toBe('created');
        await assembler.drain();
        expect((await assemble(body)).json()).toEqual({
          state: 'error',
          missingChunks: [],
          detail: `the chunks make up a file of SHA-1 ${sha1(bundle)}, not the checksum ${'f'.repeat(40)}`,
        });
        expect(await stored()).toEqual(before);
      });

      it('a bundle over the size limit, before any assembly', async () => {
        const chunks = [randomBytes(CHUNK), randomBytes(CHUNK)];
        for (const c of chunks) await postChunks([{ name: 'file', filename: sha1(c), data: c }]);
        const big = await h.request({
          method: 'POST',
          url: '/api/0/organizations/acme/artifactbundle/assemble/',
          token: ci,
          payload: {
            checksum: 'e'.repeat(40),
            chunks: Array.from({ length: 9 }, () => chunks.map(sha1)).flat(),
            projects: ['web'],
          },
        });
        expect(big.json()).toEqual({
          state: 'error',
          missingChunks: [],
          detail: `The bundle is ${18 * CHUNK} bytes, more than the limit of ${MiB} bytes.`,
        });
      });
    });

    it.each([
      [
        { checksum: 'a'.repeat(40), chunks: [], projects: ['nope'] },
        400,
        'projects: Invalid project ids or slugs',
      ],
      [{ checksum: 'a'.repeat(40), chunks: [], projects: [] }, 400, 'projects: Invalid project ids or slugs'],
      [
        { checksum: 'a'.repeat(40), chunks: [], projects: ['web'], dist: '1' },
        400,
        'dist: A dist needs a version.',
      ],
      [
        { checksum: 'a'.repeat(40), chunks: [], projects: ['web'], version: 'latest' },
        400,
        'version: Release with name latest is not allowed',
      ],
      [{ checksum: 'nope', chunks: [], projects: ['web'] }, 400, /^Invalid request body: checksum/],
      [{ checksum: 'a'.repeat(40), chunks: ['x'], projects: ['web'] }, 400, /^Invalid request body: chunks/],
      [{ checksum: 'a'.repeat(40), chunks: [], projects: ['web'] }, 200, null],
    ] as const)('answers assemble %j with %i', async (body, status, detail) => {
      const res = await assemble(body);
      expect(res.statusCode, res.body).toBe(status);
      if (detail === null)
        expect(res.json()).toEqual({ state: 'not_found', missingChunks: [], detail: null });
      else expect(res.json().detail).toMatch(detail);
    });

    it('takes projects by slug, by id as text, and by id as a number (as sentry-cli sends all-digit ones)', async () => {
      for (const projects of [['web'], [String(web.id)], [web.id], ['web', api.id]]) {
        const res = await assemble({ checksum: 'b'.repeat(40), chunks: [], projects });
        expect(res.statusCode, res.body).toBe(200);
      }
      expect((await assemble({ checksum: 'b'.repeat(40), chunks: [], projects: [1.5] })).statusCode).toBe(
        400,
      );
    });

    it('answers debug-files assemble with an error state for every file', async () => {
      const res = await h.request({
        method: 'POST',
        url: '/api/0/projects/acme/web/files/difs/assemble/',
        token: ci,
        payload: { ['a'.repeat(40)]: { name: 'app.dSYM', debug_id: DEBUG_ID, chunks: ['a'.repeat(40)] } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        ['a'.repeat(40)]: {
          state: 'error',
          missingChunks: [],
          detail: expect.stringMatching(/^Errata does not symbolicate native code/),
          dif: null,
        },
      });
    });
  });

  describe('bundles of a project', () => {
    it('deletes a bundle from one project, and with its files once no project has it', async () => {
      const id = crypto.randomUUID();
      const bundle = await goodBundle({ debugId: id, extra: '//delete\n' });
      expect((await upload(bundle, { projects: ['web', 'api'] })).done.state).toBe('ok');
      const list = await h.request({
        method: 'GET',
        url: '/api/0/projects/acme/web/files/artifact-bundles/',
        token: owner,
      });
      const { bundleId } = list.json().find((b: { debugIds: string[] }) => b.debugIds.includes(id));
      const before = await stored();

      const del = (project: string, token = owner) =>
        h.request({
          method: 'DELETE',
          url: `/api/0/projects/acme/${project}/files/artifact-bundles/${bundleId}/`,
          token,
        });
      expect((await del('web', ci)).statusCode).toBe(403);
      expect((await del('web')).statusCode).toBe(204);
      expect((await del('web')).statusCode).toBe(404);
      expect((await findSourceFiles(region(), web.id, { debugIds: [id] })).byDebugId.size).toBe(0);
      expect((await findSourceFiles(region(), api.id, { debugIds: [id] })).byDebugId.size).toBe(1);
      expect(await stored()).toEqual(before);
      expect((await del('api')).statusCode).toBe(204);
      expect(await stored()).toEqual({
        ...before,
        bundles: before.bundles - 1,
        files: before.files - 2,
        blobs: before.blobs - 2,
      });
    });

    it('answers a refused bundle with its error for an hour, then takes it afresh', async () => {
      const bundle = await zipBundle([{ name: 'files/_/_/a.js', data: 'a()//again' }]);
      const body = { checksum: sha1(bundle), chunks: [sha1(bundle)], projects: ['web'] };
      expect((await upload(bundle)).done).toMatchObject({
        state: 'error',
        detail: 'the bundle has no manifest.json',
      });
      const retention = {
        uploadChunkRetentionHours: 24,
        uploadFailedRetentionMinutes: 60,
        artifactBundleRetentionDays: 90,
      };
      clock += 59 * 60_000;
      await expireUploads(region(), retention, clock);
      expect((await assemble(body)).json().state).toBe('error');
      clock += 2 * 60_000;
      expect((await expireUploads(region(), retention, clock)).failedAssemblies).toBeGreaterThanOrEqual(1);
      expect((await assemble(body)).json()).toEqual({
        state: 'not_found',
        missingChunks: [sha1(bundle)],
        detail: null,
      });
    });

    it('expires chunks no bundle used and bundles unused for the retention period', async () => {
      const id = crypto.randomUUID();
      const bundle = await goodBundle({ debugId: id, extra: '//expire\n' });
      expect((await upload(bundle)).done.state).toBe('ok');
      const stray = randomBytes(10);
      await postChunks([{ name: 'file', filename: sha1(stray), data: stray }]);
      const retention = {
        uploadChunkRetentionHours: 24,
        uploadFailedRetentionMinutes: 60,
        artifactBundleRetentionDays: 90,
      };

      const strayLeft = async () =>
        (
          await region()
            .selectFrom('upload_chunks')
            .select('checksum')
            .where('checksum', '=', sha1(stray))
            .execute()
        ).length;

      clock += 23 * HOUR;
      await expireUploads(region(), retention, clock);
      expect(await strayLeft()).toBe(1);
      clock += 2 * HOUR;
      expect((await expireUploads(region(), retention, clock)).chunks).toBeGreaterThanOrEqual(1);
      expect(await strayLeft()).toBe(0);

      // Symbolication reads it at day 60: it stays until day 150.
      clock += 59 * DAY;
      expect(
        (await findSourceFiles(region(), web.id, { debugIds: [id] }, { now: clock })).byDebugId.size,
      ).toBe(1);
      clock += 80 * DAY;
      await expireUploads(region(), retention, clock);
      expect((await findSourceFiles(region(), web.id, { debugIds: [id] })).byDebugId.size).toBe(1);
      clock += 11 * DAY;
      await expireUploads(region(), retention, clock);
      expect((await findSourceFiles(region(), web.id, { debugIds: [id] })).byDebugId.size).toBe(0);
      expect(
        await region()
          .selectFrom('blobs')
          .select('key')
          .where('key', 'like', `bundle/%/${sha1(bundle)}/%`)
          .execute(),
      ).toEqual([]);
    });
  });
});
