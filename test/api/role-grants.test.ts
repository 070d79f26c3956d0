import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/api/routes.js';
import { ORG_ROLES, type OrgRole, type Scope } from '../../src/auth/scopes.js';
import { TEST_ENGINES } from '../support/engines.js';
import { CALLERS, type CallerName } from './support/callers.js';
import {
  type Crew,
  type credentials,
  crewOf,
  expectOutcome,
  openMatrixWorld,
  stateOf,
} from './support/matrix-world.js';
import { call, type Env, invite, NO_PERMISSION, next, setup } from './support/world.js';

// The role-granting cells of the role matrix (docs/access-policy.md 4 and 5): each caller inviting each
// role, promoting an invited member to each role, setting the organization's default role to each
// role, and inviting into a team (as its admin, or as a contributor) that the caller is not on.
// Accepting an invite sent to someone else is in the matrix itself (POST /accept-invite/…).

const ALL: readonly OrgRole[] = ORG_ROLES;

/** Per caller: the roles it may grant, or the refusal every role gets (`deny` 403, `gate` the scope gate). */
type Grants = Readonly<Record<CallerName, readonly OrgRole[] | 'deny' | 'gate'>>;
const GATED = {
  'token:owner:lacking': 'gate',
  'token:member:lacking': 'gate',
  'org:ci': 'gate',
  'org:read': 'gate',
} as const;

/** Inviting (member:invite): up to one's own role, and only roles whose scopes one holds. */
const INVITE: Grants = {
  owner: ALL,
  manager: ['member', 'admin', 'manager'],
  admin: ['member', 'admin'],
  'member:open': ['member'],
  'member:team': ['member'],
  'member:off': ['member'],
  'team-admin': ['member'],
  'token:owner': ['member'],
  'token:manager': ['member'],
  'token:admin': ['member'],
  'token:member': ['member'],
  'org:grant': ['member'],
  'org:all': ALL,
  ...GATED,
};
/** Promoting (member:write): the same rule over the new role; without member:write, 403 for every role. */
const PROMOTE: Grants = {
  owner: ALL,
  manager: ['member', 'admin', 'manager'],
  admin: 'deny',
  'member:open': 'deny',
  'member:team': 'deny',
  'member:off': 'deny',
  'team-admin': 'deny',
  'token:owner': ['member'],
  'token:manager': ['member'],
  'token:admin': 'deny',
  'token:member': 'deny',
  'org:grant': ['member'],
  'org:all': ALL,
  ...GATED,
};
/** The default role (org:write): the same rule; without org:write, 403 for every role. */
const DEFAULT_ROLE: Grants = { ...PROMOTE };

/** Team roles given with an invite, on team U, which no member of the matrix is on (docs/access-policy.md 5). */
type TeamGrants = Readonly<Record<CallerName, 'ok' | 'refused' | 'gate'>>;
const TEAM_ADMIN_ON_OTHER: TeamGrants = {
  owner: 'ok',
  manager: 'ok',
  admin: 'ok',
  'member:open': 'refused',
  'member:team': 'refused',
  'member:off': 'refused',
  'team-admin': 'refused',
  'token:owner': 'refused',
  'token:manager': 'refused',
  'token:admin': 'refused',
  'token:member': 'refused',
  'org:grant': 'refused',
  'org:all': 'ok',
  ...GATED,
};
/** As a contributor: team:write, or open membership, will do. */
const CONTRIBUTOR_ON_OTHER: TeamGrants = { ...TEAM_ADMIN_ON_OTHER, 'member:open': 'ok' };

const INVITE_REFUSED = {
  orgRole: ['You do not have permission to set that org-level role'],
  detail: 'You do not have permission to invite a member with that role.',
};

describe.each(TEST_ENGINES)('granting roles on %s', (engine) => {
  let env: Env;
  let crews: Record<'open' | 'closed', Crew>;
  let headersOf: ReturnType<typeof credentials>;

  beforeAll(async () => {
    ({ env, crews, headersOf } = await openMatrixWorld(engine));
  });
  afterAll(() => env?.h.close());

  /** Sends one call as `caller` with `grant` as the scope of its grant tokens; returns the answer and a state check. */
  async function send(caller: CallerName, key: string, grant: Scope, url: string, payload: unknown) {
    const route = API_ROUTES.find((r) => `${r.method} ${r.url}` === key);
    if (!route) throw new Error(`${key} is not a route`);
    const crew = crews[crewOf(caller)];
    const headers = await headersOf(caller, route, [grant]);
    const before = await stateOf(env, crew);
    const res = await env.h.app.inject({
      method: route.method,
      url,
      headers,
      payload: payload as Record<string, unknown>,
    });
    return { res, crew, unchanged: async () => expect(await stateOf(env, crew)).toEqual(before) };
  }

  function refusal(res: LightMyRequestResponse, grants: readonly OrgRole[] | 'deny' | 'gate', body: unknown) {
    if (grants === 'gate' || grants === 'deny') expectOutcome(res, grants);
    else
      expectOutcome(res, {
        status: body === NO_PERMISSION ? 403 : 400,
        body: body === NO_PERMISSION ? { detail: NO_PERMISSION } : body,
      });
  }

  const cells = (grants: Grants) =>
    CALLERS.flatMap((caller) => ALL.map((role) => [caller, role, grants[caller]] as const));

  it.each(cells(INVITE))('%s invites a %s: %j', async (caller, role, grants) => {
    const email = `granted-${next()}@example.com`;
    const { res, crew, unchanged } = await send(
      caller,
      'POST /organizations/:org/members/',
      'member:invite',
      `/api/0/organizations/${crews[crewOf(caller)].world.org.slug}/members/`,
      { email, orgRole: role },
    );
    if (Array.isArray(grants) && grants.includes(role)) {
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ email, orgRole: role, pending: true });
      const read = await call(
        env,
        'GET',
        `/api/0/organizations/${crew.world.org.slug}/members/${res.json().id}/`,
      );
      expect(read.json().orgRole).toBe(role);
    } else {
      refusal(res, grants, INVITE_REFUSED);
      await unchanged();
    }
  });

  it.each(cells(PROMOTE))('%s promotes a member to %s: %j', async (caller, role, grants) => {
    const crew = crews[crewOf(caller)];
    const member = await invite(env, crew.world);
    const url = `/api/0/organizations/${crew.world.org.slug}/members/${member.id}/`;
    const { res, unchanged } = await send(
      caller,
      'PUT /organizations/:org/members/:member/',
      'member:write',
      url,
      {
        orgRole: role,
      },
    );
    if (Array.isArray(grants) && grants.includes(role)) {
      expect(res.statusCode, res.body).toBe(200);
      expect((await call(env, 'GET', url)).json().orgRole).toBe(role);
    } else {
      refusal(res, grants, NO_PERMISSION);
      await unchanged();
    }
  });

  it.each(cells(DEFAULT_ROLE))('%s sets the default role to %s: %j', async (caller, role, grants) => {
    const crew = crews[crewOf(caller)];
    const url = `/api/0/organizations/${crew.world.org.slug}/`;
    const { res, unchanged } = await send(caller, 'PUT /organizations/:org/', 'org:write', url, {
      defaultRole: role,
    });
    if (Array.isArray(grants) && grants.includes(role)) {
      expect(res.statusCode, res.body).toBe(200);
      expect((await call(env, 'GET', url)).json().defaultRole).toBe(role);
      // Back to member, so that the other cells start from the same organization.
      await setup(env, 'PUT', url, { defaultRole: 'member' });
    } else if (grants === 'gate' || grants === 'deny') {
      expectOutcome(res, grants);
      await unchanged();
    } else {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toEqual({ defaultRole: [expect.any(String)], detail: expect.any(String) });
      await unchanged();
    }
  });

  const teamCells = (grants: TeamGrants) => CALLERS.map((caller) => [caller, grants[caller]] as const);
  for (const [what, teamRole, grants] of [
    ['as admin', 'admin', TEAM_ADMIN_ON_OTHER],
    ['as contributor', null, CONTRIBUTOR_ON_OTHER],
  ] as const) {
    it.each(teamCells(grants))(
      `%s invites someone into a team it is not on, ${what}: %s`,
      async (caller, outcome) => {
        const crew = crews[crewOf(caller)];
        const email = `teamed-${next()}@example.com`;
        const { res, unchanged } = await send(
          caller,
          'POST /organizations/:org/members/',
          'member:invite',
          `/api/0/organizations/${crew.world.org.slug}/members/`,
          { email, orgRole: 'member', teamRoles: [{ teamSlug: crew.other.slug, role: teamRole }] },
        );
        if (outcome === 'ok') {
          expect(res.statusCode, res.body).toBe(201);
          expect(res.json()).toMatchObject({ teamRoles: [{ teamSlug: crew.other.slug, role: teamRole }] });
          return;
        }
        if (outcome === 'gate') expectOutcome(res, 'gate');
        else {
          expect(res.statusCode, res.body).toBe(400);
          const body = res.json();
          expect(typeof body.detail).toBe('string');
          expect(Array.isArray(body.teamRoles) || Array.isArray(body.teams), res.body).toBe(true);
        }
        await unchanged();
      },
    );
  }

  it('lets a team admin invite someone as admin of its own team, and not a contributor of that team', async () => {
    const crew = crews.closed;
    const body = (who: string) => ({
      email: `${who}-${next()}@example.com`,
      orgRole: 'member',
      teamRoles: [{ teamSlug: crew.world.team.slug, role: 'admin' }],
    });
    const url = `/api/0/organizations/${crew.world.org.slug}/members/`;
    const key = 'POST /organizations/:org/members/';
    const ok = await send('team-admin', key, 'member:invite', url, body('by-team-admin'));
    expect(ok.res.statusCode, ok.res.body).toBe(201);
    const refused = await send('member:team', key, 'member:invite', url, body('by-contributor'));
    expect(refused.res.statusCode, refused.res.body).toBe(400);
    await refused.unchanged();
  });
});
