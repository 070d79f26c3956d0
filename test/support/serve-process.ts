import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './server.js';

/** `errata serve` run from source in a child process, as an operator runs it. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
}

/** How long `stopServe` waits after its signal before it kills the process outright. */
const STOP_GRACE_MS = 10_000;

/**
 * How long `errata serve` may take to say it is listening (ms). It starts in about a second on an
 * idle machine, many times that through tsx on two cores shared with other work.
 */
export const SERVE_START_TIMEOUT_MS = 45_000;

/**
 * The first start's notice (login, token, DSN): the file that the server's output names, as it
 * writes one when its output is no terminal. Empty when there was no first start.
 */
export function firstStartNotice(output: string): string {
  const file = /^First start: .* to: (.+)$/m.exec(output)?.[1];
  return file ? readFileSync(file, 'utf8') : '';
}

/**
 * Starts `errata serve` and resolves once it says it is listening. Rejects if it exits first, or
 * kills it and rejects if it has not said so within `timeoutMs`: no child outlives a failed start.
 * Without ERRATA_DATA_DIR (PostgreSQL) it gets a data directory of its own, removed when it exits,
 * so that its first start notice never lands in the checkout.
 */
export function startServe(
  env: Record<string, string>,
  timeoutMs = SERVE_START_TIMEOUT_MS,
): Promise<ServeProcess> {
  const ownDataDir = env.ERRATA_DATA_DIR ? null : mkdtempSync(path.join(tmpdir(), 'errata-serve-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...(ownDataDir ? { ERRATA_DATA_DIR: ownDataDir } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (ownDataDir) child.once('exit', () => rmSync(ownDataDir, { recursive: true, force: true }));
  let out = '';
  const append = (d: Buffer) => {
    out += d;
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      clearInterval(check);
      child.removeListener('exit', exited);
    };
    const timer = setTimeout(() => {
      settle();
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = setInterval(() => {
      if (out.includes('Errata is listening on')) {
        settle();
        resolve({ child, output: () => out });
      }
    }, 20);
    const exited = (code: number | null) => {
      settle();
      reject(new Error(`serve exited with ${code}:\n${out}`));
    };
    child.once('exit', exited);
  });
}

/**
 * Sends the signal and resolves once the process has exited (at once if it already has); one that
 * is still there STOP_GRACE_MS later is killed with SIGKILL.
 */
export function stopServe(serve: ServeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = serve;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
