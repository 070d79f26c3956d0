import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstStartNotice, type ServeProcess, startServe, stopServe } from '../support/serve-process.js';
import { freePort, runErrata } from '../support/server.js';

// `errata serve` and the administrative commands as an operator runs them: separate processes on
// one data directory, the server running while the commands write.

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

// Each command is a process of its own started through tsx, seconds each on a busy two-core machine:
// the tests wait for them, they do not time them.
describe('errata serve and the administrative commands (SQLite data directory)', { timeout: 180_000 }, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;
  let server: ServeProcess | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'errata-cli-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { ERRATA_DATA_DIR: dataDir, ERRATA_PORT: String(port), ERRATA_LOG_LEVEL: 'warn', DATABASE_URL: '' };
    server = await startServe(env);
  });
  afterAll(async () => {
    if (server) await stopServe(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the login, a working token and the DSN on first start to a file the log names', async () => {
    const out = firstStartNotice((server as ServeProcess).output());
    const token = out.match(/User token:\s+(sntryu_[0-9a-f]{64})/)?.[1];
    const dsn = out.match(/DSN:\s+(\S+)/)?.[1];
    expect(out).toMatch(/Sign in:\s+http:\/\/127\.0\.0\.1:\d+\/\s+as\s+admin@errata\.local\s+\/\s+\S{12,}/);
    expect(dsn).toMatch(new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:${new URL(base).port}/1$`));
    const root = await fetch(`${base}/api/0/`, { headers: { authorization: `Bearer ${token}` } });
    expect(root.status).toBe(200);
    const body = (await root.json()) as { user: { email: string }; auth: { scopes: string[] } };
    expect(body.user.email).toBe('admin@errata.local');
    expect(body.auth.scopes).toContain('org:admin');
    expect(body.auth.scopes).toContain('event:admin');
  });

  /** Each test makes the user it needs, so that none depends on another having run. */
  let users = 0;
  async function createUser(): Promise<string> {
    const email = `ops-${++users}@example.com`;
    const created = await runErrata(
      ['user', 'create', '--email', email, '--password', 'long enough pw'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    return email;
  }

  it('creates users and tokens while the server runs; the token is the last line', async () => {
    const email = await createUser();
    const issued = await runErrata(
      ['token', 'create', '--user', email, '--scopes', 'org:read,project:admin'],
      env,
    );
    expect(issued.code, issued.stderr).toBe(0);
    const token = lastLine(issued.stdout);
    expect(token).toMatch(/^sntryu_[0-9a-f]{64}$/);
    const root = await fetch(`${base}/api/0/`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await root.json()) as { auth: { scopes: string[] } }).auth.scopes).toEqual([
      'org:read',
      'project:admin',
      'project:read',
      'project:write',
    ]);
  });

  it('creates organization tokens that carry the server URL and work against it', async () => {
    const issued = await runErrata(['org-token', 'create', '--org', 'errata', '--scopes', 'org:read'], env);
    expect(issued.code, issued.stderr).toBe(0);
    const token = lastLine(issued.stdout);
    const payload = JSON.parse(Buffer.from(token.split('_')[1] as string, 'base64').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ url: base, region_url: base, org: 'errata' });
    const orgs = await fetch(`${base}/api/0/organizations/`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(orgs.status).toBe(200);
    expect(((await orgs.json()) as { slug: string }[]).map((o) => o.slug)).toEqual(['errata']);
  });

  it('bad input to the commands fails with a message and exit code; --expires-in-days is accepted', async () => {
    const email = await createUser();
    const bad = await runErrata(
      ['token', 'create', '--user', 'nobody@example.com', '--scopes', 'org:read'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no user with email nobody@example.com');
    const scopes = await runErrata(['token', 'create', '--user', email, '--scopes', 'org:fly'], env);
    expect(scopes.code).toBe(1);
    expect(scopes.stderr).toContain('Invalid scopes: org:fly');
    const duplicate = await runErrata(
      ['user', 'create', '--email', email, '--password', 'long enough pw'],
      env,
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('A user with this email already exists.');
    const usage = await runErrata(['token', 'create', '--bogus'], env);
    expect(usage.code).toBe(2);
    const expiring = await runErrata(
      ['token', 'create', '--user', email, '--scopes', 'org:read', '--expires-in-days', '30'],
      env,
    );
    expect(expiring.code, expiring.stderr).toBe(0);
  });

  it('migrate reports the store up to date; a restart prints no secret', async () => {
    const migrated = await runErrata(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain('control: up to date');
    expect(migrated.stdout).toContain('region: up to date');
    await stopServe(server as ServeProcess);
    server = await startServe(env);
    expect(server.output()).not.toContain('sntryu_');
    expect(server.output()).not.toContain('User token');
    expect(server.output()).not.toContain('First start');
  });
});
