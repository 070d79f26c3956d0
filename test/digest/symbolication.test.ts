import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../api/support/api-client.js';
import { ingestProject, postEnvelope } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { eventEnvelope, newEventId } from '../support/envelopes.js';
import { createHarness, type Harness, makeToken } from '../support/harness.js';
import {
  buildJsApp,
  type JsBuild,
  type SdkFrame,
  sourceLine,
  storeJsBundle,
  throwIn,
} from '../support/js-builds.js';

// Symbolication in digest, in process: a real esbuild bundle thrown in V8, its files stored as an
// artifact bundle the way assembly stores one, and events sent through ingest and read back through
// the REST API. The e2e tests do the same with sentry-cli and the real SDKs.

const BROWSER_URL = 'http://shop.example/static/app.min.js';
const NODE_PATH = '/srv/shop/dist/app.min.js';

describe.each(TEST_ENGINES)('symbolication on %s', (engine) => {
  let h: Harness;
  let builds: JsBuild[];

  beforeAll(async () => {
    h = await createHarness(engine);
    builds = [await buildJsApp(0), await buildJsApp(3), await buildJsApp(0, { sourcesContent: false })];
  });
  afterAll(() => h.close());

  async function project() {
    const p = await ingestProject(h);
    const token = await makeToken(h.ctx, p.user, ['org:read', 'project:read', 'event:read']);
    return { ...p, token };
  }
  type P = Awaited<ReturnType<typeof project>>;

  function jsEvent(frames: SdkFrame[], fields: Json = {}) {
    return {
      event_id: newEventId(),
      timestamp: Date.now() / 1000,
      platform: 'javascript',
      level: 'error',
      exception: {
        values: [{ type: 'Error', value: 'division by zero', stacktrace: { frames } }],
      },
      ...fields,
    };
  }

  async function send(p: P, event: Json): Promise<Json> {
    const r = await postEnvelope(
      h,
      p.project.id,
      p.key.publicKey,
      eventEnvelope(event as { event_id: string }),
    );
    expect(r.statusCode, r.body).toBe(200);
    await h.worker.drain();
    const read = await h.request({
      method: 'GET',
      url: `/api/0/projects/${p.org.slug}/${p.project.slug}/events/${event.event_id}/`,
      token: p.token,
    });
    expect(read.statusCode, read.body).toBe(200);
    return read.json();
  }

  const exceptionOf = (event: Json) => event.entries.find((e: Json) => e.type === 'exception').data.values[0];
  const debugMeta = (debugId: string, codeFile: string) => ({
    debug_meta: { images: [{ type: 'sourcemap', code_file: codeFile, debug_id: debugId }] },
  });

  /** What the crash looks like in the original code, oldest call first. */
  const originalFrames = (variant: number) => [
    {
      filename: 'src/app.js',
      function: 'Object.crash',
      lineNo: sourceLine(variant, 'src/app.js', 'return new Calculator()'),
      contextLine: '  return new Calculator().compute(1, 0);',
    },
    {
      filename: 'src/calculator.js',
      function: 'Calculator.compute',
      lineNo: sourceLine(variant, 'src/calculator.js', 'return divide(a, b)'),
      contextLine: '    return divide(a, b);',
    },
    {
      filename: 'src/math.js',
      function: 'divide',
      lineNo: sourceLine(variant, 'src/math.js', 'throw new Error'),
      contextLine: "  if (b === 0) throw new Error('division by zero');",
    },
  ];

  it('maps a browser event found by debug id: original file, line, column, function and context; the minified frames kept', async () => {
    const p = await project();
    const debugId = randomUUID();
    await storeJsBundle(h.ctx.db.region, {
      organizationId: p.org.id,
      projectId: p.project.id,
      js: builds[0] as JsBuild,
      debugId,
    });
    const minified = throwIn(builds[0] as JsBuild, BROWSER_URL);
    const event = await send(p, jsEvent(minified, debugMeta(debugId, BROWSER_URL)));

    const exception = exceptionOf(event);
    const frames = exception.stacktrace.frames;
    expect(
      frames.map((f: Json) => ({
        filename: f.filename,
        function: f.function,
        lineNo: f.lineNo,
        contextLine: f.context.find(([n]: [number]) => n === f.lineNo)?.[1],
      })),
    ).toEqual(originalFrames(0));
    const thrower = frames.at(-1);
    expect(thrower).toMatchObject({
      absPath: 'http://shop.example/src/math.js',
      module: 'src/math',
      colNo: 22,
      inApp: true,
    });
    expect(thrower.context).toHaveLength(5);
    expect(thrower.context[0]).toEqual([1, 'export function divide(a, b) {']);
    // The minified frames, as sent.
    expect(
      exception.rawStacktrace.frames.map((f: Json) => [f.filename, f.function, f.lineNo, f.colNo]),
    ).toEqual(minified.map((f) => [f.filename, f.function, f.lineno, f.colno]));
    expect(event.errors).toEqual([]);
    expect(event.title).toBe('Error: division by zero');
    expect(event.culprit).toBe('divide(src/math)');
  });

  it('maps by release, dist and URL (a `~/` upload) when the event carries no debug id', async () => {
    const p = await project();
    await storeJsBundle(h.ctx.db.region, {
      organizationId: p.org.id,
      projectId: p.project.id,
      js: builds[0] as JsBuild,
      urlPrefix: '~/static/',
      release: { release: 'shop@1.0', dist: 'web' },
    });
    const minified = throwIn(builds[0] as JsBuild, `${BROWSER_URL}?v=3`);
    const event = await send(p, jsEvent(minified, { release: 'shop@1.0', dist: 'web' }));
    const frames = exceptionOf(event).stacktrace.frames;
    expect(frames.map((f: Json) => [f.filename, f.function, f.lineNo])).toEqual(
      originalFrames(0).map((f) => [f.filename, f.function, f.lineNo]),
    );
    // Another dist is another build: nothing is mapped, and the event says why.
    const other = await send(p, jsEvent(minified, { release: 'shop@1.0', dist: 'ios' }));
    expect(exceptionOf(other).stacktrace.frames.map((f: Json) => f.function)).toEqual(
      minified.map((f) => f.function),
    );
    expect(other.errors).toEqual([
      {
        type: 'js_no_source',
        message: 'Source code was not found',
        data: { url: `${BROWSER_URL}?v=3` },
      },
    ]);
  });

  it('groups the same error from two builds of changed code into one issue', async () => {
    const p = await project();
    const ids = [randomUUID(), randomUUID()];
    for (const [i, js] of [builds[0], builds[1]].entries())
      await storeJsBundle(h.ctx.db.region, {
        organizationId: p.org.id,
        projectId: p.project.id,
        js: js as JsBuild,
        debugId: ids[i] as string,
      });
    const [first, second] = [builds[0], builds[1]].map((js) => throwIn(js as JsBuild, NODE_PATH));
    // Other minified names and positions in each build.
    expect(first?.map((f) => [f.function, f.colno])).not.toEqual(second?.map((f) => [f.function, f.colno]));
    const a = await send(
      p,
      jsEvent(first as SdkFrame[], { platform: 'node', ...debugMeta(ids[0] as string, NODE_PATH) }),
    );
    const b = await send(
      p,
      jsEvent(second as SdkFrame[], { platform: 'node', ...debugMeta(ids[1] as string, NODE_PATH) }),
    );
    expect(exceptionOf(b).stacktrace.frames.map((f: Json) => [f.function, f.lineNo])).toEqual(
      originalFrames(3).map((f) => [f.function, f.lineNo]),
    );
    expect(exceptionOf(a).stacktrace.frames.at(-1).absPath).toBe('/srv/shop/src/math.js');
    expect(a.groupID).toBe(b.groupID);
    const issues = await h.ctx.db.region
      .selectFrom('issues')
      .select(['id', 'times_seen'])
      .where('project_id', '=', p.project.id)
      .execute();
    expect(issues).toEqual([{ id: Number(a.groupID), times_seen: 2 }]);
  });

  it('keeps an event that came before its upload minified, with the error; the next one after the upload is mapped', async () => {
    const p = await project();
    const debugId = randomUUID();
    const minified = throwIn(builds[0] as JsBuild, BROWSER_URL);
    const before = await send(p, jsEvent(minified, debugMeta(debugId, BROWSER_URL)));
    expect(exceptionOf(before).stacktrace.frames.map((f: Json) => f.function)).toEqual(
      minified.map((f) => f.function),
    );
    expect(exceptionOf(before).rawStacktrace).toBeNull();
    expect(before.errors).toEqual([
      { type: 'js_no_source', message: 'Source code was not found', data: { url: BROWSER_URL } },
    ]);

    await storeJsBundle(h.ctx.db.region, {
      organizationId: p.org.id,
      projectId: p.project.id,
      js: builds[0] as JsBuild,
      debugId,
    });
    const after = await send(p, jsEvent(minified, debugMeta(debugId, BROWSER_URL)));
    expect(exceptionOf(after).stacktrace.frames.map((f: Json) => f.function)).toEqual(
      originalFrames(0).map((f) => f.function),
    );
    expect(after.errors).toEqual([]);
    // Minified and mapped frames group apart: the first event's issue is not the second's.
    expect(after.groupID).not.toBe(before.groupID);
  });

  it('maps a map without sources content, saying so; a position with no mapping stays, with its error', async () => {
    const p = await project();
    const debugId = randomUUID();
    await storeJsBundle(h.ctx.db.region, {
      organizationId: p.org.id,
      projectId: p.project.id,
      js: builds[2] as JsBuild,
      debugId,
    });
    const minified = throwIn(builds[2] as JsBuild, BROWSER_URL);
    const beyond = { ...minified[0], lineno: 40, colno: 1 } as SdkFrame;
    const event = await send(p, jsEvent([beyond, ...minified], debugMeta(debugId, BROWSER_URL)));
    const frames = exceptionOf(event).stacktrace.frames;
    expect(frames[0]).toMatchObject({ lineNo: 40, function: minified[0]?.function, context: [] });
    expect(frames.slice(1).map((f: Json) => [f.filename, f.function, f.context])).toEqual(
      originalFrames(0).map((f) => [f.filename, f.function, []]),
    );
    expect(event.errors.map((e: Json) => [e.type, e.message, e.data])).toEqual([
      [
        'js_invalid_sourcemap_location',
        'Invalid location in sourcemap',
        { column: 1, row: 40, source: BROWSER_URL },
      ],
      [
        'js_missing_sources_content',
        'Missing sources content',
        { source: 'http://shop.example/src/app.js', sourcemap: '~/app.min.js.map' },
      ],
      [
        'js_missing_sources_content',
        'Missing sources content',
        { source: 'http://shop.example/src/calculator.js', sourcemap: '~/app.min.js.map' },
      ],
      [
        'js_missing_sources_content',
        'Missing sources content',
        { source: 'http://shop.example/src/math.js', sourcemap: '~/app.min.js.map' },
      ],
    ]);
  });

  it("says nothing of a library's missing map, nor of a Node file path that no debug id names", async () => {
    const p = await project();
    const frames: SdkFrame[] = [
      {
        filename: '/srv/shop/node_modules/express/lib/router.js',
        function: 'handle',
        lineno: 3,
        colno: 9,
        in_app: false,
      },
      { filename: '/srv/shop/server.js', function: 'main', lineno: 12, colno: 5, in_app: true },
      { filename: 'node:internal/process/task_queues', function: 'run', lineno: 1, colno: 1, in_app: false },
    ];
    const event = await send(
      p,
      jsEvent(frames, {
        platform: 'node',
        release: 'shop@2',
        ...debugMeta(randomUUID(), '/srv/shop/node_modules/express/lib/router.js'),
      }),
    );
    expect(exceptionOf(event).stacktrace.frames.map((f: Json) => f.filename)).toEqual(
      frames.map((f) => f.filename),
    );
    expect(event.errors).toEqual([]);
  });

  it('leaves other platforms alone, and keeps parsed maps for the next batch', async () => {
    const p = await project();
    const debugId = randomUUID();
    await storeJsBundle(h.ctx.db.region, {
      organizationId: p.org.id,
      projectId: p.project.id,
      js: builds[0] as JsBuild,
      debugId,
    });
    const minified = throwIn(builds[0] as JsBuild, BROWSER_URL);
    const python = await send(
      p,
      jsEvent(minified, { platform: 'python', ...debugMeta(debugId, BROWSER_URL) }),
    );
    expect(exceptionOf(python).stacktrace.frames.map((f: Json) => f.function)).toEqual(
      minified.map((f) => f.function),
    );
    await send(p, jsEvent(minified, debugMeta(debugId, BROWSER_URL)));
    // The files' bytes gone: only the digest's cache can map the next event.
    await h.ctx.db.region.deleteFrom('blobs').where('key', 'like', `bundle/${p.org.id}/%`).execute();
    const again = await send(p, jsEvent(minified, debugMeta(debugId, BROWSER_URL)));
    expect(exceptionOf(again).stacktrace.frames.at(-1).function).toBe('divide');
  });

  it('marks the bundle used when it maps an event', async () => {
    const p = await project();
    const debugId = randomUUID();
    const stored = await storeJsBundle(h.ctx.db.region, {
      organizationId: p.org.id,
      projectId: p.project.id,
      js: builds[0] as JsBuild,
      debugId,
      now: Date.now() - 10 * 86_400_000,
    });
    await send(p, jsEvent(throwIn(builds[0] as JsBuild, BROWSER_URL), debugMeta(debugId, BROWSER_URL)));
    const row = await h.ctx.db.region
      .selectFrom('artifact_bundles')
      .select('date_last_used')
      .where('id', '=', stored.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.date_last_used)).toBeGreaterThan(Date.now() - 60_000);
  });
});
