import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

const running = new Set<Child>();

/** A `node` process the bench started; `stopAll` ends every one still running, also when the bench fails. */
export class Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** performance.now() just before the spawn. */
  readonly spawnedAt = performance.now();
  /** Its stdout and stderr so far (the first MiB). */
  output = '';
  private readonly exit: Promise<unknown>;

  constructor(
    readonly name: string,
    args: readonly string[],
    env = process.env,
  ) {
    this.process = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.process.pid ?? 0;
    const append = (chunk: Buffer) => {
      if (this.output.length < 1 << 20) this.output += chunk.toString();
    };
    this.process.stdout?.on('data', append);
    this.process.stderr?.on('data', append);
    this.exit = new Promise((resolve) => this.process.once('exit', resolve));
    running.add(this);
  }

  exited(): boolean {
    return this.process.exitCode !== null || this.process.signalCode !== null;
  }

  /** Resolves once the output matches; rejects if the process exits first or after 30 s. */
  async waitFor(pattern: RegExp): Promise<void> {
    const deadline = performance.now() + 30_000;
    while (!pattern.test(this.output)) {
      if (this.exited() || performance.now() > deadline)
        throw new Error(`${this.name}: no ${pattern} in its output:\n${this.output.slice(-3000)}`);
      await sleep(5);
    }
  }

  /** SIGTERM, as a service manager stops `npm start`; SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (!this.exited()) {
      this.process.kill('SIGTERM');
      const killer = setTimeout(() => this.process.kill('SIGKILL'), 15_000);
      await this.exit;
      clearTimeout(killer);
    }
    running.delete(this);
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** On an abrupt exit there is no time for a graceful stop. */
export function killAllNow(): void {
  for (const child of running) if (!child.exited()) child.process.kill('SIGKILL');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a bench/servers/ script on a free port (or `port`) and waits for its "listening" line. */
export async function startScript(script: string, port?: number): Promise<{ child: Child; url: string }> {
  port ??= await freePort();
  const child = new Child(script, ['--import', 'tsx', path.join(ROOT, 'bench/servers', script), `${port}`]);
  await child.waitFor(/listening/);
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Fails early when dist/ would run older code than src/ holds. */
export function checkBuild(): void {
  const built = statSync(path.join(ROOT, 'dist/cli/index.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.startsWith('ui'),
  );
  if (sources.some((file) => statSync(path.join(ROOT, 'src', file)).mtimeMs > built))
    throw new Error('dist/ is missing or older than src/: run `npm run build` first');
}

/** The owner's token and the project's DSN, from the file the first start of an empty store names. */
function parseFirstStart(printed: string) {
  const file = /^First start: .* to: (.+)$/m.exec(printed)?.[1];
  if (!file) return null;
  const notice = readFileSync(file, 'utf8');
  const token = /User token:\s+(\S+)/.exec(notice)?.[1];
  const dsn = /DSN:\s+(\S+)/.exec(notice)?.[1];
  const names = /Organization (\S+), project (\S+)/.exec(notice);
  if (!token || !dsn || !names?.[1] || !names[2])
    throw new Error(`unexpected first-start notice:\n${notice}`);
  const url = new URL(dsn);
  const projectId = url.pathname.split('/').pop() ?? '';
  return { token, publicKey: url.username, projectId, org: names[1], project: names[2] };
}

/**
 * `errata serve` as `npm start` runs it (bin/errata.js over dist/), default settings on a free port
 * (but for `settings`), with none of the bench's own ERRATA_* variables.
 */
export async function startErrata(opts: {
  name: string;
  dataDir: string;
  databaseUrl?: string;
  nodeArgs?: readonly string[];
  /** ERRATA_* settings of this server. */
  settings?: Readonly<Record<string, string>>;
}) {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('ERRATA_') && name !== 'DATABASE_URL') env[name] = value;
  env.ERRATA_PORT = `${port}`;
  env.ERRATA_DATA_DIR = opts.dataDir;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  Object.assign(env, opts.settings);
  const args = [...(opts.nodeArgs ?? []), path.join(ROOT, 'bin/errata.js'), 'serve'];
  const child = new Child(opts.name, args, env);
  await child.waitFor(/Errata is listening on/);
  // `first` is null on a restart over an existing store.
  return { child, url: `http://127.0.0.1:${port}`, first: parseFirstStart(child.output) };
}

export type Errata = Awaited<ReturnType<typeof startErrata>>;

/** The token and DSN of a first start; fails on a start over an existing store. */
export function firstStart(node: Errata) {
  if (!node.first) throw new Error(`${node.child.name} printed no first-start notice:\n${node.child.output}`);
  return node.first;
}

/** VmRSS and VmHWM (the peak since start) of a process, MB as the targets count them (10^6 bytes). */
export function memoryMB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) =>
    (Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]) * 1024) / 1e6;
  return { rss: mb('VmRSS'), peak: mb('VmHWM') };
}

/** User and system CPU of every thread of these processes so far, ms (Linux clock ticks are 10 ms). */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}
