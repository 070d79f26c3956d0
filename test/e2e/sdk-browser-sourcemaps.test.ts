import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgToken, DEFAULT_ORG_TOKEN_SCOPES } from '../../src/services/org-tokens.js';
import { formatPublicDsn } from '../../src/services/projects.js';
import type { Json } from '../api/support/api-client.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { appSources, sourceColumn, sourceLine } from '../support/js-builds.js';
import { poll } from '../support/sdk.js';
import { ROOT, run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';
import { type Browser, launchBrowser } from '../ui/browser.js';

// A page in Debian's headless Chromium loads an app that esbuild bundled and minified together
// with the real @sentry/browser; sentry-cli 3.8.0 injected debug ids and uploaded its maps. The
// app throws, the SDK sends the event (from another origin, through CORS), and the API must give
// it back with the original code.

const PAGE_SOURCE = `import * as Sentry from '@sentry/browser';
import { crash } from './app.js';

Sentry.init({ dsn: window.ERRATA_DSN, release: 'web@1.0.0', defaultIntegrations: false });

document.getElementById('buy').addEventListener('click', function onBuy() {
  let id;
  try {
    crash();
  } catch (error) {
    id = Sentry.captureException(error);
  }
  Sentry.flush(5000).then(() => {
    document.body.dataset.sent = id;
  });
});
`;

/** Writes the app and its page script under `dir` and bundles them, minified, into dir/dist/page.js. */
async function buildPage(dir: string): Promise<string> {
  const sources = { ...appSources(0), 'src/page.js': PAGE_SOURCE };
  for (const [name, text] of Object.entries(sources)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const result = await build({
    absWorkingDir: dir,
    entryPoints: ['src/page.js'],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    platform: 'browser',
    nodePaths: [path.join(ROOT, 'node_modules')],
    outfile: 'dist/page.js',
    logLevel: 'silent',
  });
  if (result.errors.length > 0) throw new Error('esbuild failed');
  return path.join(dir, 'dist');
}

/** Serves `index.html` (which sets the DSN and loads the bundle) and the bundle, nothing else. */
function servePage(dist: string, dsn: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><html><head><script>window.ERRATA_DSN = ${JSON.stringify(dsn)};</script></head><body><button id="buy">Buy</button><script src="/dist/page.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (req.url === '/dist/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(dist, 'page.js')));
    } else res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe.each(TEST_ENGINES)('@sentry/browser in Chromium, source maps from sentry-cli, on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  let site: { server: Server; url: string };
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'errata-browser-maps-'));
    t = await startTestServer(engine, { ERRATA_ASSEMBLE_POLL_MS: '50' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.server.close(resolve));
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the original file, line, column, function and context of each app frame', async () => {
    const ctx = t.server.ctx;
    const user = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, user, `browser-${engine}`);
    const { key } = await makeProject(ctx, org, team, 'web');
    const readToken = await makeToken(ctx, user, ['org:read', 'project:read', 'event:read']);
    const { token } = await createOrgToken(ctx, {
      organizationId: org.id,
      orgSlug: org.slug,
      name: 'ci',
      scopes: [...DEFAULT_ORG_TOKEN_SCOPES],
      createdById: user.id,
    });
    const dist = await buildPage(path.join(work, engine));
    const env = { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: token, HOME: work };
    for (const args of [
      ['sourcemaps', 'inject', dist],
      ['sourcemaps', 'upload', '-o', org.slug, '-p', 'web', '--release', 'web@1.0.0', '--wait', dist],
    ]) {
      const result = await run(SENTRY_CLI, args, { env });
      expect(result.code, result.stderr).toBe(0);
    }

    site = await servePage(dist, formatPublicDsn(t.url, key));
    const { context, page } = await browser.newPage();
    try {
      await page.goto(`${site.url}/`);
      // A click, so that the stack holds only the page's own code (no evaluation script of the driver).
      await page.click('#buy');
      await page.waitForSelector('body[data-sent]');
      const eventId = (await page.getAttribute('body', 'data-sent')) as string;
      expect(eventId).toMatch(/^[0-9a-f]{32}$/);
      const event = await poll(`event ${eventId}`, async () => {
        const res = await fetch(`${t.url}/api/0/projects/${org.slug}/web/events/${eventId}/`, {
          headers: { authorization: `Bearer ${readToken}` },
        });
        return res.status === 200 ? ((await res.json()) as Json) : undefined;
      });

      const exception = event.entries.find((e: Json) => e.type === 'exception').data.values.at(-1);
      const frames = exception.stacktrace.frames as Json[];
      const read = (f: Json) => ({
        filename: f.filename,
        function: f.function,
        lineNo: f.lineNo,
        colNo: f.colNo,
        contextLine: f.context.find(([n]: [number]) => n === f.lineNo)?.[1],
        inApp: f.inApp,
      });
      const at = (file: string, text: string, column: string, fn: string) => ({
        filename: file,
        function: fn,
        lineNo: sourceLine(0, file, text),
        colNo: sourceColumn(0, file, column),
        contextLine: text,
        inApp: true,
      });
      const pageLine = PAGE_SOURCE.split('\n').indexOf('    crash();');
      expect(frames.slice(-4).map(read)).toEqual([
        {
          filename: 'src/page.js',
          // Minified away (the name is unused), so the engine names it by its receiver only.
          function: 'HTMLButtonElement.<anonymous>',
          lineNo: pageLine + 1,
          colNo: 5,
          contextLine: '    crash();',
          inApp: true,
        },
        at('src/app.js', '  return new Calculator().compute(1, 0);', 'compute(1, 0)', 'crash'),
        at('src/calculator.js', '    return divide(a, b);', 'divide(a, b)', 'Calculator.compute'),
        at('src/math.js', "  if (b === 0) throw new Error('division by zero');", 'new Error', 'divide'),
      ]);
      // Every frame of the page's script was mapped; the minified ones are kept.
      expect(frames.filter((f) => String(f.absPath).endsWith('/dist/page.js'))).toEqual([]);
      expect(exception.rawStacktrace.frames.at(-1).filename).toBe(`${site.url}/dist/page.js`);
      expect(event.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
