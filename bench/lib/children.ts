import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Output kept per process: enough for first-start secrets and the last errors. */
const MAX_OUTPUT = 1 << 20;
const STOP_GRACE_MS = 15_000;

/** A process the bench started. Every one is stopped by `stopAll`, also when the bench fails. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  /** performance.now() just before it was spawned. */
  readonly spawnedAt: number;
  readonly process: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  exited(): boolean;
  /** Resolves once the output matches; rejects if the process exits first or the time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

const running = new Set<Child>();

export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Child {
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let out = '';
  const append = (chunk: Buffer) => {
    if (out.length < MAX_OUTPUT) out += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: Child = {
    name,
    pid: child.pid,
    spawnedAt,
    process: child,
    output: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) return finish(() => resolve(match));
          if (handle.exited())
            return finish(() => reject(new Error(`${name} exited early:\n${out.slice(-4000)}`)));
        };
        const finish = (then: () => void) => {
          clearInterval(timer);
          clearTimeout(deadline);
          then();
        };
        const timer = setInterval(check, 5);
        const deadline = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms:\n${out.slice(-4000)}`)),
            ),
          timeoutMs,
        );
        check();
      });
    },
    async stop() {
      if (!handle.exited()) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exit;
        clearTimeout(killer);
      }
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every process the bench started that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Last resort on an abrupt exit: SIGKILL whatever is left, synchronously. */
export function killAllNow(): void {
  for (const child of running) if (!child.exited()) child.process.kill('SIGKILL');
}
