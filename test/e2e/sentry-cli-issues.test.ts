import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization, Team } from '../../src/store/types.js';
import { TEST_ENGINES } from '../support/engines.js';
import { newEventId } from '../support/envelopes.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { type RunResult, run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// The real sentry-cli (npm @sentry/cli 3.8.0) listing and bulk-changing issues of a listening Errata,
// each change then read back through the API. Each test makes a project of its own with the three
// issues, in the statuses it starts from (set through the API), so any one runs alone.

const TITLES = ['CheckoutError: cart gone', 'LoginError: bad password', 'SearchError: index down'] as const;

type Status = 'resolved' | 'unresolved' | 'ignored';

describe.each(TEST_ENGINES)('sentry-cli issues against Errata on %s', (engine) => {
  let t: TestServer;
  let token: string;
  let acme: Organization;
  let acmeTeam: Team;
  let projects = 0;

  const cli = (...args: string[]) =>
    run(SENTRY_CLI, args, {
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: token, SENTRY_LOG_LEVEL: 'warn', HOME: '/tmp' },
    });

  /** Exit 0 and no panic: sentry-cli exits 0 even after a panic, so the output is checked too. */
  function expectClean(r: RunResult) {
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/panicked at|Internal Error in Sentry CLI/);
  }

  async function api(path: string, method: 'GET' | 'PUT' = 'GET', body?: unknown) {
    const res = await fetch(`${t.url}/api/0${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, path).toBe(200);
    return res.json() as Promise<Record<string, unknown>>;
  }

  /**
   * A new project of acme with one issue per title (sent through the store endpoint and digested),
   * each put in the status `start` gives it, in the order of TITLES.
   */
  async function project(start: readonly Status[] = ['unresolved', 'unresolved', 'unresolved']) {
    const slug = `web-${++projects}`;
    const { project, key } = await makeProject(t.server.ctx, acme, acmeTeam, slug);
    for (const [n, title] of TITLES.entries()) {
      const [type, value] = title.split(': ') as [string, string];
      const res = await fetch(`${t.url}/api/${project.id}/store/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sentry-auth': `Sentry sentry_key=${key.publicKey}, sentry_version=7`,
        },
        body: JSON.stringify({
          event_id: newEventId(),
          timestamp: Date.now() / 1000 - 60 * (n + 1),
          platform: 'node',
          level: n === 1 ? 'warning' : 'error',
          exception: { values: [{ type, value }] },
        }),
      });
      expect(res.status).toBe(200);
    }
    await t.server.worker.drain();
    const listed = (await api(`/projects/acme/${slug}/issues/?query=`)) as unknown as {
      id: string;
      title: string;
    }[];
    const ids = new Map(listed.map((issue) => [issue.title, issue.id]));
    expect([...ids.keys()].sort()).toEqual([...TITLES]);
    const idOf = (title: (typeof TITLES)[number]) => ids.get(title) as string;
    for (const [n, title] of TITLES.entries()) {
      const status = start[n] ?? 'unresolved';
      if (status !== 'unresolved') await api(`/organizations/acme/issues/${idOf(title)}/`, 'PUT', { status });
    }
    return {
      slug,
      idOf,
      /** Each issue's status, read through the API, in the order of TITLES. */
      statuses: () =>
        Promise.all(
          TITLES.map(
            async (title) => (await api(`/organizations/acme/issues/${idOf(title)}/`)).status as string,
          ),
        ),
    };
  }

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
    ({ org: acme, team: acmeTeam } = await makeOrg(ctx, user, 'acme'));
    // A project without issues, which no test changes.
    await makeProject(ctx, acme, acmeTeam, 'empty');
    token = await makeToken(ctx, user, ['org:read', 'project:read', 'event:write']);
  });
  afterAll(() => t?.close());

  it('issues list prints every issue of the project with its short id, title, last seen, status and level', async () => {
    const p = await project();
    const r = await cli('issues', 'list', '-o', 'acme', '-p', p.slug);
    expectClean(r);
    const printed = rows(r.stdout);
    expect(printed).toHaveLength(3);
    for (const title of TITLES) {
      const row = printed.find((cells) => cells[2] === title);
      expect(row, `${title} in\n${r.stdout}`).toBeDefined();
      const issue = (await api(`/organizations/acme/issues/${p.idOf(title)}/`)) as Record<string, string>;
      expect(row).toEqual([issue.id, issue.shortId, title, issue.lastSeen, 'unresolved', issue.level]);
    }
    const empty = await cli('issues', 'list', '-o', 'acme', '-p', 'empty');
    expectClean(empty);
    expect(empty.stdout).toContain('No issues found');
  });

  it('issues resolve -i ID resolves that issue only', async () => {
    const p = await project();
    const r = await cli('issues', 'resolve', '-o', 'acme', '-p', p.slug, '-i', p.idOf(TITLES[0]));
    expectClean(r);
    expect(r.stdout).toContain('Updated matching issues.');
    expect(r.stdout).toContain('new status: resolved');
    expect(await p.statuses()).toEqual(['resolved', 'unresolved', 'unresolved']);
  });

  it('issues list --query is:unresolved leaves the resolved issue out; without --query all are listed', async () => {
    const p = await project(['resolved', 'unresolved', 'unresolved']);
    const r = await cli('issues', 'list', '-o', 'acme', '-p', p.slug, '--query', 'is:unresolved');
    expectClean(r);
    expect(
      rows(r.stdout)
        .map((cells) => cells[2])
        .sort(),
    ).toEqual([TITLES[1], TITLES[2]]);
    const all = await cli('issues', 'list', '-o', 'acme', '-p', p.slug);
    expectClean(all);
    const printed = rows(all.stdout);
    expect(printed.map((cells) => [cells[2], cells[4]]).sort()).toEqual([
      [TITLES[0], 'resolved'],
      [TITLES[1], 'unresolved'],
      [TITLES[2], 'unresolved'],
    ]);
  });

  it('issues list --status does not filter (sentry-cli sends no status), as clients.md says', async () => {
    const p = await project(['resolved', 'unresolved', 'unresolved']);
    for (const status of ['resolved', 'unresolved', 'muted']) {
      const r = await cli('issues', 'list', '-o', 'acme', '-p', p.slug, '--status', status);
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
    const p = await project(['resolved', 'unresolved', 'unresolved']);
    const muted = await cli('issues', 'mute', '-o', 'acme', '-p', p.slug, '-i', p.idOf(TITLES[1]));
    expectClean(muted);
    expect(muted.stdout).toContain('new status: muted');
    expect(await p.statuses()).toEqual(['resolved', 'ignored', 'unresolved']);
    const listed = await cli('issues', 'list', '-o', 'acme', '-p', p.slug, '--query', 'is:ignored');
    expectClean(listed);
    expect(rows(listed.stdout).map((cells) => [cells[2], cells[4]])).toEqual([[TITLES[1], 'ignored']]);

    const back = await cli('issues', 'unresolve', '-o', 'acme', '-p', p.slug, '-i', p.idOf(TITLES[1]));
    expectClean(back);
    expect(back.stdout).toContain('new status: unresolved');
    expect(await p.statuses()).toEqual(['resolved', 'unresolved', 'unresolved']);
    const issue = await api(`/organizations/acme/issues/${p.idOf(TITLES[1])}/`);
    expect([issue.substatus, issue.statusDetails]).toEqual(['ongoing', {}]);
  });

  it('issues resolve --status unresolved resolves every unresolved issue and no other', async () => {
    const p = await project(['resolved', 'unresolved', 'unresolved']);
    await cli('issues', 'mute', '-o', 'acme', '-p', p.slug, '-i', p.idOf(TITLES[2]));
    expect(await p.statuses()).toEqual(['resolved', 'unresolved', 'ignored']);
    const r = await cli('issues', 'resolve', '-o', 'acme', '-p', p.slug, '--status', 'unresolved');
    expectClean(r);
    expect(r.stdout).toContain('new status: resolved');
    expect(await p.statuses()).toEqual(['resolved', 'resolved', 'ignored']);
    // By status "muted": the ignored one.
    const unmuted = await cli('issues', 'unresolve', '-o', 'acme', '-p', p.slug, '--status', 'muted');
    expectClean(unmuted);
    expect(await p.statuses()).toEqual(['resolved', 'resolved', 'unresolved']);
  });

  it('issues unresolve --all unresolves every issue of the project', async () => {
    const p = await project(['resolved', 'resolved', 'unresolved']);
    const r = await cli('issues', 'unresolve', '-o', 'acme', '-p', p.slug, '--all');
    expectClean(r);
    expect(r.stdout).toContain('new status: unresolved');
    expect(await p.statuses()).toEqual(['unresolved', 'unresolved', 'unresolved']);
    // Without a selection sentry-cli sends nothing.
    const none = await cli('issues', 'resolve', '-o', 'acme', '-p', p.slug);
    expectClean(none);
    expect(none.stdout + none.stderr).toContain('No changes requested');
    expect(await p.statuses()).toEqual(['unresolved', 'unresolved', 'unresolved']);
  });

  it('a selection that matches nothing, or an unknown project, is reported as sentry-cli reports it', async () => {
    const p = await project();
    const nothing = await cli('issues', 'resolve', '-o', 'acme', '-p', 'empty', '--all');
    expectClean(nothing);
    expect(await p.statuses()).toEqual(['unresolved', 'unresolved', 'unresolved']);
    const missing = await cli('issues', 'list', '-o', 'acme', '-p', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).not.toMatch(/panicked at|Internal Error in Sentry CLI/);
    expect(missing.stderr).toContain('Project not found');
  });
});
