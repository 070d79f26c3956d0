import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe, stopServe } from '../support/serve-process.js';
import { freePort, run } from '../support/server.js';

// `errata serve` on a data directory it creates, its output going to a file or pipe as under a
// service manager: everything it writes there is for its own user only, and the first start's
// secrets go to a file of that user, not to the log.

const mode = (file: string) => statSync(file).mode & 0o777;

/** Every file and directory under `dir` (itself included), with its permission bits. */
function modesUnder(dir: string): Map<string, number> {
  const found = new Map<string, number>([[dir, mode(dir)]]);
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, entry);
    found.set(full, mode(full));
  }
  return found;
}

describe('a fresh data directory (SQLite), the server not on a terminal', () => {
  let parent: string;
  let dataDir: string;
  let base: string;
  let serve: ServeProcess;

  beforeAll(async () => {
    parent = mkdtempSync(path.join(tmpdir(), 'errata-datadir-'));
    dataDir = path.join(parent, 'data');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    serve = await startServe({
      ERRATA_DATA_DIR: dataDir,
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'info',
      DATABASE_URL: '',
    });
  });
  afterAll(async () => {
    if (serve) await stopServe(serve);
    rmSync(parent, { recursive: true, force: true });
  });

  /** The notice's path, as the log names it. */
  const noticeFile = () => /^First start: .* to: (.+)$/m.exec(serve.output())?.[1] ?? '';

  it('logs where the first start notice is, and no secret', () => {
    const file = noticeFile();
    expect(file).toBe(path.join(dataDir, 'first-start.txt'));
    const notice = readFileSync(file, 'utf8');
    const password = /Sign in:.*\/\s+(\S+)\s*$/m.exec(notice)?.[1] ?? '';
    const token = /User token:\s+(\S+)/.exec(notice)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(token).toMatch(/^sntryu_[0-9a-f]{64}$/);
    expect(serve.output()).not.toContain(password);
    expect(serve.output()).not.toContain(token);
    expect(serve.output()).not.toContain('Sign in:');
  });

  it('writes the notice once, readable only by its owner, with a working token and the DSN', async () => {
    const file = noticeFile();
    expect(mode(file)).toBe(0o600);
    const notice = readFileSync(file, 'utf8');
    const token = /User token:\s+(\S+)/.exec(notice)?.[1];
    expect(notice).toMatch(/DSN:\s+http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1/);
    const root = await fetch(`${base}/api/0/`, { headers: { authorization: `Bearer ${token}` } });
    expect(root.status).toBe(200);
  });

  it('creates the directory 700 and every file in it 600, the WAL and its index included', () => {
    const modes = modesUnder(dataDir);
    for (const [file, bits] of modes) {
      const expected = statSync(file).isDirectory() ? 0o700 : 0o600;
      expect({ file, mode: bits.toString(8) }).toEqual({ file, mode: expected.toString(8) });
    }
    expect([...modes.keys()].map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([
        'data',
        'errata.sqlite',
        'errata.sqlite-wal',
        'errata.sqlite-shm',
        'first-start.txt',
      ]),
    );
  });
});

describe('the first start on a terminal', () => {
  it('prints the notice there and writes no file', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'errata-tty-'));
    try {
      const port = await freePort();
      // script(1) gives the server a pseudo-terminal; timeout stops it once it has printed.
      const result = await run(
        'script',
        ['-qec', `timeout -s INT 8 ${process.execPath} --import tsx src/cli/index.ts serve`, '/dev/null'],
        {
          env: {
            ERRATA_DATA_DIR: dataDir,
            ERRATA_PORT: String(port),
            DATABASE_URL: '',
            ERRATA_LOG_LEVEL: 'warn',
          },
          timeoutMs: 30_000,
        },
      );
      expect(result.stdout).toMatch(
        /Sign in:\s+http:\/\/127\.0\.0\.1:\d+\/\s+as\s+admin@errata\.local\s+\/\s+\S{12,}/,
      );
      expect(result.stdout).toMatch(/User token:\s+sntryu_[0-9a-f]{64}/);
      expect(readdirSync(dataDir)).not.toContain('first-start.txt');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
