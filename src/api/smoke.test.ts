import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../../test/support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../../test/support/harness.js';

describe.each(TEST_ENGINES)('API basics on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(engine);
  });
  afterAll(() => h.close());

  it('lists the organizations and projects of a token holder', async () => {
    const user = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, user);
    await makeProject(h.ctx, org, team, 'web');
    const token = await makeToken(h.ctx, user, ['org:read', 'project:read']);
    const root = await h.request({ method: 'GET', url: '/api/0/', token });
    expect(root.statusCode).toBe(200);
    expect(root.json().user.email).toBe(user.email);
    const orgs = await h.request({ method: 'GET', url: '/api/0/organizations/?cursor=', token });
    expect(orgs.statusCode).toBe(200);
    expect(orgs.json().map((o: { slug: string }) => o.slug)).toEqual([org.slug]);
    const projects = await h.request({
      method: 'GET',
      url: `/api/0/organizations/${org.slug}/projects/`,
      token,
    });
    expect(projects.json()[0]).toMatchObject({ slug: 'web', team: { slug: team.slug } });
  });
});
