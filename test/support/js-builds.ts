import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { build, type Plugin } from 'esbuild';
import type { Kysely } from 'kysely';
import { insertArtifactBundle, packArtifactFile } from '../../src/store/region/artifact-bundles.js';
import type { RegionSchema } from '../../src/store/schema.js';

// A small app of several source files minified by esbuild, thrown in V8 (node:vm) to get the
// minified frames an SDK would send, and stored as an artifact bundle the way assembly stores one:
// for digest tests that need real maps without sentry-cli (the e2e tests use sentry-cli).

/** The app's sources. `variant` changes the code before the failing call, so that each build has its own minified names and positions. */
export function appSources(variant = 0): Record<string, string> {
  const extra = Array.from(
    { length: variant },
    (_, i) =>
      `export function helper${i}(list) {\n  return list.map((x) => x * ${i + 2}).filter(Boolean);\n}\n`,
  ).join('');
  return {
    'src/math.js': `${extra}export function divide(a, b) {
  if (b === 0) throw new Error('division by zero');
  return a / b;
}
`,
    'src/calculator.js': `import { divide } from './math.js';
export class Calculator {
  compute(a, b) {
    return divide(a, b);
  }
}
`,
    'src/app.js': `import { Calculator } from './calculator.js';
import * as math from './math.js';
export const helpers = math;
export function crash() {
  return new Calculator().compute(1, 0);
}
`,
  };
}

/** The 1-based line of a source file that holds `text`. */
export function sourceLine(variant: number, file: string, text: string): number {
  const lines = (appSources(variant)[file] as string).split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`no ${text} in ${file}`);
  return index + 1;
}

/** The 1-based column of `text` in the line of a source file that holds it. */
export function sourceColumn(variant: number, file: string, text: string): number {
  const lines = (appSources(variant)[file] as string).split('\n');
  return (lines.find((line) => line.includes(text)) as string).indexOf(text) + 1;
}

/**
 * Writes the app's sources under `dir` and builds them there with esbuild, minified, into
 * `dir/dist/app.js` with its map beside it: an ES module for Node, or a script setting
 * `globalThis.app` for a browser page. Returns the bundle's path.
 */
export async function buildAppIn(
  dir: string,
  variant: number,
  target: 'node' | 'browser',
  plugins: Plugin[] = [],
): Promise<string> {
  for (const [name, text] of Object.entries(appSources(variant))) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const result = await build({
    absWorkingDir: dir,
    entryPoints: ['src/app.js'],
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: target,
    ...(target === 'node' ? { format: 'esm' as const } : { format: 'iife' as const, globalName: 'app' }),
    outfile: 'dist/app.js',
    plugins,
    logLevel: 'silent',
  });
  if (result.errors.length > 0) throw new Error('esbuild failed');
  return path.join(dir, 'dist/app.js');
}

export interface JsBuild {
  /** The minified script (an IIFE setting `globalThis.app`), ending in its `sourceMappingURL`. */
  readonly code: string;
  readonly map: string;
}

/** Builds the app minified (in a temporary directory) with an external map named `app.min.js.map`. */
export async function buildJsApp(variant = 0, options: { sourcesContent?: boolean } = {}): Promise<JsBuild> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errata-js-app-'));
  try {
    for (const [name, text] of Object.entries(appSources(variant))) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const result = await build({
      absWorkingDir: dir,
      entryPoints: ['src/app.js'],
      bundle: true,
      minify: true,
      format: 'iife',
      globalName: 'app',
      sourcemap: 'external',
      sourcesContent: options.sourcesContent ?? true,
      outfile: 'dist/app.min.js',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text as string;
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text as string;
    return { code: `${code.trimEnd()}\n//# sourceMappingURL=app.min.js.map\n`, map };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stack frame as @sentry/node and @sentry/browser send it. */
export interface SdkFrame {
  filename: string;
  function?: string;
  lineno: number;
  colno: number;
  in_app: boolean;
}

const V8_FRAME = /^\s*at (?:(.+?) \()?(.+):(\d+):(\d+)\)?$/;

/** Runs the build's `crash()` in V8 as the file `filename`: its frames in that file, oldest call first. */
export function throwIn(js: JsBuild, filename: string): SdkFrame[] {
  const context = vm.createContext({});
  new vm.Script(js.code, { filename }).runInContext(context);
  let stack = '';
  try {
    new vm.Script('app.crash()', { filename: 'caller.js' }).runInContext(context);
  } catch (error) {
    stack = (error as Error).stack ?? '';
  }
  const frames: SdkFrame[] = [];
  for (const line of stack.split('\n')) {
    const match = V8_FRAME.exec(line);
    if (!match || match[2] !== filename) continue;
    frames.push({
      filename,
      ...(match[1] ? { function: match[1] } : {}),
      lineno: Number(match[3]),
      colno: Number(match[4]),
      in_app: true,
    });
  }
  return frames.reverse();
}

export interface BundleFiles {
  readonly organizationId: number;
  readonly projectId: number;
  readonly js: JsBuild;
  /** The files' URLs: `${urlPrefix}app.min.js` and its map. */
  readonly urlPrefix?: string;
  readonly debugId?: string;
  readonly release?: { release: string; dist: string | null };
  readonly now?: number;
}

/** Stores the build as an artifact bundle of the project, as assembly would from sentry-cli's upload. */
export async function storeJsBundle(db: Kysely<RegionSchema>, bundle: BundleFiles) {
  const prefix = bundle.urlPrefix ?? '~/';
  const file = (path: string, type: string, data: string, sourcemap: string | null) => ({
    path,
    url: `${prefix}${path}`,
    type,
    debugId: bundle.debugId ?? null,
    sourcemap,
    size: Buffer.byteLength(data),
    packed: packArtifactFile(Buffer.from(data)),
  });
  return insertArtifactBundle(
    db,
    {
      organizationId: bundle.organizationId,
      bundleId: randomUUID(),
      checksum: createHash('sha1').update(randomUUID()).digest('hex'),
      size: bundle.js.code.length + bundle.js.map.length,
      projectIds: [bundle.projectId],
      association: bundle.release ?? null,
      files: [
        file('app.min.js', 'minified_source', bundle.js.code, 'app.min.js.map'),
        file('app.min.js.map', 'source_map', bundle.js.map, null),
      ],
    },
    bundle.now ?? Date.now(),
  );
}
