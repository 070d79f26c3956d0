import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { TEST_URL } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { ISO, type Json, link } from './support/api-client.js';
import { openPeople } from './support/people.js';

// The happy paths of projects and their DSN keys, as the web UI (a session) and sentry-cli or scripts (tokens) walk
// them. Every test builds its own organization (support/people.ts).

describe.each(TEST_ENGINES)('projects and keys on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  describe('projects', () => {
    it('creates a project under a team, with a DSN key', async () => {
      const o = await w.owner();
      const project: Json = await o.web.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
        name: 'Checkout Service',
        platform: 'python',
      });
      expect(project).toMatchObject({
        slug: 'checkout-service',
        name: 'Checkout Service',
        platform: 'python',
        dateCreated: expect.stringMatching(ISO),
        isMember: true,
        team: { slug: o.team },
        teams: [expect.objectContaining({ slug: o.team })],
      });
      const keys: Json[] = await o.api.expect(200, 'GET', `/projects/${o.org}/checkout-service/keys/`);
      expect(keys).toHaveLength(1);
      expect(keys[0]?.dsn.public).toBe(`http://${keys[0]?.public}@errata.test:9000/${project.id}`);
      const teamProjects: Json[] = await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/projects/`);
      expect(teamProjects.map((p) => p.slug)).toEqual(['checkout-service']);
    });

    it('pages through the projects with the Link header until results="false"', async () => {
      const o = await w.owner();
      const slugs: string[] = [];
      for (let i = 0; i < 8; i++) {
        const p: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
          name: `Svc ${i}`,
        });
        slugs.push(p.slug);
      }
      const seen: string[] = [];
      let url = `/api/0/organizations/${o.org}/projects/?per_page=3`;
      let first = true;
      for (let page = 0; page < 10; page++) {
        const res = await o.api.send('GET', url);
        expect(res.statusCode).toBe(200);
        const body = res.json() as Json[];
        seen.push(...body.map((p) => p.slug));
        if (first) expect(link(res, 'previous').results).toBe(false);
        first = false;
        const next = link(res, 'next');
        expect(next.path).toContain('per_page=3');
        if (!next.results) {
          expect(body.length).toBeLessThanOrEqual(3);
          break;
        }
        expect(body).toHaveLength(3);
        url = next.path;
      }
      expect(seen).toHaveLength(8);
      expect(new Set(seen).size).toBe(8);
      expect([...seen].sort()).toEqual([...slugs].sort());
    });

    it('reads, updates, moves between teams and deletes a project', async () => {
      const o = await w.owner();
      const created: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
        name: 'Api',
      });
      const detail: Json = await o.api.expect(200, 'GET', `/projects/${o.org}/api/`);
      expect(detail).toMatchObject({
        id: created.id,
        slug: 'api',
        organization: { slug: o.org },
        status: 'active',
      });
      expect(await o.api.expect(200, 'GET', `/projects/${o.org}/${created.id}/`)).toMatchObject({
        slug: 'api',
      });

      const updated: Json = await o.web.expect(200, 'PUT', `/projects/${o.org}/api/`, {
        name: 'Public API',
        slug: 'public-api',
        platform: 'go',
      });
      expect(updated).toMatchObject({
        id: created.id,
        name: 'Public API',
        slug: 'public-api',
        platform: 'go',
      });
      await o.api.expect(404, 'GET', `/projects/${o.org}/api/`);

      await o.api.expect(201, 'POST', `/organizations/${o.org}/teams/`, { slug: 'edge' });
      const shared: Json = await o.web.expect(201, 'POST', `/projects/${o.org}/public-api/teams/edge/`);
      expect(shared.teams.map((t: Json) => t.slug).sort()).toEqual(['edge', o.team].sort());
      const unshared: Json = await o.web.expect(
        200,
        'DELETE',
        `/projects/${o.org}/public-api/teams/${o.team}/`,
      );
      expect(unshared.teams.map((t: Json) => t.slug)).toEqual(['edge']);
      expect(await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/projects/`)).toEqual([]);

      await o.web.expect(204, 'DELETE', `/projects/${o.org}/public-api/`);
      await o.api.expect(404, 'GET', `/projects/${o.org}/public-api/`);
      await o.api.expect(404, 'GET', `/projects/${o.org}/public-api/keys/`);
      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/projects/`)).toEqual([]);
    });
  });

  describe('project keys', () => {
    it('lists, creates with a rate limit, updates and deletes keys', async () => {
      const o = await w.owner();
      const project: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
        name: 'Web',
      });
      const base = `/projects/${o.org}/web/keys/`;
      const [first] = (await o.api.expect(200, 'GET', base)) as Json[];
      expect(first).toMatchObject({
        name: 'Default',
        isActive: true,
        rateLimit: null,
        projectId: Number(project.id),
      });

      const key: Json = await o.web.expect(201, 'POST', base, {
        name: 'Browser',
        rateLimit: { count: 100, window: 60 },
      });
      expect(key).toMatchObject({
        name: 'Browser',
        label: 'Browser',
        isActive: true,
        rateLimit: { count: 100, window: 60 },
        projectId: Number(project.id),
        dateCreated: expect.stringMatching(ISO),
      });
      expect(key.id).toBe(key.public);
      expect(key.public).toMatch(/^[0-9a-f]{32}$/);
      expect(key.secret).toMatch(/^[0-9a-f]{32}$/);
      expect(key.dsn).toMatchObject({
        public: `http://${key.public}@errata.test:9000/${project.id}`,
        secret: `http://${key.public}:${key.secret}@errata.test:9000/${project.id}`,
        csp: `${TEST_URL}/api/${project.id}/csp-report/?sentry_key=${key.public}`,
      });

      const updated: Json = await o.web.expect(200, 'PUT', `${base}${key.id}/`, {
        isActive: false,
        rateLimit: null,
      });
      expect(updated).toMatchObject({ id: key.id, isActive: false, rateLimit: null, name: 'Browser' });
      const limited: Json = await o.web.expect(200, 'PUT', `${base}${key.id}/`, {
        rateLimit: { count: 5, window: 3600 },
      });
      expect(limited).toMatchObject({ isActive: false, rateLimit: { count: 5, window: 3600 } });
      expect(await o.api.expect(200, 'GET', `${base}${key.id}/`)).toMatchObject({
        isActive: false,
        rateLimit: { count: 5, window: 3600 },
      });
      const inactive: Json[] = await o.api.expect(200, 'GET', `${base}?status=inactive`);
      expect(inactive.map((k) => k.id)).toEqual([key.id]);
      const active: Json[] = await o.api.expect(200, 'GET', `${base}?status=active`);
      expect(active.map((k) => k.id)).toEqual([first?.id]);

      await o.web.expect(204, 'DELETE', `${base}${key.id}/`);
      await o.api.expect(404, 'GET', `${base}${key.id}/`);
      const left: Json[] = await o.api.expect(200, 'GET', base);
      expect(left.map((k) => k.id)).toEqual([first?.id]);
    });
  });
});
