import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../src/api/permissions.js';
import { TEST_ENGINES } from '../support/engines.js';
import { createHarness, type Harness, makeToken, makeUser, signIn, TEST_URL } from '../support/harness.js';

// The happy paths of each resource, as the web UI (a session) and sentry-cli or scripts (tokens)
// walk them. Every test builds its own organization.

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field, checked by expect().
type Json = Record<string, any>;

interface Client {
  send(method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  /** Sends and checks the status, returning the parsed body (undefined when empty). */
  // biome-ignore lint/suspicious/noExplicitAny: as Json.
  expect(status: number, method: Method, url: string, payload?: unknown): Promise<any>;
}

function clientOf(h: Harness, headers: Record<string, string>): Client {
  const send = (method: Method, url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url: url.startsWith('/api/0/') ? url : `/api/0${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
  return {
    send,
    async expect(status, method, url, payload) {
      const res = await send(method, url, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      return res.body === '' ? undefined : res.json();
    },
  };
}

/** Reads one link of a `Link` header: its URL path, `results` and cursor. */
function link(res: LightMyRequestResponse, rel: 'previous' | 'next') {
  const header = res.headers.link as string;
  const part = header.split(', ').find((p) => p.includes(`rel="${rel}"`)) as string;
  const match = /^<([^>]+)>; rel="\w+"; results="(true|false)"; cursor="([^"]+)"$/.exec(part);
  expect(match, header).not.toBeNull();
  const [, url, results, cursor] = match as unknown as [string, string, string, string];
  expect(url.startsWith(TEST_URL), url).toBe(true);
  return { path: url.slice(TEST_URL.length), results: results === 'true', cursor };
}

describe.each(TEST_ENGINES)('resources on %s', (engine) => {
  let h: Harness;
  let seq = 0;

  beforeAll(async () => {
    h = await createHarness(engine);
  });
  afterAll(() => h?.close());

  /** A person with a session (the web UI) and a token with every scope they ask for (scripts). */
  async function person(scopes: string[] = ['org:admin', 'member:admin', 'team:admin', 'project:admin']) {
    const n = ++seq;
    const user = await makeUser(h.ctx, { email: `person-${n}@resources.test` });
    const session = await signIn(h, user.email);
    const token = await makeToken(h.ctx, user, scopes);
    return {
      user,
      token,
      web: clientOf(h, session.headers),
      api: clientOf(h, { authorization: `Bearer ${token}` }),
    };
  }

  /** A person who owns a fresh organization, made through the API. */
  async function owner() {
    const p = await person();
    const n = ++seq;
    const org: Json = await p.web.expect(201, 'POST', '/organizations/', {
      name: `Org ${n}`,
      slug: `org-${n}`,
    });
    return { ...p, org: org.slug as string, team: org.teams[0].slug as string };
  }

  /** Invites a new person and has them accept through their own session; returns them with their member id. */
  async function join(ownerClient: Client, org: string, orgRole = 'member', teams: string[] = []) {
    const p = await person();
    const invited: Json = await ownerClient.expect(201, 'POST', `/organizations/${org}/members/`, {
      email: p.user.email,
      orgRole,
      teams,
    });
    const url = new URL(invited.invite_link as string).pathname.replace(/^\/accept\//, '/accept-invite/');
    await p.web.expect(204, 'POST', url);
    return { ...p, memberId: invited.id as string };
  }

  describe('organizations', () => {
    it('creates one whose creator is its owner, with a default team', async () => {
      const p = await person();
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
      const o = await owner();
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
      const o = await owner();
      const other = await owner();
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
      const o = await owner();
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
      const o = await owner();
      const dev = await join(o.api, o.org);
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

  describe('projects', () => {
    it('creates a project under a team, with a DSN key', async () => {
      const o = await owner();
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
      const o = await owner();
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
      const o = await owner();
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
      const o = await owner();
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

  describe('members', () => {
    it('invites a person who accepts through their own session', async () => {
      const o = await owner();
      const dev = await person();
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
      const o = await owner();
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
      const o = await owner();
      const dev = await join(o.api, o.org);
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
      const o = await owner();
      // The owner's session: its token lacks scopes an owner holds (event:*), so it may not make owners.
      const second = await join(o.web, o.org, 'owner');
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
      const p = await person();
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

      const root: Json = await clientOf(h, { authorization: `Bearer ${created.token}` }).expect(
        200,
        'GET',
        '/',
      );
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
      const gone = await clientOf(h, { authorization: `Bearer ${created.token}` }).send('GET', '/');
      expect(gone.statusCode).toBe(401);
      expect(gone.json()).toEqual({ detail: 'Invalid token' });
      const after: Json[] = await p.web.expect(200, 'GET', '/api-tokens/');
      expect(after.map((t) => t.id)).not.toContain(created.id);
    });
  });

  describe('organization tokens', () => {
    it('mints a CI token naming this server, lists it without the secret, renames and revokes it', async () => {
      const o = await owner();
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
      expect(payload.url).toBe(h.ctx.config.url);
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

      const ci = clientOf(h, { authorization: `Bearer ${token}` });
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
      const o = await owner();
      const manager = await join(o.web, o.org, 'manager');
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
      const reader = clientOf(h, { authorization: `Bearer ${wide.token}` });
      expect(await reader.expect(200, 'GET', '/organizations/')).toEqual([
        expect.objectContaining({ slug: o.org }),
      ]);
      const listed: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/org-auth-tokens/`);
      expect(listed.map((t) => t.name).sort()).toEqual(['ci', 'reader']);
    });
  });

  it("caps a personal token at its owner's role", async () => {
    const o = await owner();
    const dev = await join(o.api, o.org);
    const strong = clientOf(h, {
      authorization: `Bearer ${await makeToken(h.ctx, dev.user, ['org:admin', 'project:admin'])}`,
    });
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
    const o = await owner();
    expect(await o.api.expect(200, 'GET', '/users/me/regions/')).toEqual({
      regions: [{ name: 'default', url: TEST_URL }],
    });
    expect(await o.api.expect(200, 'GET', `/users/${o.user.id}/regions/`)).toEqual({
      regions: [{ name: 'default', url: TEST_URL }],
    });
    const loner = await person(['org:read']);
    expect(await loner.api.expect(200, 'GET', '/users/me/regions/')).toEqual({ regions: [] });
    expect(await loner.api.expect(403, 'GET', `/users/${o.user.id}/regions/`)).toEqual({
      detail: 'You do not have permission to perform this action.',
    });
  });
});
