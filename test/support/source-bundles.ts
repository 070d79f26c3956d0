import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import yazl from 'yazl';

// Source maps for upload tests: a small app built by a real bundler, and artifact bundles written
// by hand (good ones, and ones broken on purpose) for the API tests.

const SOURCES: Record<string, string> = {
  'src/math.js': `export function divide(a, b) {
  if (b === 0) throw new Error('division by zero');
  return a / b;
}
export const square = (x) => x * x;
`,
  'src/format.js': `import { square } from './math.js';
export function describe(name, value) {
  return \`\${name}: \${square(value)}\`;
}
`,
  'src/app.js': `import { divide } from './math.js';
import { describe } from './format.js';
console.log(describe('area', divide(10, 2)));
export function crash() {
  return divide(1, 0);
}
`,
  'src/admin.js': `import { describe } from './format.js';
console.log(describe('admin', 3));
`,
};

/**
 * Writes the app's source files under `dir` and bundles them with esbuild (minified, two entry
 * points sharing a chunk, external source maps) into `dir/dist`. Returns the output file names.
 * `padding` bytes of random text in a data module make the bundle span several upload chunks.
 */
export async function buildApp(dir: string, padding = 0): Promise<string[]> {
  const data = Array.from({ length: Math.ceil(padding / 1024) }, () => randomBytes(768).toString('base64'));
  const sources = {
    ...SOURCES,
    'src/data.js': `export const TABLE = ${JSON.stringify(data)};\n`,
    'src/admin.js': `import { TABLE } from './data.js';\n${SOURCES['src/admin.js']}console.log(TABLE.length);\n`,
  };
  for (const [name, text] of Object.entries(sources)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const result = await build({
    absWorkingDir: dir,
    entryPoints: ['src/app.js', 'src/admin.js'],
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    sourcemap: true,
    outdir: 'dist',
    logLevel: 'silent',
  });
  if (result.errors.length > 0) throw new Error('esbuild failed');
  return readdirSync(path.join(dir, 'dist')).sort();
}

export const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

export interface BundleEntry {
  readonly name: string;
  readonly data: Buffer | string;
  /** Stored without compression (default deflate). */
  readonly store?: boolean;
}

/** A zip of the entries, behind Sentry's `SYSB` source-bundle header unless `plain`. */
export function zipBundle(
  entries: readonly BundleEntry[],
  options: { plain?: boolean } = {},
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : entry.data;
    zip.addBuffer(data, entry.name, { compress: !entry.store });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const header = Buffer.from('SYSB\x02\x00\x00\x00', 'latin1');
    if (!options.plain) parts.push(header);
    zip.outputStream.on('data', (d: Buffer) => parts.push(d));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => {
      const zipped = Buffer.concat(parts);
      // The zip's offsets count from the start of the file: move them past the header, as
      // symbolic's writer does (it writes the zip after the header in one stream).
      resolve(options.plain ? zipped : shiftZipOffsets(zipped, header.length));
    });
  });
}

/** Adds `by` to the central directory's offsets of a zip that was written after `by` header bytes. */
function shiftZipOffsets(file: Buffer, by: number): Buffer {
  const eocd = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = file.readUInt16LE(eocd + 10);
  const cdOffset = file.readUInt32LE(eocd + 16) + by;
  file.writeUInt32LE(cdOffset, eocd + 16);
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    file.writeUInt32LE(file.readUInt32LE(at + 42) + by, at + 42);
    at += 46 + file.readUInt16LE(at + 28) + file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
  }
  return file;
}

/** A manifest as sentry-cli writes it. */
export function manifestOf(
  files: Record<string, { type: string; url: string; debugId?: string; sourcemap?: string }>,
  bundle: { debugId?: string; org?: string; project?: string; release?: string; dist?: string } = {},
): string {
  return JSON.stringify({
    files: Object.fromEntries(
      Object.entries(files).map(([name, f]) => [
        name,
        {
          type: f.type,
          url: f.url,
          headers: {
            ...(f.debugId ? { 'debug-id': f.debugId } : {}),
            ...(f.sourcemap ? { sourcemap: f.sourcemap } : {}),
          },
        },
      ]),
    ),
    ...(bundle.debugId ? { debug_id: bundle.debugId } : {}),
    ...(bundle.org ? { org: bundle.org } : {}),
    ...(bundle.project ? { project: bundle.project } : {}),
    ...(bundle.release ? { release: bundle.release } : {}),
    ...(bundle.dist ? { dist: bundle.dist } : {}),
  });
}

/** Cuts bytes into chunks of `size`, as sentry-cli does. */
export function chunksOf(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out.length > 0 ? out : [Buffer.alloc(0)];
}
