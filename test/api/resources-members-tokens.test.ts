import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { makeToken, TEST_URL } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { ISO, type Json, tokenClient } from './support/api-client.js';
import { openPeople } from './support/people.js';

// The happy paths of members, personal tokens and organization tokens, as the web UI (a session) and sentry-cli or scripts (tokens) walk
// them. Every test builds its own organization (support/people.ts).

describe.each(TEST_ENGINES)('members and tokens on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  describe('members', () => {
    it('invites a person who accepts through their own session', async () => {
      const o = await w.owner();
      const dev = await w.person();
      const invited: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/members/`, {
        email: dev.user.email,
        orgRole: 'member',
        teams: [o.team],
      });
      expect(invited).toMatchObject({
        email: dev.user.email,
        orgRole: 'member',
        pending: true,
        user: null,
        teams: [o.team],
        inviterName: o.user.name,
      });
      expect(invited.invite_link).toMatch(new RegExp(`^${TEST_URL}/accept/${o.org}/${invited.id}/[\\w-]+/$`));
      const listed: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/members/`);
      expect(listed.find((m) => m.id === invited.id)).toMatchObject({ pending: true });
      // Not a member yet.
      await dev.api.expect(403, 'GET', `/organizations/${o.org}/`);

      const path = new URL(invited.invite_link).pathname.replace(/^\/accept\//, '/accept-invite/');
      expect(await dev.web.expect(200, 'GET', path)).toMatchObject({
        orgSlug: o.org,
        email: dev.user.email,
        role: 'member',
      });
      await dev.web.expect(204, 'POST', path);
      // The link works once.
      expect(await dev.web.expect(404, 'POST', path)).toEqual({ detail: 'Invalid invite code' });

      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/members/${invited.id}/`)).toMatchObject({
        pending: false,
        user: { id: String(dev.user.id), email: dev.user.email },
        teams: [o.team],
      });
      expect(await dev.api.expect(200, 'GET', `/organizations/${o.org}/`)).toMatchObject({
        slug: o.org,
        role: 'member',
      });
      const orgs: Json[] = await dev.api.expect(200, 'GET', '/organizations/');
      expect(orgs.map((org) => org.slug)).toEqual([o.org]);
      const teamMembers: Json[] = await dev.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/members/`);
      expect(teamMembers.map((m) => m.email).sort()).toEqual([dev.user.email, o.user.email].sort());
    });

    it('joins a team once when an invite names it both as teams and teamRoles', async () => {
      // Sentry's web UI has sent both forms side by side.
      const o = await w.owner();
      const invited: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/members/`, {
        email: 'both-forms@resources.test',
        teams: [o.team],
        teamRoles: [{ teamSlug: o.team, role: 'admin' }],
      });
      expect(invited.teamRoles).toEqual([{ teamSlug: o.team, role: 'admin' }]);
      const team: Json = await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/`);
      expect(team.memberCount).toBe(2);
    });

    it('changes roles, keeps the last owner, and lets a member leave', async () => {
      const o = await w.owner();
      const dev = await w.join(o.api, o.org);
      const changed: Json = await o.web.expect(
        200,
        'PUT',
        `/organizations/${o.org}/members/${dev.memberId}/`,
        {
          orgRole: 'manager',
        },
      );
      expect(changed).toMatchObject({ id: dev.memberId, orgRole: 'manager', role: 'manager' });
      expect(await dev.api.expect(200, 'GET', `/organizations/${o.org}/`)).toMatchObject({ role: 'manager' });
      await o.web.expect(200, 'PUT', `/organizations/${o.org}/members/${dev.memberId}/`, {
        orgRole: 'member',
      });

      const me: Json = await o.api.expect(200, 'GET', `/organizations/${o.org}/members/me/`);
      expect(me).toMatchObject({ orgRole: 'owner', isOnlyOwner: true });
      expect(
        await o.web.expect(403, 'PUT', `/organizations/${o.org}/members/me/`, { orgRole: 'member' }),
      ).toEqual({
        detail: 'You cannot demote the only remaining owner of the organization.',
      });
      expect(await o.web.expect(403, 'DELETE', `/organizations/${o.org}/members/${me.id}/`)).toEqual({
        detail: 'You cannot remove the only remaining owner of the organization.',
      });
      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/members/me/`)).toMatchObject({
        orgRole: 'owner',
      });

      // A member may not remove others, but may leave.
      expect(await dev.web.expect(403, 'DELETE', `/organizations/${o.org}/members/${me.id}/`)).toEqual({
        detail: 'You do not have permission to perform this action.',
      });
      await dev.web.expect(204, 'DELETE', `/organizations/${o.org}/members/me/`);
      await dev.api.expect(403, 'GET', `/organizations/${o.org}/`);
      const members: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/members/`);
      expect(members.map((m) => m.email)).toEqual([o.user.email]);
    });

    it('lets an owner step down once another owner exists', async () => {
      const o = await w.owner();
      // The owner's session: its token lacks scopes an owner holds (event:*), so it may not make owners.
      const second = await w.join(o.web, o.org, 'owner');
      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/members/me/`)).toMatchObject({
        isOnlyOwner: false,
      });
      await o.web.expect(200, 'PUT', `/organizations/${o.org}/members/me/`, { orgRole: 'member' });
      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/`)).toMatchObject({ role: 'member' });
      expect(await second.api.expect(200, 'GET', `/organizations/${o.org}/members/me/`)).toMatchObject({
        orgRole: 'owner',
        isOnlyOwner: true,
      });
    });
  });

  describe('personal tokens', () => {
    it('shows a new token once, expands its scopes, renames it, and deletes it for good', async () => {
      const p = await w.person();
      const created: Json = await p.web.expect(201, 'POST', '/api-tokens/', {
        name: 'deploy script',
        scopes: ['project:admin', 'org:read'],
      });
      expect(created).toMatchObject({
        name: 'deploy script',
        scopes: ['org:read', 'project:admin', 'project:read', 'project:write'],
        expiresAt: null,
        dateCreated: expect.stringMatching(ISO),
        token: expect.stringMatching(/^sntryu_[0-9a-f]{64}$/),
      });
      expect(created.tokenLastCharacters).toBe(created.token.slice(-4));

      const listed: Json[] = await p.web.expect(200, 'GET', '/api-tokens/');
      expect(listed.find((t) => t.id === created.id)).toMatchObject({ name: 'deploy script' });
      for (const t of listed) expect(t).not.toHaveProperty('token');
      const shown: Json = await p.web.expect(200, 'GET', `/api-tokens/${created.id}/`);
      expect(shown).not.toHaveProperty('token');

      const root: Json = await tokenClient(w.h, created.token).expect(200, 'GET', '/');
      expect(root).toMatchObject({
        version: '0',
        auth: { scopes: ['org:read', 'project:admin', 'project:read', 'project:write'] },
        user: { id: String(p.user.id), email: p.user.email },
      });

      await p.web.expect(204, 'PATCH', `/api-tokens/${created.id}/`, { name: 'release script' });
      expect(await p.web.expect(200, 'GET', `/api-tokens/${created.id}/`)).toMatchObject({
        name: 'release script',
      });

      await p.web.expect(204, 'DELETE', `/api-tokens/${created.id}/`);
      const gone = await tokenClient(w.h, created.token).send('GET', '/');
      expect(gone.statusCode).toBe(401);
      expect(gone.json()).toEqual({ detail: 'Invalid token' });
      const after: Json[] = await p.web.expect(200, 'GET', '/api-tokens/');
      expect(after.map((t) => t.id)).not.toContain(created.id);
    });
  });

  describe('organization tokens', () => {
    it('mints a CI token naming this server, lists it without the secret, renames and revokes it', async () => {
      const o = await w.owner();
      const created: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/org-auth-tokens/`, {
        name: 'GitHub Actions',
      });
      expect(created).toMatchObject({
        name: 'GitHub Actions',
        scopes: ['org:ci'],
        dateCreated: expect.stringMatching(ISO),
        dateLastUsed: null,
        projectLastUsedId: null,
      });
      const token = created.token as string;
      expect(token.startsWith('sntrys_')).toBe(true);
      expect(token.split('_')).toHaveLength(3);
      const payload = JSON.parse(Buffer.from(token.split('_')[1] as string, 'base64').toString('utf8'));
      expect(Object.keys(payload)).toEqual(['iat', 'url', 'region_url', 'org']);
      expect(payload).toMatchObject({ url: TEST_URL, region_url: TEST_URL, org: o.org });
      expect(payload.url).toBe(w.h.ctx.config.url);
      expect(typeof payload.iat).toBe('number');
      expect(token.split('_')[2]).toMatch(/^[A-Za-z0-9+/]{43}$/);

      const listed: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/org-auth-tokens/`);
      expect(listed).toEqual([
        expect.objectContaining({
          id: created.id,
          name: 'GitHub Actions',
          tokenLastCharacters: token.slice(-4),
        }),
      ]);
      for (const t of listed) expect(t).not.toHaveProperty('token');

      const ci = tokenClient(w.h, token);
      expect(await ci.expect(200, 'GET', '/')).toEqual({
        version: '0',
        auth: { scopes: ['org:ci'] },
        user: null,
      });
      await ci.expect(403, 'GET', `/organizations/${o.org}/projects/`);

      const renamed = await o.web.send('PUT', `/organizations/${o.org}/org-auth-tokens/${created.id}/`, {
        name: 'Buildkite',
      });
      expect(renamed.statusCode).toBe(204);
      expect(renamed.body).toBe('');
      expect(
        await o.api.expect(200, 'GET', `/organizations/${o.org}/org-auth-tokens/${created.id}/`),
      ).toMatchObject({
        name: 'Buildkite',
      });

      await o.web.expect(204, 'DELETE', `/organizations/${o.org}/org-auth-tokens/${created.id}/`);
      const revoked = await ci.send('GET', '/');
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json()).toEqual({ detail: 'Invalid org token' });
      expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/org-auth-tokens/`)).toEqual([]);
    });

    it('lets only owners give an organization token scopes beyond org:ci', async () => {
      const o = await w.owner();
      const manager = await w.join(o.web, o.org, 'manager');
      const refused: Json = await manager.web.expect(
        403,
        'POST',
        `/organizations/${o.org}/org-auth-tokens/`,
        {
          name: 'reader',
          scopes: ['org:ci', 'org:read'],
        },
      );
      expect(refused.detail).toMatch(/^Only an owner can give an organization token scopes beyond org:ci/);
      const plain: Json = await manager.web.expect(201, 'POST', `/organizations/${o.org}/org-auth-tokens/`, {
        name: 'ci',
      });
      expect(plain.scopes).toEqual(['org:ci']);

      const wide: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/org-auth-tokens/`, {
        name: 'reader',
        scopes: ['org:read', 'org:ci'],
      });
      expect(wide.scopes).toEqual(['org:ci', 'org:read']);
      const reader = tokenClient(w.h, wide.token);
      expect(await reader.expect(200, 'GET', '/organizations/')).toEqual([
        expect.objectContaining({ slug: o.org }),
      ]);
      const listed: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/org-auth-tokens/`);
      expect(listed.map((t) => t.name).sort()).toEqual(['ci', 'reader']);
    });
  });

  it("caps a personal token at its owner's role", async () => {
    const o = await w.owner();
    const dev = await w.join(o.api, o.org);
    const strong = tokenClient(w.h, await makeToken(w.h.ctx, dev.user, ['org:admin', 'project:admin']));
    const before: Json = await o.api.expect(200, 'GET', `/organizations/${o.org}/`);
    expect(await strong.expect(403, 'PUT', `/organizations/${o.org}/`, { name: 'Mine' })).toEqual({
      detail: 'You do not have permission to perform this action.',
    });
    expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/`)).toMatchObject({ name: before.name });
    // What remains is what a member may do: read the organization, not administer projects.
    expect(await strong.expect(200, 'GET', `/organizations/${o.org}/`)).toMatchObject({
      role: 'member',
      access: ['org:read', 'project:read'],
    });
    expect(
      await strong.expect(403, 'POST', `/teams/${o.org}/${o.team}/projects/`, { name: 'Sneaky' }),
    ).toEqual({
      detail: 'You do not have permission to perform this action.',
    });
    expect(await o.api.expect(200, 'GET', `/organizations/${o.org}/projects/`)).toEqual([]);
  });

  it('answers GET /users/me/regions/ with the regions of the caller', async () => {
    const o = await w.owner();
    expect(await o.api.expect(200, 'GET', '/users/me/regions/')).toEqual({
      regions: [{ name: 'default', url: TEST_URL }],
    });
    expect(await o.api.expect(200, 'GET', `/users/${o.user.id}/regions/`)).toEqual({
      regions: [{ name: 'default', url: TEST_URL }],
    });
    const loner = await w.person(['org:read']);
    expect(await loner.api.expect(200, 'GET', '/users/me/regions/')).toEqual({ regions: [] });
    expect(await loner.api.expect(403, 'GET', `/users/${o.user.id}/regions/`)).toEqual({
      detail: 'You do not have permission to perform this action.',
    });
  });
});
