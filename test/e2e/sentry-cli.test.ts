import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { findOrgMapping } from '../../src/store/control/org-mappings.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeProject, makeToken, makeUser } from '../support/harness.js';
import { run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// The real sentry-cli (npm @sentry/cli 3.8.0, binary inside the package) against a listening Errata.
describe.each(TEST_ENGINES)('sentry-cli against Errata on %s', (engine) => {
  let t: TestServer;
  let userToken: string;
  let orgSlug: string;

  const cli = (token: string, ...args: string[]) =>
    run(SENTRY_CLI, args, {
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: token, SENTRY_LOG_LEVEL: 'warn', HOME: '/tmp' },
    });

  beforeAll(async () => {
    t = await startTestServer(engine);
    const ctx = t.server.ctx;
    const user = await makeUser(ctx, { email: 'ci-owner@example.com' });
    const { org, team } = await makeOrg(ctx, user, 'acme');
    orgSlug = org.slug;
    await makeProject(ctx, org, team, 'web');
    await makeProject(ctx, org, team, 'api');
    userToken = await makeToken(ctx, user, ['org:read', 'project:read']);
  });
  afterAll(() => t.close());

  it('info shows the user and the scopes of a user token', async () => {
    const r = await cli(userToken, 'info');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('User: ci-owner@example.com');
    expect(r.stdout).toContain('- org:read');
    expect(r.stdout).toContain('- project:read');
  });

  it('organizations list prints the organizations of the user', async () => {
    const r = await cli(userToken, 'organizations', 'list');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\|\s*acme\s*\|\s*acme\s*\|/);
  });

  it('projects list prints the projects of the organization with their team', async () => {
    const r = await cli(userToken, 'projects', 'list', '-o', orgSlug);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\|\s*web\s*\|\s*acme\s*\|\s*web\s*\|/);
    expect(r.stdout).toMatch(/\|\s*api\s*\|\s*acme\s*\|\s*api\s*\|/);
  });

  it('an organization token (org:ci) works for info, and is refused for projects as in Sentry', async () => {
    const { token } = await createOrgToken(t.server.ctx, {
      organizationId: (await findOrgMapping(t.server.ctx.db.control, orgSlug))!.id,
      orgSlug,
      name: 'ci',
      scopes: ['org:ci'],
      createdById: null,
    });
    const info = await cli(token, 'info');
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain('- org:ci');
    expect(info.stderr).not.toContain('embedded in token) rather than');
    const projects = await cli(token, 'projects', 'list');
    expect(projects.code).toBe(1);
    expect(projects.stderr).toContain(
      'You do not have permission to perform this action. (http status: 403)',
    );
  });

  it('an organization token with org:read and project:read lists projects without -o (org from the token)', async () => {
    const mapping = await findOrgMapping(t.server.ctx.db.control, orgSlug);
    const { token } = await createOrgToken(t.server.ctx, {
      organizationId: mapping!.id,
      orgSlug,
      name: 'automation',
      scopes: ['org:read', 'project:read'],
      createdById: null,
    });
    const r = await cli(token, 'projects', 'list');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\|\s*web\s*\|/);
  });

  it("a bad token fails with Sentry's message", async () => {
    const r = await cli(
      'sntryu_0000000000000000000000000000000000000000000000000000000000000000',
      'organizations',
      'list',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid token (http status: 401)');
  });
});
