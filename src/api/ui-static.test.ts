import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUiRoutes } from './ui-static.js';

const INDEX = '<!doctype html><title>Errata</title><script type="module" src="/assets/app-1a2b.js"></script>';
const SCRIPT = `console.log(${JSON.stringify('errata '.repeat(200))});`;

function appOver(dir: string): FastifyInstance {
  const app = Fastify();
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ detail: 'The requested resource does not exist' }),
  );
  registerUiRoutes(app, dir);
  return app;
}

describe('registerUiRoutes', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'errata-ui-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets/app-1a2b.js'), SCRIPT);
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = appOver(dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for every app path, never cached, with a strict CSP', async () => {
    for (const url of [
      '/',
      '/organizations/acme/issues/?query=is%3Aresolved',
      '/settings/account/api/auth-tokens/',
    ]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toBe(INDEX);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    expect((await app.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200);
  });

  it('serves hashed assets for a year, gzipped when the client accepts it, and answers 304 to a known ETag', async () => {
    const plain = await app.inject({ url: '/assets/app-1a2b.js' });
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const zipped = await app.inject({
      url: '/assets/app-1a2b.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(SCRIPT);
    const again = await app.inject({
      url: '/assets/app-1a2b.js',
      headers: { 'if-none-match': String(plain.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect((await app.inject({ url: '/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
  });

  it('keeps 404 for missing files, anything under /api/, other methods and paths out of the folder', async () => {
    for (const url of [
      '/assets/app-old.js',
      '/robots.txt',
      '/api/0/no-such-thing/',
      '/api',
      '/api/',
      '/..%2f..%2fpackage.json',
    ]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toEqual({ detail: 'The requested resource does not exist' });
    }
    expect((await app.inject({ method: 'POST', url: '/organizations/' })).statusCode).toBe(404);
  });

  it('says how to build the UI when dist/ui is missing', async () => {
    const bare = appOver(path.join(dir, 'not-built'));
    const r = await bare.inject({ url: '/' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build');
    expect((await bare.inject({ url: '/api/0/x/' })).statusCode).toBe(404);
    await bare.close();
  });
});
