import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `vite build` puts the web app: `<package>/dist/ui`, from src/api/ and dist/api/ alike. */
export const UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

// The app loads only its own files and talks only to its own origin; nothing may frame it.
const HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

interface UiFile {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer | null;
  readonly etag: string;
  readonly cacheControl: string;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Errata</title>
<p>The web UI has not been built. Run <code>npm run build</code>, then restart Errata.
The REST API is at <a href="/api/0/">/api/0/</a>.</p>`;

async function loadFiles(dir: string): Promise<Map<string, UiFile> | null> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
  } catch {
    return null;
  }
  const files = new Map<string, UiFile>();
  for (const name of names) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = await readFile(path.join(dir, name));
    const zipped = /^(text|application\/json|image\/svg)/.test(type) ? gzipSync(body) : null;
    const urlPath = `/${name.split(path.sep).join('/')}`;
    files.set(urlPath, {
      type,
      body,
      gzip: zipped && zipped.length < body.length ? zipped : null,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      // Vite puts a content hash in every name under assets/, so those never change.
      cacheControl: urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return files.has('/index.html') ? files : null;
}

function send(request: FastifyRequest, reply: FastifyReply, file: UiFile) {
  reply
    .header('Content-Type', file.type)
    .header('Cache-Control', file.cacheControl)
    .header('ETag', file.etag)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Vary', 'Accept-Encoding');
  if (file.type.startsWith('text/html')) reply.headers(HTML_HEADERS);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (file.gzip && /\bgzip\b/.test(accepts)) {
    return reply.header('Content-Encoding', 'gzip').send(file.gzip);
  }
  return reply.send(file.body);
}

/**
 * Serves the built web app (`dist/ui`) at `/` from memory: its files by name, and `index.html` for
 * every other GET that is not under `/api/`, so that the app's own routes survive a reload. Paths
 * under `/api/` keep the REST 404. The files are read once, on the first request.
 */
export function registerUiRoutes(app: FastifyInstance, dir: string = UI_DIR): void {
  let loaded: Promise<Map<string, UiFile> | null> | undefined;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0] as string;
    if (pathname === '/api' || pathname.startsWith('/api/')) return reply.callNotFound();
    loaded ??= loadFiles(dir);
    const files = await loaded;
    if (!files) return reply.code(503).header('Content-Type', 'text/html; charset=utf-8').send(NOT_BUILT);
    const file = files.get(pathname);
    if (file) return send(request, reply, file);
    // A missing asset is a 404, not the app: a stale page must not load HTML as a script.
    if (pathname.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(pathname)) return reply.callNotFound();
    return send(request, reply, files.get('/index.html') as UiFile);
  };
  app.get('/', handler);
  app.get('/*', handler);
}
