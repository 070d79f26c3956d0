import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgToken, DEFAULT_ORG_TOKEN_SCOPES } from '../../src/services/org-tokens.js';
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
    const { org, team } = await makeOrg(ctx, user, 'acme');
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
