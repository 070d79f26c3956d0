import { expect } from 'vitest';
import { ROLE_SCOPES } from '../../../src/auth/scopes.js';
import { makeUser, signIn } from '../../support/harness.js';
import {
  INVITE_ACCEPT_OTHER,
  INVITE_READ,
  MEMBER_INVITE,
  MEMBER_PROMOTE,
  MEMBER_READ,
  MEMBER_REMOVE,
  TEAM_JOIN,
  TEAM_LEAVE,
  TEAM_READ,
} from '../support/callers.js';
import { call, expectNotFound, invite, next, RIGHTFUL } from '../support/world.js';
import type { RouteCase } from './case.js';

// Members, their teams, and invites.

export const MEMBERS_CASES: Record<string, RouteCase> = {
  'GET /teams/:org/:team/members/': {
    grant: 'team:read',
    foreign: 'deny',
    callers: TEAM_READ,
    prepare: async (env, w) => ({
      url: `/api/0/teams/${w.org.slug}/${w.team.slug}/members/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toContainEqual(
          expect.objectContaining({
            email: env.owner.email,
            orgRole: 'owner',
            teamRole: 'admin',
            teamSlug: w.team.slug,
            user: expect.objectContaining({ id: String(env.owner.id) }),
          }),
        );
      },
    }),
  },
  'POST /organizations/:org/members/:member/teams/:team/': {
    grant: 'team:write',
    foreign: 'deny',
    callers: TEAM_JOIN,
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/teams/${w.team.slug}/`,
        secrets: [member.email],
        check: async (res, who) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({ slug: w.team.slug });
          if (who === RIGHTFUL) expect(res.json()).toMatchObject({ memberCount: 2 });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`);
          expect(read.json().teams).toEqual([w.team.slug]);
        },
      };
    },
  },
  'DELETE /organizations/:org/members/:member/teams/:team/': {
    grant: 'team:admin',
    foreign: 'deny',
    callers: TEAM_LEAVE,
    prepare: async (env, w) => {
      const member = await invite(env, w, [w.team.slug]);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/teams/${w.team.slug}/`,
        secrets: [member.email],
        check: async (res, who) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ slug: w.team.slug });
          if (who === RIGHTFUL) expect(res.json()).toMatchObject({ memberCount: 1 });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`);
          expect(read.json().teams).toEqual([]);
        },
      };
    },
  },
  'GET /organizations/:org/members/': {
    grant: 'member:read',
    foreign: 'deny',
    callers: MEMBER_READ,
    prepare: async (env, w) => ({
      url: `/api/0/organizations/${w.org.slug}/members/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toContainEqual(
          expect.objectContaining({
            email: env.owner.email,
            orgRole: 'owner',
            pending: false,
            user: expect.objectContaining({ id: String(env.owner.id), email: env.owner.email }),
          }),
        );
      },
    }),
  },
  'POST /organizations/:org/members/': {
    grant: 'member:invite',
    foreign: 'deny',
    callers: MEMBER_INVITE,
    prepare: async (env, w) => {
      const email = `new-${next()}@example.com`;
      return {
        url: `/api/0/organizations/${w.org.slug}/members/`,
        payload: { email, orgRole: 'member' },
        check: async (res, who) => {
          expect(res.statusCode).toBe(201);
          const body = res.json();
          expect(body).toMatchObject({ email, orgRole: 'member', pending: true, user: null });
          // The link is shown only to callers who may manage the invite (docs/access-policy.md 7).
          if (who.inviteLinks)
            expect(body.invite_link).toMatch(
              new RegExp(`^${w.url}/accept/${w.org.slug}/${body.id}/[A-Za-z0-9_-]+/$`),
            );
          else expect(body.invite_link).toBeNull();
          // Whoever invites, the invited address is sent the link.
          const mailed = env.h.mail.to(email);
          expect(mailed).toHaveLength(1);
          expect(mailed[0]?.text).toMatch(
            new RegExp(`${w.url}/accept/${w.org.slug}/${body.id}/[A-Za-z0-9_-]+/`),
          );
          const list = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/`);
          expect(list.json().map((m: { email: string }) => m.email)).toContain(email);
        },
      };
    },
  },
  'GET /organizations/:org/members/:member/': {
    grant: 'member:read',
    foreign: 'deny',
    callers: MEMBER_READ,
    prepare: async (env, w) => {
      const member = await invite(env, w, [w.team.slug]);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/`,
        secrets: [member.email],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({
            id: member.id,
            email: member.email,
            orgRole: 'member',
            pending: true,
            teams: [w.team.slug],
            teamRoles: [{ teamSlug: w.team.slug, role: null }],
            isOnlyOwner: false,
          });
        },
      };
    },
  },
  'PUT /organizations/:org/members/:member/': {
    grant: 'member:write',
    // Granting manager takes every scope of the role besides member:write (docs/access-policy.md 4).
    alsoGrants: [...ROLE_SCOPES.manager],
    foreign: 'deny',
    callers: MEMBER_PROMOTE,
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/`,
        payload: { orgRole: 'manager' },
        secrets: [member.email],
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ id: member.id, orgRole: 'manager', role: 'manager' });
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`);
          expect(read.json().orgRole).toBe('manager');
        },
      };
    },
  },
  'DELETE /organizations/:org/members/:member/': {
    grant: 'member:admin',
    foreign: 'deny',
    callers: MEMBER_REMOVE,
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/members/${member.id}/`,
        secrets: [member.email],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`));
        },
      };
    },
  },
  'GET /accept-invite/:org/:member/:token/': {
    foreign: 'none',
    callers: INVITE_READ,
    prepare: async (env, w) => {
      const member = await invite(env, w);
      return {
        url: `/api/0/accept-invite/${w.org.slug}/${member.id}/${member.token}/`,
        session: env.outsiderSession,
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({
            orgSlug: w.org.slug,
            organization: { id: String(w.org.id), slug: w.org.slug },
            email: member.email,
            role: 'member',
          });
        },
      };
    },
  },
  'POST /accept-invite/:org/:member/:token/': {
    foreign: 'none',
    callers: INVITE_ACCEPT_OTHER,
    prepare: async (env, w) => {
      // Addressed to the person who accepts it, written otherwise (docs/access-policy.md 6 compares normalized).
      const person = await makeUser(env.h.ctx);
      const member = await invite(env, w, [], ` ${person.email.toUpperCase()}`);
      return {
        url: `/api/0/accept-invite/${w.org.slug}/${member.id}/${member.token}/`,
        session: await signIn(env.h, person.email),
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const read = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/members/${member.id}/`);
          expect(read.json()).toMatchObject({
            email: person.email,
            pending: false,
            user: { id: String(person.id) },
          });
        },
      };
    },
  },
};
