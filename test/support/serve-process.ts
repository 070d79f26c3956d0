import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './server.js';

/** `errata serve` run from source in a child process, as an operator runs it. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
}

/**
 * How long `errata serve` may take to say it is listening (ms). It starts in about a second on an
 * idle machine, many times that through tsx on two cores shared with other work.
 */
export const SERVE_START_TIMEOUT_MS = 45_000;

/** Starts `errata serve` and resolves once it says it is listening (rejects if it exits first). */
export function startServe(
  env: Record<string, string>,
  timeoutMs = SERVE_START_TIMEOUT_MS,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d;
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = setInterval(() => {
      if (out.includes('Errata is listening on')) {
        clearTimeout(timer);
        clearInterval(check);
        child.removeListener('exit', exited);
        resolve({ child, output: () => out });
      }
    }, 20);
    const exited = (code: number | null) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    };
    child.once('exit', exited);
  });
}

/** Sends the signal and resolves once the process has exited (at once if it already has). */
export function stopServe(serve: ServeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = serve;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
