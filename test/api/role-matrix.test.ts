import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../../src/api/route.js';
import { API_ROUTES } from '../../src/api/routes.js';
import { TEST_ENGINES } from '../support/engines.js';
import { grantOf, ROUTE_CASES, type RouteCase } from './route-cases/index.js';
import { CALLERS, type CallerName, type Expectations } from './support/callers.js';
import {
  type Crew,
  type credentials,
  crewOf,
  expectOutcome,
  freshProject,
  openMatrixWorld,
  stateOf,
  whoIs,
} from './support/matrix-world.js';
import type { Env, Prepared, World } from './support/world.js';

// Role × action (the rules are in src/api/access.ts and src/api/grants.ts): every route that
// reaches an organization's data, called by every caller of support/callers.ts, with the outcome
// its case in route-cases/ states. Read-only
// cells share one prepared call; a cell that may change something gets a project of its own; a
// refused call must leave the organization, its issues and events as they were.

const routeKey = (route: ApiRoute) => `${route.method} ${route.url}`;
const expectationsOf = (c: RouteCase | undefined): Expectations | null =>
  c && !('outside' in c.callers) ? c.callers : null;
const MATRIX = API_ROUTES.filter((r) => expectationsOf(ROUTE_CASES[routeKey(r)]) !== null);

describe.each(TEST_ENGINES)('role x action matrix on %s', (engine) => {
  let env: Env;
  let crews: Record<'open' | 'closed', Crew>;
  let headersOf: ReturnType<typeof credentials>;
  /** Prepared calls shared by the cells that must change nothing, per route and organization. */
  const shared = new Map<string, Promise<Prepared>>();

  beforeAll(async () => {
    ({ env, crews, headersOf } = await openMatrixWorld(engine));
  });
  afterAll(() => env?.h.close());

  it('states an outcome for every caller of every route that reaches organization data', () => {
    const gaps: string[] = [];
    for (const route of API_ROUTES) {
      const c = ROUTE_CASES[routeKey(route)];
      if (!c) gaps.push(`${routeKey(route)}: no case`);
      else if ('outside' in c.callers) expect(c.callers.outside, routeKey(route)).not.toBe('');
      else {
        const named = Object.keys(c.callers);
        for (const caller of CALLERS)
          if (!named.includes(caller)) gaps.push(`${routeKey(route)}: nothing for ${caller}`);
        for (const n of named)
          if (!(CALLERS as readonly string[]).includes(n)) gaps.push(`${routeKey(route)}: unknown ${n}`);
      }
    }
    expect(gaps).toEqual([]);
    expect(MATRIX.length).toBeGreaterThan(60);
  });

  describe.each(MATRIX.map((r) => [routeKey(r), r] as const))('%s', (key, route) => {
    const c = ROUTE_CASES[key] as RouteCase;
    const expectations = expectationsOf(c) as Expectations;
    const writes = route.method !== 'GET';

    /** A world for a cell: a project of its own where the call may change things. */
    const worldFor = (crew: Crew): Promise<World> =>
      writes ? freshProject(env, crew) : Promise.resolve(crew.world);

    function sharedCall(crewName: 'open' | 'closed'): Promise<Prepared> {
      const id = `${key}|${crewName}`;
      let p = shared.get(id);
      if (!p) {
        p = worldFor(crews[crewName]).then((w) => c.prepare(env, w));
        shared.set(id, p);
      }
      return p;
    }

    it.each(CALLERS.map((caller) => [caller, expectations[caller]] as const))(
      '%s: %j',
      async (caller: CallerName, outcome) => {
        const crewName = crewOf(caller);
        const crew = crews[crewName];
        const fresh = outcome === 'ok' && writes;
        const p = fresh ? await c.prepare(env, await worldFor(crew)) : await sharedCall(crewName);
        // The route gate (register.ts) refuses before any handler runs: only the handlers' refusals
        // are compared with the state before, which keeps the matrix within its time.
        const gated = outcome === 'gate' || outcome === 'session-only';
        const headers = await headersOf(caller, route, grantOf(c));
        const before = !fresh && writes && !gated ? await stateOf(env, crew) : null;
        const res = await env.h.app.inject({
          method: route.method,
          url: p.url,
          headers,
          ...(p.payload === undefined ? {} : { payload: p.payload as Record<string, unknown> }),
        });
        try {
          if (outcome === 'ok') {
            expect(res.statusCode, res.body).toBeLessThan(300);
            await p.check(res, whoIs(caller));
          } else expectOutcome(res, outcome);
          if (before) expect(await stateOf(env, crew), 'a refused call changed nothing').toEqual(before);
        } catch (error) {
          // Whatever this call did, the next cells prepare their call afresh.
          shared.delete(`${key}|${crewName}`);
          throw error;
        }
      },
    );
  });
});
