import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sentryEsbuildPlugin } from '@sentry/esbuild-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgToken, DEFAULT_ORG_TOKEN_SCOPES } from '../../src/services/org-tokens.js';
import { formatPublicDsn } from '../../src/services/projects.js';
import type { Json } from '../api/support/api-client.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { buildAppIn, sourceColumn, sourceLine } from '../support/js-builds.js';
import { DRIVERS, driverReports, poll, reported } from '../support/sdk.js';
import { run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// An app that esbuild builds minified from several source files, its source maps uploaded by the
// real sentry-cli 3.8.0 with an organization token, then run under the real @sentry/node
// (drivers/node-minified.mjs) until it throws: the event read back through the API must show the
// original code on every in-app frame.

const DRIVER = path.join(DRIVERS, 'node-minified.mjs');

/** The crash in the original code of build `variant`, oldest call first. */
function originalCrash(variant: number) {
  const at = (file: string, text: string, column: string) => ({
    filename: file,
    lineNo: sourceLine(variant, file, text),
    colNo: sourceColumn(variant, file, column),
    contextLine: text,
  });
  return [
    { ...at('src/app.js', '  return new Calculator().compute(1, 0);', 'compute(1, 0)'), function: 'crash' },
    {
      ...at('src/calculator.js', '    return divide(a, b);', 'divide(a, b)'),
      function: 'Calculator.compute',
    },
    {
      ...at('src/math.js', "  if (b === 0) throw new Error('division by zero');", 'new Error'),
      function: 'divide',
    },
  ];
}

/**
 * The in-app frames of the event's exception as a person reads them in the API, the driver's own
 * (which called the bundle, and is no part of it) left out.
 */
function inAppCode(event: Json) {
  const exception = event.entries.find((e: Json) => e.type === 'exception').data.values.at(-1);
  return exception.stacktrace.frames
    .filter((f: Json) => f.inApp && !String(f.filename).endsWith('node-minified.mjs'))
    .map((f: Json) => ({
      filename: f.filename,
      lineNo: f.lineNo,
      colNo: f.colNo,
      contextLine: f.context.find(([n]: [number]) => n === f.lineNo)?.[1],
      function: f.function,
    }));
}

describe.each(TEST_ENGINES)('source maps from sentry-cli symbolicate @sentry/node events on %s', (engine) => {
  let t: TestServer;
  let work: string;
  let ciToken: string;
  let readToken: string;
  let dsn: string;

  const cli = (...args: string[]) =>
    run(SENTRY_CLI, args, { env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: ciToken, HOME: work } });
  const upload = async (dist: string, ...args: string[]) => {
    const up = await cli('sourcemaps', 'upload', '-o', 'shop', '-p', 'web', '--wait', ...args, dist);
    expect(up.code, up.stderr).toBe(0);
  };
  const inject = async (dist: string) => {
    const injected = await cli('sourcemaps', 'inject', dist);
    expect(injected.code, injected.stderr).toBe(0);
  };
  /** Runs the bundle under @sentry/node until it throws; the event as the API gives it. */
  const crash = async (bundle: string, env: Record<string, string> = {}) => {
    const result = await run(process.execPath, [DRIVER, bundle], {
      env: { SENTRY_DSN: dsn, ...env },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const id = reported(driverReports(result.stdout), 'crash');
    return poll(`event ${id}`, async () => {
      const res = await fetch(`${t.url}/api/0/projects/shop/web/events/${id}/`, {
        headers: { authorization: `Bearer ${readToken}` },
      });
      return res.status === 200 ? ((await res.json()) as Json) : undefined;
    });
  };
  const build = (name: string, variant: number) => buildAppIn(path.join(work, name), variant, 'node');

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'errata-symbolicate-'));
    t = await startTestServer(engine, { ERRATA_ASSEMBLE_POLL_MS: '50' });
    const ctx = t.server.ctx;
    const user = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, user, 'shop');
    const { key } = await makeProject(ctx, org, team, 'web');
    dsn = formatPublicDsn(t.url, key);
    readToken = await makeToken(ctx, user, ['org:read', 'project:read', 'event:read']);
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

  it('inject, upload, throw: every in-app frame has its original file, line, column, function and context; two builds are one issue', async () => {
    const first = await build('first', 0);
    await inject(path.dirname(first));
    await upload(path.dirname(first));
    const a = await crash(first);
    expect(inAppCode(a)).toEqual(originalCrash(0));

    // Changed code, built again (other minified names and positions), uploaded with a release.
    const second = await build('second', 3);
    await inject(path.dirname(second));
    await upload(path.dirname(second), '--release', 'shop@2.0.0');
    const b = await crash(second, { SENTRY_RELEASE: 'shop@2.0.0' });
    expect(inAppCode(b)).toEqual(originalCrash(3));
    const raw = (event: Json) =>
      event.entries.find((e: Json) => e.type === 'exception').data.values.at(-1).rawStacktrace.frames;
    expect(raw(a).at(-1).function).not.toBe('divide');
    expect(raw(a).map((f: Json) => [f.function, f.colNo])).not.toEqual(
      raw(b).map((f: Json) => [f.function, f.colNo]),
    );
    expect(b.groupID).toBe(a.groupID);
    expect(a.errors).toEqual([]);
  });

  it('maps by release and URL a bundle uploaded without debug ids (frames rewritten to app:///)', async () => {
    const bundle = await build('by-release', 5);
    await upload(path.dirname(bundle), '--release', 'shop@3.0.0', '--url-prefix', 'app:///dist');
    const event = await crash(bundle, {
      SENTRY_RELEASE: 'shop@3.0.0',
      REWRITE_ROOT: path.join(work, 'by-release'),
    });
    expect(inAppCode(event)).toEqual(originalCrash(5));
    // Only the driver's own file, rewritten to app:/// too, has no map in the release.
    expect(
      event.errors.map((e: Json) => [e.type, e.data.url.endsWith('/drivers/node-minified.mjs')]),
    ).toEqual([['js_no_source', true]]);
  });

  it('keeps an event thrown before the upload minified, with the error; one thrown after is mapped', async () => {
    const bundle = await build('late', 7);
    await inject(path.dirname(bundle));
    const before = await crash(bundle);
    expect(inAppCode(before).map((f: Json) => f.filename)).toEqual([bundle, bundle, bundle]);
    expect(before.errors).toEqual([
      { type: 'js_no_source', message: 'Source code was not found', data: { url: bundle } },
    ]);
    await upload(path.dirname(bundle));
    const after = await crash(bundle);
    expect(inAppCode(after)).toEqual(originalCrash(7));
  });

  it('maps a build that @sentry/esbuild-plugin uploaded by itself to Errata (its own sentry-cli, the org token)', async () => {
    const dir = path.join(work, 'plugin');
    const plugin = sentryEsbuildPlugin({
      org: 'shop',
      project: 'web',
      url: t.url,
      authToken: ciToken,
      telemetry: false,
      sourcemaps: { assets: [path.join(dir, 'dist', '**')] },
      // Its sentry-cli 2.x makes and finalizes the release through the project's releases endpoint.
      release: { name: 'plugin@9.0.0', create: true, finalize: true, inject: false },
      errorHandler: (error: Error) => {
        throw error;
      },
    });
    const bundle = await buildAppIn(dir, 9, 'node', [plugin]);
    // The plugin does not wait for the bundle's assembly (sentry-cli's --wait).
    await t.server.assembler.drain();
    const event = await crash(bundle);
    expect(inAppCode(event)).toEqual(originalCrash(9));
    expect(event.errors).toEqual([]);
    const release = await fetch(`${t.url}/api/0/organizations/shop/releases/plugin@9.0.0/`, {
      headers: { authorization: `Bearer ${ciToken}` },
    });
    expect(release.status).toBe(200);
    expect(await release.json()).toMatchObject({
      version: 'plugin@9.0.0',
      dateReleased: expect.any(String),
      projects: [expect.objectContaining({ slug: 'web' })],
    });
  });
});
