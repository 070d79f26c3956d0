import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Server, startServer } from '../../src/main.js';
import type { Engine } from '../../src/store/db.js';
import { openTestDatabase, type TestDatabase } from './engines.js';
import { testConfig } from './harness.js';
import { RecordingMailer } from './mail.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A port nobody listens on right now (the OS picks it). */
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

export interface TestServer {
  readonly server: Server;
  readonly url: string;
  readonly database: TestDatabase;
  /** What the server queued as email (nothing with `outboxMail`: it went to the outbox). */
  readonly mail: RecordingMailer;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /**
   * Account email (password resets, invitations) goes to the outbox and through ERRATA_SMTP_URL,
   * as in `errata serve`, instead of to the test's RecordingMailer.
   */
  readonly outboxMail?: boolean;
}

/** A real listening Errata on 127.0.0.1 over a fresh database, for tests with real clients. */
export async function startTestServer(
  engine: Engine,
  overrides: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const database = await openTestDatabase(engine);
  const config = testConfig({ ERRATA_PORT: String(port), ERRATA_URL: url, ...overrides });
  const mail = new RecordingMailer();
  const server = await startServer(config, database.db, options.outboxMail ? {} : { mailer: mail });
  return {
    server,
    url,
    database,
    mail,
    async close() {
      await server.app.close();
      await server.assembler.stop();
      await server.worker.stop();
      await server.delivery.stop();
      await database.drop();
    },
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion and collects its output (never through a shell). */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the `errata` CLI from source (so tests never see a stale build). */
export function runErrata(args: readonly string[], env: Record<string, string>): Promise<RunResult> {
  return run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), ...args], { env });
}

export const SENTRY_CLI = path.join(ROOT, 'node_modules/.bin/sentry-cli');
