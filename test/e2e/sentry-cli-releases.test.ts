import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgToken, DEFAULT_ORG_TOKEN_SCOPES } from '../../src/services/org-tokens.js';
import { insertMember } from '../../src/store/region/members.js';
import { addTeamMember } from '../../src/store/region/teams.js';
import type { Json } from '../api/support/api-client.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// A CI pipeline's release steps with the real sentry-cli 3.8.0 and an organization token of the
// default scope (org:ci), read back through the API with a personal token.
describe.each(TEST_ENGINES)('sentry-cli releases and deploys on %s', (engine) => {
  let t: TestServer;
  let ciToken: string;
  let ownerToken: string;
  const version = 'web@1.2.0+build.7';
  let acme: Awaited<ReturnType<typeof makeOrg>>;

  const cli = (token: string, ...args: string[]) =>
    run(SENTRY_CLI, args, {
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: token, SENTRY_LOG_LEVEL: 'warn', HOME: '/tmp' },
    });
  const api = async (path: string) => {
    const res = await fetch(`${t.url}/api/0${path}`, { headers: { authorization: `Bearer ${ownerToken}` } });
    return { status: res.status, body: (res.status === 204 ? null : await res.json()) as Json };
  };

  beforeAll(async () => {
    t = await startTestServer(engine);
    const ctx = t.server.ctx;
    const user = await makeUser(ctx, { email: 'release-owner@example.com' });
    acme = await makeOrg(ctx, user, 'acme');
    const { org, team } = acme;
    await makeProject(ctx, org, team, 'web');
    await makeProject(ctx, org, team, 'api');
    ownerToken = await makeToken(ctx, user, ['org:read', 'project:admin']);
    ({ token: ciToken } = await createOrgToken(ctx, {
      organizationId: org.id,
      orgSlug: org.slug,
      name: 'ci',
      scopes: [...DEFAULT_ORG_TOKEN_SCOPES],
      createdById: user.id,
    }));
  });
  afterAll(() => t.close());

  it('walks a pipeline: new, finalize, list, info, deploys new and list, delete', async () => {
    const made = await cli(ciToken, 'releases', 'new', '-o', 'acme', '-p', 'web', version);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`Created release ${version}`);

    const finalized = await cli(ciToken, 'releases', 'finalize', '-o', 'acme', '-p', 'web', version);
    expect(finalized.code, finalized.stderr).toBe(0);
    expect(finalized.stdout).toContain(`Finalized release ${version}`);

    const list = await cli(ciToken, 'releases', 'list', '-o', 'acme');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(version);

    const info = await cli(ciToken, 'releases', 'info', '-o', 'acme', version);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain(version);

    const deploy = await cli(
      ciToken,
      'deploys',
      'new',
      '-o',
      'acme',
      '-r',
      version,
      '-e',
      'production',
      '-n',
      'deploy 7',
    );
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain(`Created new deploy deploy 7 for 'production'`);

    const deploys = await cli(ciToken, 'deploys', 'list', '-o', 'acme', '-r', version);
    expect(deploys.code, deploys.stderr).toBe(0);
    expect(deploys.stdout).toMatch(/production\s*\|\s*deploy 7/);

    const read = await api(`/organizations/acme/releases/${encodeURIComponent(version)}/`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      version,
      dateReleased: expect.any(String),
      projects: [{ slug: 'web' }],
      deployCount: 1,
      lastDeploy: { environment: 'production', name: 'deploy 7' },
    });

    const inProject = await cli(ciToken, 'releases', 'list', '-o', 'acme', '-p', 'web');
    expect(inProject.code, inProject.stderr).toBe(0);
    expect(inProject.stdout).toContain(version);

    // As in Sentry, org:ci may create and update releases but not delete them.
    const refused = await cli(ciToken, 'releases', 'delete', '-o', 'acme', version);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('You do not have permission to perform this action. (http status: 403)');
    expect((await api(`/organizations/acme/releases/${encodeURIComponent(version)}/`)).status).toBe(200);

    const deleted = await cli(ownerToken, 'releases', 'delete', '-o', 'acme', version);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`Deleted release ${version}!`);
    expect((await api(`/organizations/acme/releases/${encodeURIComponent(version)}/`)).status).toBe(404);
    const again = await cli(ownerToken, 'releases', 'delete', '-o', 'acme', version);
    expect(again.stdout + again.stderr).toContain(
      `Did nothing. Release with this version (${version}) does not exist.`,
    );
  });

  it('walks the same pipeline with a personal token of project:releases; project:read alone gets 403s', async () => {
    const ctx = t.server.ctx;
    const releaser = await makeUser(ctx, { email: 'releaser@example.com' });
    // A member on the projects' team: reach by role, narrowed by the token's scopes.
    const member = await insertMember(ctx.db.region, {
      organizationId: acme.org.id,
      userId: releaser.id,
      email: releaser.email,
      role: 'member',
      inviteTokenHash: null,
      inviterId: null,
      now: Date.now(),
    });
    await addTeamMember(ctx.db.region, acme.team.id, member.id, null);
    const narrow = await makeToken(ctx, releaser, ['project:releases']);
    const reader = await makeToken(ctx, releaser, ['project:read']);
    const v = 'api@3.1.0';
    const ok = async (...args: string[]) => {
      const r = await cli(narrow, ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    expect(await ok('releases', 'new', '-o', 'acme', '-p', 'api', v)).toContain(`Created release ${v}`);
    expect(await ok('releases', 'finalize', '-o', 'acme', '-p', 'api', v)).toContain(
      `Finalized release ${v}`,
    );
    expect(await ok('releases', 'list', '-o', 'acme')).toContain(v);
    expect(await ok('releases', 'info', '-o', 'acme', v)).toContain(v);
    await ok('deploys', 'new', '-o', 'acme', '-r', v, '-e', 'staging', '-n', 'narrow');
    expect(await ok('deploys', 'list', '-o', 'acme', '-r', v)).toMatch(/staging\s*\|\s*narrow/);
    expect((await api(`/organizations/acme/releases/${v}/`)).body).toMatchObject({
      version: v,
      dateReleased: expect.any(String),
      lastDeploy: { environment: 'staging', name: 'narrow' },
    });

    // project:read reads releases but may not make, change, deploy or delete them.
    expect((await cli(reader, 'releases', 'list', '-o', 'acme')).stdout).toContain(v);
    for (const args of [
      ['releases', 'new', '-o', 'acme', '-p', 'api', 'api@3.2.0'],
      ['releases', 'finalize', '-o', 'acme', '-p', 'api', v],
      ['deploys', 'new', '-o', 'acme', '-r', v, '-e', 'production'],
      ['releases', 'delete', '-o', 'acme', v],
    ]) {
      const refused = await cli(reader, ...args);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain('(http status: 403)');
    }
    expect((await api('/organizations/acme/releases/?query=api@3.2.0')).body).toEqual([]);
    expect((await api(`/organizations/acme/releases/${v}/`)).body).toMatchObject({ deployCount: 1 });

    // As in Sentry, project:releases may delete a release.
    expect(await ok('releases', 'delete', '-o', 'acme', v)).toContain(`Deleted release ${v}!`);
    expect((await api(`/organizations/acme/releases/${v}/`)).status).toBe(404);
  });

  it('releases new on an existing version adds the project (Sentry answers 208); --finalize sets the date', async () => {
    const first = await cli(ciToken, 'releases', 'new', '-o', 'acme', '-p', 'web', '2.0.0');
    expect(first.code, first.stderr).toBe(0);
    const again = await cli(ciToken, 'releases', 'new', '-o', 'acme', '-p', 'api', '--finalize', '2.0.0');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Created release 2.0.0');
    const read = await api('/organizations/acme/releases/2.0.0/');
    expect(read.body.projects.map((p: { slug: string }) => p.slug).sort()).toEqual(['api', 'web']);
    const finalized = await cli(ciToken, 'releases', 'new', '-o', 'acme', '-p', 'web', '--finalize', '2.0.1');
    expect(finalized.code, finalized.stderr).toBe(0);
    expect((await api('/organizations/acme/releases/2.0.1/')).body.dateReleased).toEqual(expect.any(String));
  });

  it('takes the organization from the token when -o is left out, and versions with spaces', async () => {
    const made = await cli(ciToken, 'releases', 'new', '-p', 'web', '3.0 (42)');
    expect(made.code, made.stderr).toBe(0);
    const deploy = await cli(ciToken, 'deploys', 'new', '-r', '3.0 (42)', '-e', 'staging');
    expect(deploy.code, deploy.stderr).toBe(0);
    const list = await cli(ciToken, 'releases', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('3.0 (42)');
    const read = await api(`/organizations/acme/releases/${encodeURIComponent('3.0 (42)')}/`);
    expect(read.body).toMatchObject({
      version: '3.0 (42)',
      deployCount: 1,
      lastDeploy: { environment: 'staging' },
    });
  });

  it('says "Release not found" for a deploy to a release that does not exist', async () => {
    const r = await cli(ciToken, 'deploys', 'new', '-o', 'acme', '-r', 'nope@0.0.1', '-e', 'production');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Release not found');
    expect((await api('/organizations/acme/releases/nope@0.0.1/')).status).toBe(404);
  });
});

// `releases set-commits` in a git repository the test makes: `--local` reads commits, authors and
// changed files from it; `--commit` and `--auto` name head commits; what Errata stored is read
// back through the API. A member's personal token shows which scopes each step needs.
describe.each(TEST_ENGINES)('sentry-cli set-commits on %s', (engine) => {
  let t: TestServer;
  let ciToken: string;
  let ownerToken: string;
  let dir: string;
  let memberId: string;
  const tokens: Record<'releases' | 'releasesAndRead' | 'read', string> = {
    releases: '',
    releasesAndRead: '',
    read: '',
  };
  const MEMBER = { name: 'Dana Dev', email: 'dana@example.com' };
  const BOT = { name: 'CI Bot', email: 'ci-bot@example.com' };

  const cli = (token: string, ...args: string[]) =>
    run(SENTRY_CLI, args, {
      cwd: dir,
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: token, SENTRY_LOG_LEVEL: 'warn', HOME: dir },
    });
  const api = async (url: string) => {
    const res = await fetch(`${t.url}/api/0${url}`, { headers: { authorization: `Bearer ${ownerToken}` } });
    expect(res.status, url).toBe(200);
    return (await res.json()) as Json;
  };
  const git = async (args: string[], env: Record<string, string> = {}) => {
    const r = await run('git', args, { cwd: dir, env: { HOME: dir, GIT_CONFIG_NOSYSTEM: '1', ...env } });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  /** Commits everything in the work tree as `who` at `date`; the commit's sha. */
  async function commit(message: string, who: { name: string; email: string }, date: string) {
    await git(['add', '-A']);
    const as = { NAME: who.name, EMAIL: who.email, DATE: date };
    const env = Object.fromEntries(
      Object.entries(as).flatMap(([k, v]) => [
        [`GIT_AUTHOR_${k}`, v],
        [`GIT_COMMITTER_${k}`, v],
      ]),
    );
    await git(['commit', '-q', '-m', message], env);
    return git(['rev-parse', 'HEAD']);
  }
  const write = (file: string, text: string) => writeFile(path.join(dir, file), text);
  const shas: string[] = [];
  const commitsOf = async (version: string) =>
    (await api(`/organizations/acme/releases/${version}/commits/`)) as unknown as Json[];

  beforeAll(async () => {
    t = await startTestServer(engine);
    const ctx = t.server.ctx;
    const owner = await makeUser(ctx, { email: 'commits-owner@example.com' });
    const { org, team } = await makeOrg(ctx, owner, 'acme');
    await makeProject(ctx, org, team, 'web');
    ownerToken = await makeToken(ctx, owner, ['org:read', 'project:admin']);
    ({ token: ciToken } = await createOrgToken(ctx, {
      organizationId: org.id,
      orgSlug: org.slug,
      name: 'ci',
      scopes: [...DEFAULT_ORG_TOKEN_SCOPES],
      createdById: owner.id,
    }));
    // The member whose email the commits carry, on the project's team.
    const dana = await makeUser(ctx, { email: MEMBER.email });
    const member = await insertMember(ctx.db.region, {
      organizationId: org.id,
      userId: dana.id,
      email: dana.email,
      role: 'member',
      inviteTokenHash: null,
      inviterId: owner.id,
      now: Date.now(),
    });
    await addTeamMember(ctx.db.region, team.id, member.id, null);
    memberId = String(dana.id);
    tokens.releases = await makeToken(ctx, dana, ['project:releases']);
    tokens.releasesAndRead = await makeToken(ctx, dana, ['project:releases', 'org:read']);
    tokens.read = await makeToken(ctx, dana, ['org:read']);

    dir = await mkdtemp(path.join(tmpdir(), 'errata-git-'));
    await git(['init', '-q', '-b', 'main']);
    await write('app.js', 'one\n');
    await write('README.md', 'readme\n');
    shas.push(await commit('Add app and readme', MEMBER, '2026-12-01T10:00:00Z'));
    await write('app.js', 'two\n');
    await unlink(path.join(dir, 'README.md'));
    await write('lib.js', 'lib\n');
    shas.push(await commit('Fix app, drop readme', BOT, '2026-12-02T10:00:00Z'));
  });
  afterAll(async () => {
    await t.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('--local sends the commits, authors and files of the git history; the API shows them', async () => {
    expect((await cli(ciToken, 'releases', 'new', '-o', 'acme', '-p', 'web', '6.0.0')).code).toBe(0);
    const set = await cli(ciToken, 'releases', 'set-commits', '-o', 'acme', '6.0.0', '--local');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Success! Set commits for release 6.0.0');

    const commits = await commitsOf('6.0.0');
    expect(commits.map((c) => [c.id, c.message])).toEqual([
      [shas[1], 'Fix app, drop readme'],
      [shas[0], 'Add app and readme'],
    ]);
    // The member's commit shows the member; the bot, who is no member, by name and email.
    expect(commits[1]?.author).toMatchObject({ id: memberId, email: MEMBER.email });
    expect(commits[0]?.author).toEqual(BOT);
    expect(commits[0]).toMatchObject({
      dateCreated: '2026-12-02T10:00:00.000Z',
      repository: { name: 'origin', provider: { id: 'unknown', name: 'Unknown Provider' } },
      releases: [expect.objectContaining({ version: '6.0.0' })],
    });

    const files = (await api('/organizations/acme/releases/6.0.0/commitfiles/')) as unknown as Json[];
    expect(files.map((f) => `${f.filename} ${f.type} ${f.commitMessage}`).sort()).toEqual([
      'README.md A Add app and readme',
      'README.md D Fix app, drop readme',
      'app.js A Add app and readme',
      'app.js M Fix app, drop readme',
      'lib.js A Fix app, drop readme',
    ]);

    const release = await api('/organizations/acme/releases/6.0.0/');
    expect(release).toMatchObject({ commitCount: 2, lastCommit: { id: shas[1] } });
    expect(release.authors).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: memberId, email: MEMBER.email }), BOT]),
    );

    const repos = await cli(ciToken, 'repos', 'list', '-o', 'acme');
    expect(repos.code, repos.stderr).toBe(0);
    expect(repos.stdout).toMatch(/origin\s*\|\s*Unknown Provider/);
  });

  it('the next release gets only the commits after the previous release with commits', async () => {
    await write('lib.js', 'lib 2\n');
    shas.push(await commit('Tune lib', MEMBER, '2026-12-03T10:00:00Z'));
    expect((await cli(ciToken, 'releases', 'new', '-o', 'acme', '-p', 'web', '6.1.0')).code).toBe(0);
    const set = await cli(ciToken, 'releases', 'set-commits', '-o', 'acme', '6.1.0', '--local');
    expect(set.code, set.stderr).toBe(0);
    expect((await commitsOf('6.1.0')).map((c) => c.id)).toEqual([shas[2]]);
    const previous = await api('/organizations/acme/releases/6.1.0/previous-with-commits/');
    expect(previous).toMatchObject({ version: '6.0.0', lastCommit: { id: shas[1] } });
  });

  it('--commit names a head commit (a range too); --auto falls back to the git history; --clear empties', async () => {
    expect((await cli(ciToken, 'releases', 'new', '-o', 'acme', '-p', 'web', '6.2.0')).code).toBe(0);
    const one = await cli(
      ciToken,
      'releases',
      'set-commits',
      '-o',
      'acme',
      '6.2.0',
      '--commit',
      `origin@${shas[1]}`,
    );
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/origin\s*\|\s*[0-9a-f]{12}/);
    expect((await commitsOf('6.2.0')).map((c) => [c.id, c.message])).toEqual([
      [shas[1], 'Fix app, drop readme'],
    ]);

    const range = await cli(
      ciToken,
      'releases',
      'set-commits',
      '-o',
      'acme',
      '6.2.0',
      '--commit',
      `origin@${shas[0]}..${shas[2]}`,
    );
    expect(range.code, range.stderr).toBe(0);
    expect((await commitsOf('6.2.0')).map((c) => c.id)).toEqual([shas[2]]);

    // sentry-cli checks the name against the repository list itself, in any case; Errata, as
    // Sentry, takes the exact name only.
    const unknown = await cli(
      ciToken,
      'releases',
      'set-commits',
      '-o',
      'acme',
      '6.2.0',
      '--commit',
      'nope@abc',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown repo 'nope'");
    const cased = await cli(
      ciToken,
      'releases',
      'set-commits',
      '-o',
      'acme',
      '6.2.0',
      '--commit',
      'ORIGIN@abc',
    );
    expect(cased.code).toBe(1);
    // sentry-cli prints Sentry's field errors as they come.
    expect(cased.stderr).toContain('request failure (http status: 400)');
    expect(cased.stderr).toContain('"Invalid repository names: ORIGIN"');
    expect((await commitsOf('6.2.0')).map((c) => c.id)).toEqual([shas[2]]);

    // No repository has an integration whose URL matches the remote: sentry-cli reads the history.
    await git(['remote', 'add', 'origin', 'https://github.com/acme/web.git']);
    const auto = await cli(ciToken, 'releases', 'set-commits', '-o', 'acme', '6.2.0', '--auto');
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stdout).toContain('Proceeding to find commits from local git tree');

    const cleared = await cli(ciToken, 'releases', 'set-commits', '-o', 'acme', '6.2.0', '--clear');
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain('Clearing commits for release.');
    expect(await commitsOf('6.2.0')).toEqual([]);
    expect(await api('/organizations/acme/releases/6.2.0/')).toMatchObject({
      commitCount: 0,
      lastCommit: null,
    });
  });

  it('a personal token sets commits with project:releases and org:read; without either, 403', async () => {
    const made = await cli(tokens.releases, 'releases', 'new', '-o', 'acme', '-p', 'web', '7.0.0');
    expect(made.code, made.stderr).toBe(0);
    // set-commits lists the repositories first, which takes org:read (or org:ci), as in Sentry.
    const refused = await cli(tokens.releases, 'releases', 'set-commits', '-o', 'acme', '7.0.0', '--local');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('You do not have permission to perform this action. (http status: 403)');

    await write('app.js', 'three\n');
    shas.push(await commit('Ship it', MEMBER, '2026-12-04T10:00:00Z'));
    const set = await cli(
      tokens.releasesAndRead,
      'releases',
      'set-commits',
      '-o',
      'acme',
      '7.0.0',
      '--local',
    );
    expect(set.code, set.stderr).toBe(0);
    expect((await commitsOf('7.0.0')).map((c) => [c.id, c.author?.id])).toEqual([[shas[3], memberId]]);

    const readOnly = await cli(tokens.read, 'releases', 'new', '-o', 'acme', '-p', 'web', '7.1.0');
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toContain('(http status: 403)');
    const readOnlySet = await cli(tokens.read, 'releases', 'set-commits', '-o', 'acme', '7.0.0', '--clear');
    expect(readOnlySet.code).toBe(1);
    expect(readOnlySet.stderr).toContain('(http status: 403)');
    expect((await commitsOf('7.0.0')).map((c) => c.id)).toEqual([shas[3]]);
  });
});
