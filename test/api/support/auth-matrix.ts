import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../../src/api/permissions.js';
import type { ApiRoute } from '../../../src/api/route.js';
import { API_ROUTES } from '../../../src/api/routes.js';
import { ORG_TOKEN_SCOPES, type Scope, USER_TOKEN_SCOPES } from '../../../src/auth/scopes.js';
import { createOrgToken } from '../../../src/services/org-tokens.js';
import { TEST_ENGINES } from '../../support/engines.js';
import { createHarness, makeOrg, makeProject, makeToken } from '../../support/harness.js';
import { createRegionHarness } from '../../support/regions.js';
import { grantOf, ROUTE_CASES, type RouteCase } from '../route-cases/index.js';
import { noneOf } from './callers.js';
import { MATRIX_SETTINGS, makeEnv } from './env.js';
import { orgSnapshot } from './snapshot.js';
import {
  call,
  type Env,
  NO_PERMISSION,
  NOT_PROVIDED,
  next,
  type Prepared,
  RIGHTFUL,
  type World,
  withIssue,
} from './world.js';

// Every route of API_ROUTES × every kind of caller (rest-api.md §1–§3): no or malformed
// credentials, unknown, expired and revoked tokens, tokens without the scope, callers from another
// organization, and the rightful caller. The calls themselves are in route-cases/.

const CSRF_FAILED = 'CSRF Failed: CSRF token missing or incorrect.';
const DAY = 86_400_000;
const SAFE = new Set<Method>(['GET']);

const routeKey = (route: ApiRoute) => `${route.method} ${route.url}`;

/** Everything organization A holds as its owner reads it (issues and events too), and the outsider's organizations. */
async function snapshot(env: Env, w: World): Promise<unknown> {
  const outsiderOrgs = await call(env, 'GET', '/api/0/organizations/', undefined, env.outsiderToken);
  return {
    a: await orgSnapshot(env.h, w.org.slug, env.full, env.ownerSession),
    outsiderOrgs: (outsiderOrgs.json() as { slug: string }[]).map((o) => o.slug),
  };
}

/**
 * The matrix on each test engine, with one region or with two. With two, organization A lives in the
 * EU region and every call reaches it through the US node, which forwards it; organization B lives
 * in the US region. Each setup is a test file of its own, so that the two run side by side.
 */
export function describeAuthMatrix(regions: 'one region' | 'two regions'): void {
  describe.each(TEST_ENGINES)(`authentication and scopes of every route on %s, ${regions}`, (engine) => {
    // The services' clock, moved by hand: expiry is tested without waiting.
    let clock = Date.parse('2026-12-01T09:00:00.000Z');
    let env: Env;

    beforeAll(async () => {
      const h =
        regions === 'one region'
          ? await createHarness(engine, MATRIX_SETTINGS, { now: () => clock })
          : await createRegionHarness(engine, () => clock, MATRIX_SETTINGS);
      env = await makeEnv(h, () => {
        clock += DAY;
      });
    });
    afterAll(() => env?.h.close());

    it('has exactly one case per route of API_ROUTES', () => {
      const keys = API_ROUTES.map(routeKey);
      expect(new Set(keys).size).toBe(keys.length);
      const cases = Object.keys(ROUTE_CASES);
      expect({
        'routes without a case (add one to ROUTE_CASES in route-cases/)': keys.filter(
          (k) => !cases.includes(k),
        ),
        'cases without a route': cases.filter((k) => !keys.includes(k)),
      }).toEqual({
        'routes without a case (add one to ROUTE_CASES in route-cases/)': [],
        'cases without a route': [],
      });
    });

    async function world(orgTokenScopes: Scope[] = [...ORG_TOKEN_SCOPES]): Promise<World> {
      const n = next();
      const { org, team } = await makeOrg(env.h.ctx, env.owner, `acme-${n}-z`);
      const { project, key } = await makeProject(env.h.ctx, org, team, `web-${n}-z`);
      const { token } = await createOrgToken(env.h.ctx, {
        organizationId: org.id,
        orgSlug: org.slug,
        name: 'world',
        scopes: orgTokenScopes,
        createdById: env.owner.id,
      });
      return {
        org,
        team,
        project,
        key,
        orgToken: token,
        secrets: [org.slug, org.name, team.slug, project.slug, key.publicKey, key.secretKey, env.owner.email],
        url: env.h.ctx.config.url,
      };
    }

    function send(
      route: ApiRoute,
      p: Prepared,
      headers: { authorization?: string; cookie?: string; 'x-csrftoken'?: string },
    ) {
      return env.h.app.inject({
        method: route.method,
        url: p.url,
        headers,
        ...(p.payload === undefined ? {} : { payload: p.payload as Record<string, unknown> }),
      });
    }

    function expectUnauthorized(res: LightMyRequestResponse, detail: string, label: string) {
      expect(res.statusCode, label).toBe(401);
      expect(res.json(), label).toEqual({ detail });
      expect(res.headers['www-authenticate'], label).toBe('xBasic realm="api"');
    }

    describe.each(API_ROUTES.map((route) => [routeKey(route), route] as const))('%s', (key, route) => {
      const method = route.method;

      /** Prepares the case in a fresh world and checks that `act` leaves everything as it was. */
      async function unchanged(act: (p: Prepared, w: World) => Promise<void>, orgTokenScopes?: Scope[]) {
        const c = ROUTE_CASES[key];
        if (!c) throw new Error(`no case for ${key}: add one to ROUTE_CASES in route-cases/`);
        const w = await world(orgTokenScopes);
        const p = await c.prepare(env, w);
        // An issue with an event in every world: a refused call must leave issues alone too.
        await withIssue(env, w);
        const before = await snapshot(env, w);
        await act(p, w);
        expect(await snapshot(env, w)).toEqual(before);
      }

      it('rejects missing, malformed, unknown, expired and revoked credentials with 401', async () => {
        await unchanged(async (p, w) => {
          if (route.auth !== 'public') {
            expectUnauthorized(await send(route, p, {}), NOT_PROVIDED, 'no credentials');
          }
          const cases: [string, string, string][] = [
            ['Bearer', 'Invalid token header. No credentials provided.', 'bare Bearer'],
            ['Bearer a b', 'Invalid token header. Token string should not contain spaces.', 'spaces'],
            [`Bearer sntryu_${'0'.repeat(64)}`, 'Invalid token', 'unknown token'],
            [`bearer ${env.expiredToken}`, 'Token expired', 'expired user token'],
            [`Bearer ${env.revokedOrgToken}`, 'Invalid org token', 'revoked org token'],
            [`Bearer ${w.key.publicKey}`, 'Invalid token', 'DSN public key as a token'],
            [`Bearer ${w.key.secretKey}`, 'Invalid token', 'DSN secret key as a token'],
          ];
          for (const [authorization, detail, label] of cases) {
            expectUnauthorized(await send(route, p, { authorization }), detail, label);
          }
        });
      });

      if (route.auth === 'public') {
        it('serves a caller without credentials', async () => {
          const w = await world();
          const p = await (ROUTE_CASES[key] as RouteCase).prepare(env, w);
          await p.check(await send(route, p, {}), RIGHTFUL);
        });
        return;
      }

      if (route.auth === 'session') {
        it('refuses every bearer token with 403, and a session without the CSRF token', async () => {
          await unchanged(async (p, w) => {
            for (const [token, label] of [
              [env.full, 'user token with every scope'],
              [w.orgToken, 'org token with every scope'],
            ] as const) {
              const res = await send(route, p, { authorization: `Bearer ${token}` });
              expect(res.statusCode, label).toBe(403);
              expect(res.json(), label).toEqual({ detail: NOT_PROVIDED });
              expect(res.headers['www-authenticate'], label).toBeUndefined();
            }
            if (!SAFE.has(method)) {
              const session = p.session ?? env.ownerSession;
              const other = session === env.ownerSession ? env.outsiderSession : env.ownerSession;
              for (const [csrf, label] of [
                [undefined, 'no CSRF header'],
                ['wrong', 'wrong CSRF header'],
                [other.csrf, "another session's CSRF token"],
              ] as const) {
                const res = await send(route, p, {
                  cookie: session.cookie,
                  ...(csrf === undefined ? {} : { 'x-csrftoken': csrf }),
                });
                expect(res.statusCode, label).toBe(403);
                expect(res.json(), label).toEqual({ detail: CSRF_FAILED });
              }
            }
          });
        });

        const c = ROUTE_CASES[key];
        if (c?.foreign !== 'none') {
          it(`${c?.foreign === 'filter' ? 'shows' : 'denies'} another person nothing of the owner's`, async () => {
            await unchanged(async (p, w) => {
              const res = await send(route, p, env.outsiderSession.headers);
              const secrets = [...w.secrets, ...(p.secrets ?? [])];
              if (c?.foreign === 'filter') expect(res.statusCode).toBe(200);
              else expect([403, 404]).toContain(res.statusCode);
              for (const s of secrets) expect(res.body).not.toContain(s);
            });
          });
        }

        it('serves a signed-in person (with the CSRF token on unsafe methods)', async () => {
          const w = await world();
          const p = await (ROUTE_CASES[key] as RouteCase).prepare(env, w);
          const session = p.session ?? env.ownerSession;
          await p.check(
            await send(route, p, SAFE.has(method) ? { cookie: session.cookie } : session.headers),
            RIGHTFUL,
          );
        });
        return;
      }

      const allowed = route.auth[method] ?? [];

      it('refuses a token holding none of the scopes of the method with 403 naming them', async () => {
        expect(allowed.length).toBeGreaterThan(0);
        const userToken = await makeToken(env.h.ctx, env.owner, noneOf(USER_TOKEN_SCOPES, allowed));
        await unchanged(
          async (p, w) => {
            for (const [token, label] of [
              [userToken, 'user token'],
              [w.orgToken, 'org token'],
            ] as const) {
              const res = await send(route, p, { authorization: `Bearer ${token}` });
              expect(res.statusCode, label).toBe(403);
              expect(res.json(), label).toEqual({ detail: NO_PERMISSION });
              const header = res.headers['www-authenticate'] as string;
              const match = /^Bearer error="insufficient_scope", scope="([^"]*)"$/.exec(header);
              expect(match, `${label}: ${header}`).not.toBeNull();
              expect(match?.[1]?.split(' ').sort(), label).toEqual([...allowed].sort());
            }
          },
          noneOf(ORG_TOKEN_SCOPES, allowed),
        );
      });

      const c = ROUTE_CASES[key];
      if (c?.foreign !== 'none') {
        it(`${c?.foreign === 'filter' ? 'shows' : 'denies'} a non-member and another organization's token nothing of organization A`, async () => {
          await unchanged(async (p, w) => {
            const secrets = [...w.secrets, ...(p.secrets ?? [])];
            for (const [token, label] of [
              [env.outsiderToken, "non-member's token with every scope"],
              [env.orgBToken, "org B's token with every scope"],
            ] as const) {
              const res = await send(route, p, { authorization: `Bearer ${token}` });
              if (c?.foreign === 'filter') expect(res.statusCode, label).toBe(200);
              else {
                expect([403, 404], label).toContain(res.statusCode);
                expect(res.json(), label).toEqual({
                  detail: res.statusCode === 403 ? NO_PERMISSION : 'The requested resource does not exist',
                });
              }
              for (const s of secrets) expect(res.body, label).not.toContain(s);
            }
          });
        });
      }

      it('serves a token holding one of the scopes', async () => {
        const c = ROUTE_CASES[key] as RouteCase;
        expect(c.grant, 'the case names the scope it grants').toBeDefined();
        expect(allowed).toContain(c.grant);
        const w = await world();
        const p = await c.prepare(env, w);
        const token = await makeToken(env.h.ctx, env.owner, grantOf(c));
        await p.check(await send(route, p, { authorization: `Bearer ${token}` }), RIGHTFUL);
      });
    });
  });
}
