import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { ROOT } from './processes.js';

/** Runs a command to its end: its exit code and what it wrote on stderr. */
function run(command: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

/** A stack frame as @sentry/node sends it. */
export interface NodeFrame {
  filename: string;
  module: string;
  function?: string;
  lineno: number;
  colno: number;
  in_app: boolean;
}

export interface MinifiedApp {
  /** The minified script, as the server's users would deploy it (after `sentry-cli sourcemaps inject`). */
  readonly bundle: string;
  readonly mapBytes: number;
  readonly debugId: string;
  /** The frames of the error it throws, oldest call first, as if run from `runAs`. */
  readonly frames: NodeFrame[];
}

/** Where the bench pretends the bundle runs: the frames' file, and the debug image's code file. */
export const RUN_AS = '/srv/shop/dist/app.js';

/**
 * Writes an app of `depth` source files, each calling the next, the last throwing, plus `padding`
 * functions in a table (to make its source map as large as a real app's), and bundles it with
 * esbuild, minified, with an external source map, into dir/dist.
 */
export async function buildApp(dir: string, depth: number, padding: number, seed: number): Promise<string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < depth; i++) {
    const last = i === depth - 1;
    files[`src/level${i}.js`] = last
      ? `export function level${i}(order) {\n  if (order.total > 0) {\n    throw new Error('order rejected: ' + order.total);\n  }\n  return order;\n}\n`
      : `import { level${i + 1} } from './level${i + 1}.js';\n\n/** Step ${i} of placing an order. */\nexport function level${i}(order) {\n  const total = (order.total ?? 0) + order.items * ${i + 1};\n  return level${i + 1}({ ...order, total });\n}\n`;
  }
  const table = Array.from(
    { length: padding },
    (_, n) => `export function rule${n}(x) {\n  return x * ${n + seed} + ${(n * 7 + seed) % 13};\n}\n`,
  );
  files['src/rules.js'] = table.join('');
  files['src/main.js'] =
    `import { level0 } from './level0.js';\nimport * as rules from './rules.js';\nexport const handle = level0;\nexport const ruleCount = Object.keys(rules).length;\n`;
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  await build({
    absWorkingDir: dir,
    entryPoints: ['src/main.js'],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    globalName: 'app',
    outfile: 'dist/app.js',
    logLevel: 'silent',
  });
  return path.join(dir, 'dist');
}

const V8_FRAME = /^\s*at (?:(.+?) \()?(.+):(\d+):(\d+)\)?$/;

/** Runs the bundle's `handle` in V8 as the file RUN_AS: the frames of what it throws, in that file. */
export function framesOf(script: string): NodeFrame[] {
  const context = vm.createContext({});
  // V8 keeps 10 frames by default; @sentry/node raises the limit to 50 when it starts.
  new vm.Script('Error.stackTraceLimit = 50').runInContext(context);
  new vm.Script(script, { filename: RUN_AS }).runInContext(context);
  let stack = '';
  try {
    new vm.Script('app.handle({ items: 2 })', { filename: 'caller.js' }).runInContext(context);
  } catch (error) {
    stack = (error as Error).stack ?? '';
  }
  const frames: NodeFrame[] = [];
  for (const line of stack.split('\n')) {
    const match = V8_FRAME.exec(line);
    if (!match || match[2] !== RUN_AS) continue;
    frames.push({
      filename: RUN_AS,
      module: 'app',
      ...(match[1] ? { function: match[1] } : {}),
      lineno: Number(match[3]),
      colno: Number(match[4]),
      in_app: true,
    });
  }
  return frames.reverse();
}

/**
 * Builds the app, injects debug ids and uploads its maps with the real sentry-cli (as a CI would),
 * and throws it once for its frames.
 */
export async function buildAndUpload(
  dir: string,
  options: { depth: number; padding: number; seed: number },
  upload: { url: string; token: string; org: string; project: string },
): Promise<MinifiedApp> {
  const dist = await buildApp(dir, options.depth, options.padding, options.seed);
  const cli = path.join(ROOT, 'node_modules/.bin/sentry-cli');
  const env = { SENTRY_URL: upload.url, SENTRY_AUTH_TOKEN: upload.token, HOME: dir };
  for (const args of [
    ['sourcemaps', 'inject', dist],
    ['sourcemaps', 'upload', '-o', upload.org, '-p', upload.project, '--wait', dist],
  ]) {
    const result = await run(cli, args, env);
    if (result.code !== 0)
      throw new Error(`sentry-cli ${args.slice(0, 2).join(' ')} failed:\n${result.stderr}`);
  }
  const bundle = readFileSync(path.join(dist, 'app.js'), 'utf8');
  const debugId = /\/\/# debugId=([0-9a-f-]{36})/.exec(bundle)?.[1];
  if (!debugId) throw new Error('sentry-cli inject wrote no debug id');
  const frames = framesOf(bundle);
  if (frames.length !== options.depth)
    throw new Error(`expected ${options.depth} frames, got ${frames.length}`);
  return { bundle, mapBytes: readFileSync(path.join(dist, 'app.js.map')).length, debugId, frames };
}
