import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { type ErrataBuild, ROOT } from './errata.js';
import { postgresVersion } from './postgres.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly sqlite: string;
  readonly postgres: string | null;
  readonly autocannon: string;
  readonly spotlight: string;
  readonly commit: string;
  readonly build: ErrataBuild;
  /** Median time of a 4 KiB write + fdatasync in the bench's temporary directory (what a SQLite commit waits for). */
  readonly fsyncMs: number;
}

/** What a durable commit costs on this disk: the median of 50 appends of 4 KiB, each followed by fdatasync. */
function measureFsync(dir: string): number {
  const file = path.join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  times.sort((a, b) => a - b);
  return times[25] as number;
}

function packageVersion(name: string): string {
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

/** The checkout's commit, marked `+changes` when the work tree differs from it (read-only git calls). */
function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty === '' ? head : `${head} + uncommitted changes in src/`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export async function describeMachine(build: ErrataBuild, tmpDir: string): Promise<Machine> {
  const memory = new SQLite(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: os.totalmem() / 1024 ** 3,
    os: osName(),
    kernel: os.release(),
    node: process.version,
    sqlite: `${sqlite} (better-sqlite3 ${packageVersion('better-sqlite3')})`,
    postgres: await postgresVersion().catch(() => null),
    autocannon: packageVersion('autocannon'),
    spotlight: packageVersion('@spotlightjs/spotlight'),
    commit: commit(),
    build,
    fsyncMs: measureFsync(tmpDir),
  };
}
