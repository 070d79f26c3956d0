import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { ApiRoute } from '../../../src/api/route.js';
import { ORG_TOKEN_SCOPES, type Scope, USER_TOKEN_SCOPES } from '../../../src/auth/scopes.js';
import { createOrgToken } from '../../../src/services/org-tokens.js';
import type { Engine } from '../../../src/store/db.js';
import { insertMember } from '../../../src/store/region/members.js';
import { addTeamMember } from '../../../src/store/region/teams.js';
import type { Team, User } from '../../../src/store/types.js';
import { createHarness, makeOrg, makeProject, makeToken, makeUser, signIn } from '../../support/harness.js';
import { CALLER_SPECS, type CallerName, type CallerSpec, noneOf, type Outcome } from './callers.js';
import { MATRIX_SETTINGS, makeEnv } from './env.js';
import { orgRows } from './snapshot.js';
import {
  addTeam,
  type Env,
  NO_PERMISSION,
  NOT_FOUND,
  NOT_PROVIDED,
  next,
  type Session,
  setup,
  type Who,
  type World,
  withIssue,
} from './world.js';

// The role matrix's organizations: one with closed membership holding a person of every role, and
// one with open membership holding a plain member. Both are owned by env.owner, have the project's
// team (T) and a second team (U), and an issue with an event from the start.

type Person = NonNullable<CallerSpec['person']>;

export interface Crew {
  readonly world: World;
  /** A team of the organization that none of its members is on (team U). */
  readonly other: { readonly id: string; readonly slug: string };
  readonly people: ReadonlyMap<Person, { readonly user: User; readonly session: Session }>;
}

export async function makeCrew(env: Env, open: boolean): Promise<Crew> {
  const ctx = env.h.ctx;
  const n = next();
  const { org, team } = await makeOrg(ctx, env.owner, `${open ? 'open' : 'closed'}-${n}-z`);
  const { project, key } = await makeProject(ctx, org, team, `web-${n}-z`);
  const { token } = await createOrgToken(ctx, {
    organizationId: org.id,
    orgSlug: org.slug,
    name: 'world',
    scopes: [...ORG_TOKEN_SCOPES],
    createdById: env.owner.id,
  });
  const world: World = {
    org: { ...org, openMembership: open },
    team,
    project,
    key,
    orgToken: token,
    secrets: [],
    url: ctx.config.url,
  };
  await setup(env, 'PUT', `/api/0/organizations/${org.slug}/`, { openMembership: open });
  const other = await addTeam(env, world);
  // Its creator joined it as admin: off it again, so that U is a team no caller of the matrix is on.
  await setup(env, 'DELETE', `/api/0/organizations/${org.slug}/members/me/teams/${other.slug}/`);
  const people = new Map<Person, { user: User; session: Session }>();
  people.set('owner', { user: env.owner, session: env.ownerSession });
  const cast: [Person, string, Team | null, string | null][] = open
    ? [['member:open', 'member', null, null]]
    : [
        ['manager', 'manager', null, null],
        ['admin', 'admin', null, null],
        ['member:team', 'member', team, null],
        ['member:off', 'member', null, null],
        ['team-admin', 'member', team, 'admin'],
      ];
  for (const [who, role, onTeam, teamRole] of cast) {
    const user = await makeUser(ctx, { email: `${who.replace(':', '-')}-${n}@matrix.test` });
    const member = await insertMember(ctx.db.region, {
      organizationId: org.id,
      userId: user.id,
      email: user.email,
      role,
      inviteTokenHash: null,
      inviterId: null,
      now: ctx.now(),
    });
    if (onTeam) await addTeamMember(ctx.db.region, onTeam.id, member.id, teamRole);
    people.set(who, { user, session: await signIn(env.h, user.email) });
  }
  await withIssue(env, world);
  return { world, other, people };
}

/** The crew's world with a project (and key) made for one cell, on the project's team. */
export async function freshProject(env: Env, crew: Crew): Promise<World> {
  const { project, key } = await makeProject(env.h.ctx, crew.world.org, crew.world.team, `cell-${next()}-z`);
  return { ...crew.world, project, key };
}

export const crewOf = (caller: CallerName) => (caller === 'member:open' ? 'open' : 'closed');

export const whoIs = (caller: CallerName): Who => ({
  name: caller,
  role: CALLER_SPECS[caller].role,
  inviteLinks: CALLER_SPECS[caller].inviteLinks,
});

/** Makes (once per scope set) the credentials a caller sends, as headers. */
export function credentials(env: Env, crews: Record<'open' | 'closed', Crew>) {
  const tokens = new Map<string, Promise<string>>();
  return async (
    caller: CallerName,
    route: ApiRoute,
    grant: readonly Scope[],
  ): Promise<Record<string, string>> => {
    const spec = CALLER_SPECS[caller];
    const crew = crews[crewOf(caller)];
    const allowed = typeof route.auth === 'string' ? [] : (route.auth[route.method] ?? []);
    const scopes: Scope[] =
      spec.scopes === 'grant' && grant.length > 0
        ? [...grant]
        : spec.scopes === 'grant' // a session route grants no scope: the token holds them all
          ? [...(spec.kind === 'org-token' ? ORG_TOKEN_SCOPES : USER_TOKEN_SCOPES)]
          : spec.scopes === 'lacking'
            ? noneOf(USER_TOKEN_SCOPES, allowed)
            : spec.scopes === 'all'
              ? [...ORG_TOKEN_SCOPES]
              : spec.scopes === undefined
                ? []
                : [spec.scopes];
    if (spec.kind === 'session') {
      const session = crew.people.get(spec.person as Person)?.session as Session;
      return route.method === 'GET' ? { cookie: session.cookie } : session.headers;
    }
    if (spec.kind === 'org-token' && scopes.length === 0) throw new Error(`${caller}: no scopes`);
    const cacheKey = `${caller}|${scopes.sort().join(' ')}`;
    let token = tokens.get(cacheKey);
    if (!token) {
      token =
        spec.kind === 'user-token'
          ? makeToken(env.h.ctx, crew.people.get(spec.person as Person)?.user as User, scopes)
          : createOrgToken(env.h.ctx, {
              organizationId: crew.world.org.id,
              orgSlug: crew.world.org.slug,
              name: caller,
              scopes,
              createdById: env.owner.id,
            }).then((t) => t.token);
      tokens.set(cacheKey, token);
    }
    return { authorization: `Bearer ${await token}` };
  };
}

/** Checks a refusal (or any answer but `ok`) against its expected outcome. */
export function expectOutcome(res: LightMyRequestResponse, outcome: Exclude<Outcome, 'ok'>) {
  const [status, body] =
    outcome === 'gate' || outcome === 'deny'
      ? [403, { detail: NO_PERMISSION }]
      : outcome === 'missing'
        ? [404, { detail: NOT_FOUND }]
        : outcome === 'session-only'
          ? [403, { detail: NOT_PROVIDED }]
          : [outcome.status, outcome.body];
  expect(res.statusCode, res.body).toBe(status);
  if (body === '') expect(res.body).toBe('');
  else expect(res.json()).toEqual(body);
  const challenge = res.headers['www-authenticate'];
  // The route gate names the scopes that would do; a handler's refusal has no challenge.
  if (outcome === 'gate') expect(challenge).toMatch(/^Bearer error="insufficient_scope", scope="[^"]+"$/);
  else if (outcome === 'deny') expect(challenge).toBeUndefined();
}

/** The organization's rows, issues and events, to compare around a refused call. */
export const stateOf = (env: Env, crew: Crew) => orgRows(env.h.ctx.db, crew.world.org.id);

/**
 * The people, sessions and tokens of the matrix on one engine: both crews (open and closed
 * membership) and every caller's credentials. The services' clock moves a day each time the
 * environment asks (expiry is tested without waiting).
 */
export async function openMatrixWorld(engine: Engine) {
  let clock = Date.parse('2026-12-01T09:00:00.000Z');
  const h = await createHarness(engine, MATRIX_SETTINGS, { now: () => clock });
  const env = await makeEnv(h, () => {
    clock += 86_400_000;
  });
  const crews = { closed: await makeCrew(env, false), open: await makeCrew(env, true) };
  return { env, crews, headersOf: credentials(env, crews) };
}
