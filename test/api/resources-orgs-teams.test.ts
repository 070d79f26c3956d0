import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { TEST_URL } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { ISO, type Json } from './support/api-client.js';
import { openPeople } from './support/people.js';

// The happy paths of organizations and teams, as the web UI (a session) and sentry-cli or scripts (tokens) walk
// them. Every test builds its own organization (support/people.ts).

describe.each(TEST_ENGINES)('organizations and teams on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  describe('organizations', () => {
    it('creates one whose creator is its owner, with a default team', async () => {
      const p = await w.person();
      const created: Json = await p.web.expect(201, 'POST', '/organizations/', { name: 'Acme Corp' });
      expect(created).toMatchObject({
        name: 'Acme Corp',
        slug: 'acme-corp',
        role: 'owner',
        orgRole: 'owner',
        dateCreated: expect.stringMatching(ISO),
        isEarlyAdopter: false,
        require2FA: false,
        requireEmailVerification: false,
        features: [],
        links: { organizationUrl: TEST_URL, regionUrl: TEST_URL },
        projects: [],
      });
      expect(created.access).toContain('org:admin');
      expect(created.teams).toEqual([
        expect.objectContaining({ slug: 'acme-corp', name: 'Acme Corp', isMember: true, teamRole: 'admin' }),
      ]);

      const members: Json[] = await p.api.expect(200, 'GET', '/organizations/acme-corp/members/');
      expect(members).toEqual([
        expect.objectContaining({ email: p.user.email, orgRole: 'owner', pending: false }),
      ]);
      const listed: Json[] = await p.api.expect(200, 'GET', '/organizations/');
      expect(listed.map((o) => o.slug)).toEqual(['acme-corp']);
      expect(listed[0]).not.toHaveProperty('teams');

      const bare: Json = await p.web.expect(201, 'POST', '/organizations/', {
        name: 'Bare',
        slug: 'bare-org',
        defaultTeam: false,
      });
      expect(bare.teams).toEqual([]);
      const both: Json[] = await p.api.expect(200, 'GET', '/organizations/');
      expect(both.map((o) => o.slug).sort()).toEqual(['acme-corp', 'bare-org']);
    });

    it('shows its teams and projects in the detail, by slug or by id', async () => {
      const o = await w.owner();
      await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, { name: 'Web' });
      await o.api.expect(201, 'POST', `/organizations/${o.org}/teams/`, { slug: 'mobile' });
      const detail: Json = await o.api.expect(200, 'GET', `/organizations/${o.org}/`);
      expect(detail.teams.map((t: Json) => t.slug).sort()).toEqual(['mobile', o.team].sort());
      expect(detail.projects).toEqual([
        expect.objectContaining({ slug: 'web', team: expect.objectContaining({ slug: o.team }) }),
      ]);
      const byId: Json = await o.api.expect(200, 'GET', `/organizations/${detail.id}/`);
      expect(byId.slug).toBe(o.org);
      const short: Json = await o.api.expect(200, 'GET', `/organizations/${o.org}/?detailed=0`);
      expect(short).not.toHaveProperty('teams');
      expect(short).not.toHaveProperty('projects');
    });

    it('renames an organization and moves its slug; a taken slug is a 409', async () => {
      const o = await w.owner();
      const other = await w.owner();
      const updated: Json = await o.web.expect(200, 'PUT', `/organizations/${o.org}/`, {
        name: 'Renamed',
        slug: `${o.org}-new`,
      });
      expect(updated).toMatchObject({ name: 'Renamed', slug: `${o.org}-new` });
      await o.api.expect(404, 'GET', `/organizations/${o.org}/`);
      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}-new/`)).toMatchObject({
        name: 'Renamed',
      });
      // The old slug is free again.
      await o.web.expect(201, 'POST', '/organizations/', { name: 'Again', slug: o.org });

      const clash: Json = await o.web.expect(409, 'PUT', `/organizations/${o.org}-new/`, { slug: other.org });
      expect(clash).toEqual({ detail: 'An organization with this slug already exists.' });
      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}-new/`)).toMatchObject({
        slug: `${o.org}-new`,
      });
      expect(await other.api.expect(200, 'GET', `/organizations/${other.org}/`)).toMatchObject({
        slug: other.org,
      });
      const taken: Json = await o.web.expect(409, 'POST', '/organizations/', {
        name: 'Copy',
        slug: other.org,
      });
      expect(taken).toEqual({ detail: 'An organization with this slug already exists.' });
    });
  });

  describe('teams', () => {
    it('creates, reads, renames and deletes a team', async () => {
      const o = await w.owner();
      const team: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/teams/`, {
        name: 'Platform Team',
      });
      expect(team).toMatchObject({
        slug: 'platform-team',
        name: 'Platform Team',
        isMember: true,
        teamRole: 'admin',
        memberCount: 1,
        dateCreated: expect.stringMatching(ISO),
      });
      const listed: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/teams/`);
      expect(listed.map((t) => t.slug).sort()).toEqual(['platform-team', o.team].sort());
      expect(await o.api.expect(200, 'GET', `/teams/${o.org}/platform-team/`)).toMatchObject({ id: team.id });
      expect(await o.api.expect(200, 'GET', `/teams/${o.org}/${team.id}/`)).toMatchObject({
        slug: 'platform-team',
      });

      const renamed: Json = await o.web.expect(200, 'PUT', `/teams/${o.org}/platform-team/`, {
        slug: 'platform',
        name: 'Platform',
      });
      expect(renamed).toMatchObject({ id: team.id, slug: 'platform', name: 'Platform' });
      await o.api.expect(404, 'GET', `/teams/${o.org}/platform-team/`);

      await o.api.expect(201, 'POST', `/teams/${o.org}/platform/projects/`, { name: 'Infra' });
      await o.web.expect(204, 'DELETE', `/teams/${o.org}/platform/`);
      await o.api.expect(404, 'GET', `/teams/${o.org}/platform/`);
      // The team's project stays, now without a team.
      expect(await o.api.expect(200, 'GET', `/projects/${o.org}/infra/`)).toMatchObject({
        slug: 'infra',
        teams: [],
      });
      const left: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/teams/`);
      expect(left.map((t) => t.slug)).toEqual([o.team]);
    });

    it('lists team members and adds and removes one', async () => {
      const o = await w.owner();
      const dev = await w.join(o.api, o.org);
      const before: Json[] = await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/members/`);
      expect(before).toEqual([
        expect.objectContaining({
          email: o.user.email,
          teamRole: 'admin',
          teamSlug: o.team,
          orgRole: 'owner',
        }),
      ]);

      const added: Json = await o.web.expect(
        201,
        'POST',
        `/organizations/${o.org}/members/${dev.memberId}/teams/${o.team}/`,
      );
      expect(added).toMatchObject({ slug: o.team, memberCount: 2 });
      // Adding again changes nothing.
      await o.web.expect(204, 'POST', `/organizations/${o.org}/members/${dev.memberId}/teams/${o.team}/`);
      const during: Json[] = await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/members/`);
      expect(during.map((m) => [m.email, m.teamRole]).sort()).toEqual(
        [
          [o.user.email, 'admin'],
          [dev.user.email, 'contributor'],
        ].sort(),
      );
      expect(await dev.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/`)).toMatchObject({
        isMember: true,
        teamRole: 'contributor',
      });

      const removed: Json = await o.web.expect(
        200,
        'DELETE',
        `/organizations/${o.org}/members/${dev.memberId}/teams/${o.team}/`,
      );
      expect(removed).toMatchObject({ slug: o.team, memberCount: 1 });
      const after: Json[] = await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/members/`);
      expect(after.map((m) => m.email)).toEqual([o.user.email]);

      // With open membership (the default) a member may join a team on their own.
      await dev.web.expect(201, 'POST', `/organizations/${o.org}/members/me/teams/${o.team}/`);
      const joined: Json = await o.api.expect(200, 'GET', `/organizations/${o.org}/members/${dev.memberId}/`);
      expect(joined.teams).toEqual([o.team]);
    });
  });
});
