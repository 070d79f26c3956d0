import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { type RunResult, run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// The real sentry-cli (npm @sentry/cli 3.8.0) listing and bulk-changing issues of a listening Errata,
// each change then read back through the API. The commands run in order, each starting from the
// state the previous one left.

const TITLES = ['CheckoutError: cart gone', 'LoginError: bad password', 'SearchError: index down'] as const;

describe.each(TEST_ENGINES)('sentry-cli issues against Errata on %s', (engine) => {
  let t: TestServer;
  let token: string;
  /** title → issue id and short id. */
  const issues = new Map<string, { id: string; shortId: string }>();

  const cli = (...args: string[]) =>
    run(SENTRY_CLI, args, {
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: token, SENTRY_LOG_LEVEL: 'warn', HOME: '/tmp' },
    });

  /** Exit 0 and no panic: sentry-cli exits 0 even after a panic, so the output is checked too. */
  function expectClean(r: RunResult) {
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/panicked at|Internal Error in Sentry CLI/);
  }

  async function api(path: string) {
    const res = await fetch(`${t.url}/api/0${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return res.json() as Promise<Record<string, unknown>>;
  }

  /** Each issue's status, read through the API, in the order of TITLES. */
  async function statuses(): Promise<string[]> {
    return Promise.all(
      TITLES.map(
        async (title) => (await api(`/organizations/acme/issues/${issues.get(title)?.id}/`)).status as string,
      ),
    );
  }

  const idOf = (title: (typeof TITLES)[number]) => issues.get(title)?.id as string;

  /** The table rows sentry-cli prints: `| id | short id | title | last seen | status | level |`. */
  function rows(stdout: string): string[][] {
    return stdout
      .split('\n')
      .filter((line) => /^\|\s*\d+\s*\|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
  }

  beforeAll(async () => {
    t = await startTestServer(engine);
    const ctx = t.server.ctx;
    const user = await makeUser(ctx, { email: 'cli-issues@example.com' });
    const { org, team } = await makeOrg(ctx, user, 'acme');
    const { project, key } = await makeProject(ctx, org, team, 'web');
    await makeProject(ctx, org, team, 'empty');
    token = await makeToken(ctx, user, ['org:read', 'project:read', 'event:write']);
    for (const [n, title] of TITLES.entries()) {
      const [type, value] = title.split(': ') as [string, string];
      const res = await fetch(`${t.url}/api/${project.id}/store/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sentry-auth': `Sentry sentry_key=${key.publicKey}, sentry_version=7`,
        },
        body: JSON.stringify({
          event_id: randomUUID().replace(/-/g, ''),
          timestamp: Date.now() / 1000 - 60 * (n + 1),
          platform: 'node',
          level: n === 1 ? 'warning' : 'error',
          exception: { values: [{ type, value }] },
        }),
      });
      expect(res.status).toBe(200);
    }
    await t.server.worker.drain();
    const listed = (await api('/projects/acme/web/issues/?query=')) as unknown as {
      id: string;
      shortId: string;
      title: string;
    }[];
    for (const issue of listed) issues.set(issue.title, { id: issue.id, shortId: issue.shortId });
    expect([...issues.keys()].sort()).toEqual([...TITLES]);
  });
  afterAll(() => t?.close());

  it('issues list prints every issue of the project with its short id, title, last seen, status and level', async () => {
    const r = await cli('issues', 'list', '-o', 'acme', '-p', 'web');
    expectClean(r);
    const printed = rows(r.stdout);
    expect(printed).toHaveLength(3);
    for (const title of TITLES) {
      const row = printed.find((cells) => cells[2] === title);
      expect(row, `${title} in\n${r.stdout}`).toBeDefined();
      const issue = (await api(`/organizations/acme/issues/${idOf(title)}/`)) as Record<string, string>;
      expect(row).toEqual([issue.id, issue.shortId, title, issue.lastSeen, 'unresolved', issue.level]);
    }
    const empty = await cli('issues', 'list', '-o', 'acme', '-p', 'empty');
    expectClean(empty);
    expect(empty.stdout).toContain('No issues found');
  });

  it('issues resolve -i ID resolves that issue only', async () => {
    const r = await cli('issues', 'resolve', '-o', 'acme', '-p', 'web', '-i', idOf(TITLES[0]));
    expectClean(r);
    expect(r.stdout).toContain('Updated matching issues.');
    expect(r.stdout).toContain('new status: resolved');
    expect(await statuses()).toEqual(['resolved', 'unresolved', 'unresolved']);
  });

  it('issues list --query is:unresolved leaves the resolved issue out; without --query all are listed', async () => {
    const r = await cli('issues', 'list', '-o', 'acme', '-p', 'web', '--query', 'is:unresolved');
    expectClean(r);
    expect(
      rows(r.stdout)
        .map((cells) => cells[2])
        .sort(),
    ).toEqual([TITLES[1], TITLES[2]]);
    const all = await cli('issues', 'list', '-o', 'acme', '-p', 'web');
    expectClean(all);
    const printed = rows(all.stdout);
    expect(printed.map((cells) => [cells[2], cells[4]]).sort()).toEqual([
      [TITLES[0], 'resolved'],
      [TITLES[1], 'unresolved'],
      [TITLES[2], 'unresolved'],
    ]);
  });

  it('issues list --status does not filter (sentry-cli sends no status), as clients.md says', async () => {
    for (const status of ['resolved', 'unresolved', 'muted']) {
      const r = await cli('issues', 'list', '-o', 'acme', '-p', 'web', '--status', status);
      expectClean(r);
      expect(
        rows(r.stdout)
          .map((cells) => cells[2])
          .sort(),
        status,
      ).toEqual([...TITLES]);
    }
  });

  it('issues mute -i ID ignores it, and issues unresolve -i ID brings it back', async () => {
    const muted = await cli('issues', 'mute', '-o', 'acme', '-p', 'web', '-i', idOf(TITLES[1]));
    expectClean(muted);
    expect(muted.stdout).toContain('new status: muted');
    expect(await statuses()).toEqual(['resolved', 'ignored', 'unresolved']);
    const listed = await cli('issues', 'list', '-o', 'acme', '-p', 'web', '--query', 'is:ignored');
    expectClean(listed);
    expect(rows(listed.stdout).map((cells) => [cells[2], cells[4]])).toEqual([[TITLES[1], 'ignored']]);

    const back = await cli('issues', 'unresolve', '-o', 'acme', '-p', 'web', '-i', idOf(TITLES[1]));
    expectClean(back);
    expect(back.stdout).toContain('new status: unresolved');
    expect(await statuses()).toEqual(['resolved', 'unresolved', 'unresolved']);
    const issue = await api(`/organizations/acme/issues/${idOf(TITLES[1])}/`);
    expect([issue.substatus, issue.statusDetails]).toEqual(['ongoing', {}]);
  });

  it('issues resolve --status unresolved resolves every unresolved issue and no other', async () => {
    await cli('issues', 'mute', '-o', 'acme', '-p', 'web', '-i', idOf(TITLES[2]));
    expect(await statuses()).toEqual(['resolved', 'unresolved', 'ignored']);
    const r = await cli('issues', 'resolve', '-o', 'acme', '-p', 'web', '--status', 'unresolved');
    expectClean(r);
    expect(r.stdout).toContain('new status: resolved');
    expect(await statuses()).toEqual(['resolved', 'resolved', 'ignored']);
    // By status "muted": the ignored one.
    const unmuted = await cli('issues', 'unresolve', '-o', 'acme', '-p', 'web', '--status', 'muted');
    expectClean(unmuted);
    expect(await statuses()).toEqual(['resolved', 'resolved', 'unresolved']);
  });

  it('issues unresolve --all unresolves every issue of the project', async () => {
    const r = await cli('issues', 'unresolve', '-o', 'acme', '-p', 'web', '--all');
    expectClean(r);
    expect(r.stdout).toContain('new status: unresolved');
    expect(await statuses()).toEqual(['unresolved', 'unresolved', 'unresolved']);
    // Without a selection sentry-cli sends nothing.
    const none = await cli('issues', 'resolve', '-o', 'acme', '-p', 'web');
    expectClean(none);
    expect(none.stdout + none.stderr).toContain('No changes requested');
    expect(await statuses()).toEqual(['unresolved', 'unresolved', 'unresolved']);
  });

  it('a selection that matches nothing, or an unknown project, is reported as sentry-cli reports it', async () => {
    const nothing = await cli('issues', 'resolve', '-o', 'acme', '-p', 'empty', '--all');
    expectClean(nothing);
    expect(await statuses()).toEqual(['unresolved', 'unresolved', 'unresolved']);
    const missing = await cli('issues', 'list', '-o', 'acme', '-p', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).not.toMatch(/panicked at|Internal Error in Sentry CLI/);
    expect(missing.stderr).toContain('Project not found');
  });
});
