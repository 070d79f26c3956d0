// Records what the real SDKs send for the bench: `npx tsx bench/payloads/capture.ts [DIR…]`.
// Starts a recording HTTP server on 127.0.0.1 (random port), points each driver in drivers/ at
// it and writes every request as `<sdk>/<scenario>.body` (bytes as received, still gzipped if they
// were) plus `<sdk>/<scenario>.request.json` (method, url, headers). See README.md beside this file.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecorder } from '../../test/fixtures/recorder.js';

const PUBLIC_KEY = 'b3c1f0d2a4e54b7c9a8d6e5f4a3b2c1d';
const PAYLOADS = import.meta.dirname;
const ROOT = join(PAYLOADS, '..', '..');
const CLIENT_TIMEOUT_MS = 60_000;

const recorder = await startRecorder();
const { port } = recorder;
const home = await mkdtemp(join(tmpdir(), 'errata-bench-capture-'));
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  LANG: 'C.UTF-8',
  SENTRY_DSN: `http://${PUBLIC_KEY}@127.0.0.1:${port}/1`,
};

/** Runs one driver; a `scenario:<name>` line on its stdout labels the requests that follow. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('scenario:')) recorder.setScenario(line.slice('scenario:'.length));
        else if (line !== '') console.log(`  ${command}: ${line}`);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
    });
  });
}

async function save(sdk: string): Promise<void> {
  const dir = join(PAYLOADS, sdk);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  for (const request of recorder.take()) {
    let name = request.scenario;
    for (let n = 2; used.has(name); n++) name = `${request.scenario}-${n}`;
    used.add(name);
    const { method, url, headers } = request;
    await writeFile(join(dir, `${name}.body`), request.body);
    await writeFile(
      join(dir, `${name}.request.json`),
      `${JSON.stringify({ method, url, headers }, null, 2)}\n`,
    );
    console.log(`${sdk}/${name}.body  ${request.body.length} bytes`);
  }
}

/** Each payload directory and the driver that fills it; arguments name the ones to capture again. */
const CAPTURES: [dir: string, command: string, script: string][] = [
  ['node', 'node', 'bench/payloads/drivers/node-error.mjs'],
  ['python', '/usr/bin/python3', 'bench/payloads/drivers/python-error.py'],
  ['node-tracing', 'node', 'bench/payloads/drivers/node-tracing.mjs'],
];
const only = process.argv.slice(2);
try {
  for (const [dir, command, script] of CAPTURES) {
    if (only.length > 0 && !only.includes(dir)) continue;
    await run(command, [script]);
    await save(dir);
  }
} finally {
  recorder.close();
  await rm(home, { recursive: true, force: true });
}
