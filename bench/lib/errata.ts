import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Child, startChild } from './children.js';
import { freePort } from './http.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** How the bench runs `errata serve`: the build `npm start` runs, or a build of the working tree. */
export interface ErrataBuild {
  readonly kind: 'dist' | 'working-tree' | 'source';
  /** Node arguments before `serve`. */
  readonly args: readonly string[];
  readonly reason: string;
}

// Under node_modules/.cache: ignored by git and Biome alike, and imports still resolve from there.
const WORKING_TREE_BUILD = path.join(ROOT, 'node_modules/.cache/errata-bench/build');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== path.join(ROOT, 'src/ui')) newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

function builtAt(dir: string): number {
  try {
    return statSync(path.join(dir, 'cli/index.js')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * `npm start` runs bin/errata.js over dist/ (built by `npm install`), and so does the bench when
 * dist/ is at least as new as every server source file. A checkout with newer sources is compiled
 * the same way (`tsc -p tsconfig.build.json`) into node_modules/.cache/errata-bench/build instead, leaving dist/ alone;
 * only if that fails do the sources run through tsx (slower to start).
 */
export function prepareErrataBuild(log: (line: string) => void): ErrataBuild {
  const newest = newestSource(path.join(ROOT, 'src'));
  const dist = path.join(ROOT, 'dist');
  if (builtAt(dist) >= newest) {
    return { kind: 'dist', args: [path.join(ROOT, 'bin/errata.js')], reason: 'dist/ (as `npm start`)' };
  }
  let note = '';
  if (builtAt(WORKING_TREE_BUILD) < newest) {
    log('dist/ is older than src/: compiling the working tree into node_modules/.cache/errata-bench/build');
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = spawnSync(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', WORKING_TREE_BUILD],
      { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
    );
    if (result.status !== 0) note = ' (tsc reported errors; it emitted JavaScript all the same)';
  }
  if (builtAt(WORKING_TREE_BUILD) >= newest) {
    return {
      kind: 'working-tree',
      args: [path.join(WORKING_TREE_BUILD, 'cli/index.js')],
      reason: `the working tree compiled by \`tsc -p tsconfig.build.json\` into node_modules/.cache/errata-bench/build, as \`npm run build\` would (dist/ is older than src/)${note}`,
    };
  }
  return {
    kind: 'source',
    args: ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts')],
    reason: 'src/ through tsx (dist/ is older than src/ and the working tree did not compile)',
  };
}

/** What the first start of an empty store printed: the owner's token and the project's DSN. */
export interface FirstStart {
  readonly token: string;
  readonly publicKey: string;
  readonly projectId: string;
  readonly org: string;
  readonly project: string;
}

export interface ErrataNode {
  readonly child: Child;
  readonly url: string;
  /** Milliseconds from spawn to the "listening" line. */
  readonly readyMs: number;
  readonly firstStart: FirstStart | null;
}

export interface ErrataStart {
  readonly build: ErrataBuild;
  readonly name: string;
  /** ERRATA_DATA_DIR for SQLite, or DATABASE_URL for PostgreSQL. */
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  /** Write a V8 CPU profile into this directory when the process exits. */
  readonly cpuProfileDir?: string;
  readonly timeoutMs?: number;
}

/**
 * The first start's login, token and DSN: in the owner-only file that the output names (the bench
 * reads a pipe, not a terminal), or in the output itself for a build from before that file.
 */
function parseFirstStart(printed: string): FirstStart | null {
  const file = /^First start: .* to: (.+)$/m.exec(printed)?.[1];
  const output = file ? readFileSync(file, 'utf8') : printed;
  const token = /User token:\s+(\S+)/.exec(output)?.[1];
  const dsn = /DSN:\s+(\S+)/.exec(output)?.[1];
  const names = /Organization (\S+), project (\S+)/.exec(output);
  if (!token || !dsn || !names) return null;
  const url = new URL(dsn);
  return {
    token,
    publicKey: url.username,
    projectId: url.pathname.split('/').pop() as string,
    org: names[1] as string,
    project: names[2] as string,
  };
}

/** The environment `npm start` would see, without any Errata setting of the bench's own shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('ERRATA_') && name !== 'DATABASE_URL') env[name] = value;
  }
  return env;
}

/** Spawns `errata serve` on a free port with default settings and waits until it listens. */
export async function startErrata(start: ErrataStart): Promise<ErrataNode> {
  const port = await freePort();
  const env = cleanEnv();
  env.ERRATA_PORT = String(port);
  // A PostgreSQL node still writes its first start file under a data directory: never the checkout's.
  env.ERRATA_DATA_DIR = start.dataDir ?? mkdtempSync(path.join(tmpdir(), 'errata-bench-'));
  if (start.databaseUrl) env.DATABASE_URL = start.databaseUrl;
  const profile = start.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', start.cpuProfileDir] : [];
  const child = startChild(start.name, process.execPath, [...profile, ...start.build.args, 'serve'], {
    env,
    cwd: ROOT,
  });
  await child.waitForOutput(/Errata is listening on/, start.timeoutMs ?? 30_000);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    readyMs: performance.now() - child.spawnedAt,
    firstStart: parseFirstStart(child.output()),
  };
}
