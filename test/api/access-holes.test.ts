import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../src/api/permissions.js';
import type { Scope } from '../../src/auth/scopes.js';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { findTeam } from '../../src/store/region/teams.js';
import type { Organization, Project, ProjectKey, Team, User } from '../../src/store/types.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
  signIn,
} from '../support/harness.js';

// Regression tests for three access holes (the rules are in src/api/access.ts and
// src/api/grants.ts): organization-wide issue and event-id endpoints that ignored team
// scoping, invites and role changes that granted more than the caller holds, and issue ids that
// answered 403 where a missing one answers 404.

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field, checked by expect().
type Json = Record<string, any>;
type Session = Awaited<ReturnType<typeof signIn>>;
/** A bearer token, or a session's cookie and CSRF headers. */
type Caller = string | Session;

const NOT_FOUND = { detail: 'The requested resource does not exist' };
const NO_PERMISSION = { detail: 'You do not have permission to perform this action.' };

describe.each(TEST_ENGINES)('access holes on %s', (engine) => {
  let h: Harness;
  let owner: User;
  let member: User;
  let manager: User;
  let stranger: User;
  let ownerToken: string;
  const sessions = new Map<number, Session>();
  let n = 0;

  beforeAll(async () => {
    h = await createHarness(engine);
    [owner, member, manager, stranger] = (await Promise.all(
      ['owner', 'member', 'manager', 'stranger'].map((who) =>
        makeUser(h.ctx, { email: `${who}@holes.test` }),
      ),
    )) as [User, User, User, User];
    ownerToken = await makeToken(h.ctx, owner, [
      'org:admin',
      'member:admin',
      'team:admin',
      'project:admin',
      'event:admin',
    ]);
    for (const user of [owner, member, manager, stranger]) sessions.set(user.id, await signIn(h, user.email));
  });
  afterAll(() => h?.close());

  const session = (user: User) => sessions.get(user.id) as Session;

  function send(
    caller: Caller,
    method: Method,
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> {
    return h.request({
      method,
      url: `/api/0${url}`,
      ...(typeof caller === 'string' ? { token: caller } : { headers: caller.headers }),
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
  }

  async function ok(caller: Caller, method: Method, url: string, payload?: unknown): Promise<Json> {
    const res = await send(caller, method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.body === '' ? {} : res.json();
  }

  async function ingest(
    org: Organization,
    project: Project,
    key: ProjectKey,
  ): Promise<{ issueId: string; eventId: string }> {
    const eventId = randomBytes(16).toString('hex');
    const stored = await h.app.inject({
      method: 'POST',
      url: `/api/${project.id}/store/`,
      payload: {
        event_id: eventId,
        level: 'error',
        exception: { values: [{ type: 'Error', value: `boom ${project.slug}` }] },
      },
      headers: { 'x-sentry-auth': `Sentry sentry_key=${key.publicKey}, sentry_version=7` },
    });
    expect(stored.statusCode).toBe(200);
    await h.worker.drain();
    const [issue] = (await ok(
      ownerToken,
      'GET',
      `/projects/${org.slug}/${project.slug}/issues/`,
    )) as unknown as Json[];
    return { issueId: issue?.id as string, eventId };
  }

  /** Invites `user` as the owner, with its session accepting; returns the member id. */
  async function join(org: Organization, user: User, orgRole: string, teams: string[] = []): Promise<string> {
    const invited = await ok(session(owner), 'POST', `/organizations/${org.slug}/members/`, {
      email: user.email,
      orgRole,
      teams,
    });
    await ok(
      session(user),
      'POST',
      new URL(invited.invite_link).pathname.replace(/^\/accept\//, '/accept-invite/'),
    );
    return invited.id;
  }

  /**
   * An organization owned by `owner` with team A (P1) and team B (P2), one issue in each, `member`
   * in team A only and `manager` in no team; membership closed unless `open`.
   */
  async function world(open = false) {
    const { org, team: teamA } = await makeOrg(h.ctx, owner, `holes-${++n}`);
    await ok(ownerToken, 'POST', `/organizations/${org.slug}/teams/`, { slug: `b-${n}` });
    const teamB = (await findTeam(h.ctx.db.region, org.id, `b-${n}`)) as Team;
    const p1 = await makeProject(h.ctx, org, teamA, `p1-${n}`);
    const p2 = await makeProject(h.ctx, org, teamB, `p2-${n}`);
    await join(org, member, 'member', [teamA.slug]);
    await join(org, manager, 'manager');
    if (!open) await ok(ownerToken, 'PUT', `/organizations/${org.slug}/`, { openMembership: false });
    const i1 = await ingest(org, p1.project, p1.key);
    const i2 = await ingest(org, p2.project, p2.key);
    return { org, teamA, teamB, p1: p1.project, p2: p2.project, i1, i2 };
  }
  type World = Awaited<ReturnType<typeof world>>;

  const orgToken = async (w: World, scopes: Scope[]) =>
    (
      await createOrgToken(h.ctx, {
        organizationId: w.org.id,
        orgSlug: w.org.slug,
        name: 't',
        scopes,
        createdById: owner.id,
      })
    ).token;
  const statusOf = async (w: World, issueId: string) =>
    (await send(ownerToken, 'GET', `/organizations/${w.org.slug}/issues/${issueId}/`)).json().status;
  const idsOf = (res: LightMyRequestResponse) => (res.json() as Json[]).map((i) => i.id).sort();

  describe('organization-wide issue and event endpoints apply team scoping', () => {
    it("lists only reached projects' issues and refuses ?project= of another team", async () => {
      const w = await world();
      const m = session(member);
      expect((await send(m, 'GET', `/projects/${w.org.slug}/${w.p2.slug}/issues/`)).statusCode).toBe(403);
      expect(idsOf(await send(m, 'GET', `/organizations/${w.org.slug}/issues/?query=`))).toEqual([
        w.i1.issueId,
      ]);
      expect(idsOf(await send(m, 'GET', `/organizations/${w.org.slug}/issues/?query=&project=-1`))).toEqual([
        w.i1.issueId,
      ]);
      for (const project of [String(w.p2.id), w.p2.slug]) {
        const res = await send(m, 'GET', `/organizations/${w.org.slug}/issues/?query=&project=${project}`);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual(NO_PERMISSION);
      }
      expect(idsOf(await send(ownerToken, 'GET', `/organizations/${w.org.slug}/issues/?query=`))).toEqual(
        [w.i1.issueId, w.i2.issueId].sort(),
      );
    });

    it("never resolves or deletes another team's issues in bulk", async () => {
      const w = await world();
      const m = session(member);
      const base = `/organizations/${w.org.slug}/issues/`;
      expect((await send(m, 'PUT', `${base}?id=${w.i2.issueId}`, { status: 'resolved' })).statusCode).toBe(
        204,
      );
      expect((await send(m, 'PUT', `${base}?project=${w.p2.id}`, { status: 'resolved' })).statusCode).toBe(
        403,
      );
      expect((await send(m, 'DELETE', `${base}?id=${w.i2.issueId}`)).statusCode).toBe(204);
      expect((await send(m, 'DELETE', `${base}?project=${w.p2.id}`)).statusCode).toBe(403);
      expect(await statusOf(w, w.i2.issueId)).toBe('unresolved');
      // No filter: everything the member reaches, which is P1 only.
      expect((await send(m, 'PUT', base, { status: 'resolved' })).statusCode).toBe(200);
      expect(await statusOf(w, w.i1.issueId)).toBe('resolved');
      expect(await statusOf(w, w.i2.issueId)).toBe('unresolved');
      expect((await send(m, 'DELETE', base)).statusCode).toBe(204);
      expect((await send(ownerToken, 'GET', `${base}${w.i1.issueId}/`)).statusCode).toBe(404);
      expect(await statusOf(w, w.i2.issueId)).toBe('unresolved');
    });

    it('lets a member reach every project while membership is open', async () => {
      const w = await world(true);
      const m = session(member);
      const base = `/organizations/${w.org.slug}/issues/`;
      expect(idsOf(await send(m, 'GET', `${base}?query=&project=${w.p2.id}`))).toEqual([w.i2.issueId]);
      expect((await send(m, 'PUT', `${base}?id=${w.i2.issueId}`, { status: 'resolved' })).statusCode).toBe(
        200,
      );
      expect(await statusOf(w, w.i2.issueId)).toBe('resolved');
      expect(
        (await send(m, 'GET', `/organizations/${w.org.slug}/eventids/${w.i2.eventId}/`)).statusCode,
      ).toBe(200);
    });

    it('resolves event ids only in reached projects, and only with a project scope', async () => {
      const w = await world();
      const url = (e: { eventId: string }) => `/organizations/${w.org.slug}/eventids/${e.eventId}/`;
      const hidden = await send(session(member), 'GET', url(w.i2));
      expect(hidden.statusCode).toBe(404);
      expect(hidden.json()).toEqual(NOT_FOUND);
      expect(await ok(session(member), 'GET', url(w.i1))).toMatchObject({
        projectSlug: w.p1.slug,
        groupId: w.i1.issueId,
      });
      const orgRead = await orgToken(w, ['org:read']);
      const personalRead = await makeToken(h.ctx, owner, ['org:read']);
      for (const token of [orgRead, personalRead]) {
        const res = await send(token, 'GET', url(w.i1));
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual(NOT_FOUND);
      }
      const withProject = await orgToken(w, ['org:read', 'project:read']);
      expect(await ok(withProject, 'GET', url(w.i2))).toMatchObject({ projectSlug: w.p2.slug });
    });
  });

  describe('roles and team roles are granted only by callers holding them', () => {
    const teamsOf = async (w: World, memberId: string) =>
      (await ok(ownerToken, 'GET', `/organizations/${w.org.slug}/members/${memberId}/`)).teamRoles;
    const emails = async (w: World) =>
      ((await ok(ownerToken, 'GET', `/organizations/${w.org.slug}/members/`)) as unknown as Json[])
        .map((m) => m.email)
        .sort();

    it('refuses a member giving a team role it may not give, and hides the link from it', async () => {
      const w = await world();
      const before = await emails(w);
      const url = `/organizations/${w.org.slug}/members/`;
      const admin = await send(session(member), 'POST', url, {
        email: 'x1@holes.test',
        teamRoles: [{ teamSlug: w.teamB.slug, role: 'admin' }],
      });
      expect(admin.statusCode).toBe(400);
      expect(admin.json()).toMatchObject({ teamRoles: [expect.any(String)], detail: expect.any(String) });
      const ownAdmin = await send(session(member), 'POST', url, {
        email: 'x2@holes.test',
        teamRoles: [{ teamSlug: w.teamA.slug, role: 'admin' }],
      });
      expect(ownAdmin.statusCode).toBe(400);
      const contributor = await send(session(member), 'POST', url, {
        email: 'x3@holes.test',
        teams: [w.teamB.slug],
      });
      expect(contributor.statusCode).toBe(400);
      expect(contributor.json()).toMatchObject({ teams: [expect.any(String)], detail: expect.any(String) });
      expect(await emails(w)).toEqual(before);
      // Nor may it join the other team itself (the same rule as an invite naming it).
      const joined = await send(session(member), 'POST', `${url}me/teams/${w.teamB.slug}/`);
      expect(joined.statusCode).toBe(403);

      const plain = await send(session(member), 'POST', url, {
        email: 'x4@holes.test',
        teams: [w.teamA.slug],
      });
      expect(plain.statusCode).toBe(201);
      expect(plain.json()).toMatchObject({ email: 'x4@holes.test', invite_link: null });
      expect(await teamsOf(w, plain.json().id)).toEqual([{ teamSlug: w.teamA.slug, role: null }]);
      const byOwner = await ok(session(owner), 'POST', url, {
        email: 'x5@holes.test',
        teamRoles: [{ teamSlug: w.teamB.slug, role: 'admin' }],
      });
      expect(byOwner.invite_link).toMatch(new RegExp(`/accept/${w.org.slug}/${byOwner.id}/[\\w-]+/$`));
    });

    it('accepts an invite only for the invited address', async () => {
      const w = await world();
      const invited = await ok(session(owner), 'POST', `/organizations/${w.org.slug}/members/`, {
        email: 'Invitee@Holes.test',
        teamRoles: [{ teamSlug: w.teamB.slug, role: 'admin' }],
      });
      const path = new URL(invited.invite_link).pathname.replace(/^\/accept\//, '/accept-invite/');
      const before = await ok(ownerToken, 'GET', `/organizations/${w.org.slug}/members/${invited.id}/`);
      for (const user of [member, stranger]) {
        const res = await send(session(user), 'POST', path);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ detail: 'This invite was sent to another email address.' });
      }
      expect(await ok(ownerToken, 'GET', `/organizations/${w.org.slug}/members/${invited.id}/`)).toEqual(
        before,
      );
      expect((await send(session(stranger), 'GET', `/organizations/${w.org.slug}/`)).statusCode).toBe(403);
      expect(
        await teamsOf(w, (await ok(session(member), 'GET', `/organizations/${w.org.slug}/members/me/`)).id),
      ).toEqual([{ teamSlug: w.teamA.slug, role: null }]);
      // The invited person, with the address in another case, may.
      const invitee = await makeUser(h.ctx, { email: 'invitee@holes.test' });
      await ok(await signIn(h, invitee.email), 'POST', path);
      expect(
        await ok(ownerToken, 'GET', `/organizations/${w.org.slug}/members/${invited.id}/`),
      ).toMatchObject({
        pending: false,
        user: { id: String(invitee.id) },
      });
    });

    it("gives a new link for a member's invite only to those who may manage it", async () => {
      const w = await world();
      const url = `/organizations/${w.org.slug}/members/`;
      const invited = await ok(session(member), 'POST', url, { email: 'late@holes.test' });
      expect(invited.invite_link).toBeNull();
      const regenerate = { reinvite: true, regenerate: true };
      const refused = await send(session(member), 'PUT', `${url}${invited.id}/`, regenerate);
      expect(refused.statusCode).toBe(403);
      const resend = { reinvite: true };
      expect((await send(session(member), 'PUT', `${url}${invited.id}/`, resend)).statusCode).toBe(403);
      // Resending mails a new link (only its hash is kept), shown to the manager too.
      const resent = await ok(session(manager), 'PUT', `${url}${invited.id}/`, resend);
      expect(resent.invite_link).toMatch(/\/accept\//);
      const first = await ok(session(manager), 'PUT', `${url}${invited.id}/`, regenerate);
      const second = await ok(session(manager), 'PUT', `${url}${invited.id}/`, regenerate);
      const pathOf = (link: string) => new URL(link).pathname.replace(/^\/accept\//, '/accept-invite/');
      const invitee = await makeUser(h.ctx, { email: 'late@holes.test' });
      const signedIn = await signIn(h, invitee.email);
      // Only the newest link works.
      expect((await send(signedIn, 'POST', pathOf(first.invite_link))).statusCode).toBe(404);
      await ok(signedIn, 'POST', pathOf(second.invite_link));
      const accepted = await send(session(manager), 'PUT', `${url}${invited.id}/`, regenerate);
      expect(accepted.statusCode).toBe(400);
    });

    it('refuses organization tokens granting roles beyond their scopes', async () => {
      const w = await world();
      const url = `/organizations/${w.org.slug}/members/`;
      const inviter = await orgToken(w, ['member:invite']);
      const writer = await orgToken(w, ['member:write']);
      for (const token of [inviter, writer]) {
        for (const orgRole of ['owner', 'manager']) {
          const res = await send(token, 'POST', url, {
            email: `${orgRole}-${randomBytes(3).toString('hex')}@holes.test`,
            orgRole,
          });
          expect(res.statusCode).toBe(400);
          expect(res.json()).toMatchObject({
            orgRole: ['You do not have permission to set that org-level role'],
          });
        }
      }
      const invited = await send(inviter, 'POST', url, { email: 'ci-invite@holes.test', orgRole: 'member' });
      expect(invited.statusCode).toBe(201);
      expect(invited.json()).toMatchObject({ orgRole: 'member', invite_link: null });
      const memberId = (await ok(session(member), 'GET', `${url}me/`)).id;
      const promote = await send(writer, 'PUT', `${url}${memberId}/`, { orgRole: 'owner' });
      expect(promote.statusCode).toBe(403);
      expect((await ok(ownerToken, 'GET', `${url}${memberId}/`)).orgRole).toBe('member');
    });

    it("refuses a manager setting the organization's default role to owner", async () => {
      const w = await world();
      const url = `/organizations/${w.org.slug}/`;
      const res = await send(session(manager), 'PUT', url, { defaultRole: 'owner' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ defaultRole: [expect.any(String)], detail: expect.any(String) });
      expect((await ok(ownerToken, 'GET', url)).defaultRole).toBe('member');
      expect((await ok(session(manager), 'PUT', url, { defaultRole: 'manager' })).defaultRole).toBe(
        'manager',
      );
    });
  });

  describe('issue ids of unseen issues answer as missing ones', () => {
    it('answers 404 alike for another organization, an unreached project and a missing id', async () => {
      const w = await world();
      const { org: other, team } = await makeOrg(h.ctx, stranger, `elsewhere-${++n}`);
      const { project, key } = await makeProject(h.ctx, other, team, `far-${n}`);
      const eventId = randomBytes(16).toString('hex');
      await h.app.inject({
        method: 'POST',
        url: `/api/${project.id}/store/`,
        payload: { event_id: eventId, level: 'error', message: 'far away' },
        headers: { 'x-sentry-auth': `Sentry sentry_key=${key.publicKey}, sentry_version=7` },
      });
      await h.worker.drain();
      const strangerToken = await makeToken(h.ctx, stranger, ['event:read', 'org:read']);
      const [far] = (await ok(
        strangerToken,
        'GET',
        `/projects/${other.slug}/${project.slug}/issues/`,
      )) as unknown as Json[];
      const missing = '999999999';
      const m = session(member);
      const suffixes = [
        '',
        'events/',
        'events/latest/',
        'hashes/',
        'tags/',
        'tags/level/',
        'tags/level/values/',
      ];
      for (const suffix of suffixes) {
        for (const id of [far?.id, w.i2.issueId, missing]) {
          for (const url of [
            `/issues/${id}/${suffix}`,
            `/organizations/${w.org.slug}/issues/${id}/${suffix}`,
          ]) {
            const res = await send(m, 'GET', url);
            expect(res.statusCode, url).toBe(404);
            expect(res.json(), url).toEqual(NOT_FOUND);
          }
        }
      }
      for (const method of ['PUT', 'DELETE'] as const) {
        for (const id of [far?.id, w.i2.issueId]) {
          const res = await send(
            m,
            method,
            `/issues/${id}/`,
            method === 'PUT' ? { status: 'resolved' } : undefined,
          );
          expect(res.statusCode).toBe(404);
        }
      }
      expect(await statusOf(w, w.i2.issueId)).toBe('unresolved');
      expect((await ok(strangerToken, 'GET', `/issues/${far?.id}/`)).status).toBe('unresolved');
      // No standing in the organization of the URL: 403 whether the id exists or not.
      for (const id of [far?.id, missing]) {
        const res = await send(m, 'GET', `/organizations/${other.slug}/issues/${id}/`);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual(NO_PERMISSION);
      }
      // The member's own team's issue still answers.
      expect((await ok(m, 'GET', `/issues/${w.i1.issueId}/`)).id).toBe(w.i1.issueId);
    });
  });
});
