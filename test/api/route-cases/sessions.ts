import { expect } from 'vitest';
import { ORG_PROJECT_DATA } from '../support/callers.js';
import { type Env, next, sendDigested, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// Release health: each case sends one crashed session of a release of its own and reads it back.

async function withCrashedSession(env: Env, w: World) {
  const release = `health-${next()}-z`;
  const payload = {
    sid: `00000000-0000-4000-8000-${String(next()).padStart(12, '0')}`,
    init: true,
    // A minute ago: a start at the very instant of the query may fall on an hour boundary, the end
    // of the rounded range, as in Sentry.
    started: new Date(env.h.ctx.now() - 60_000).toISOString(),
    status: 'crashed',
    errors: 1,
    attrs: { release, environment: 'production' },
  };
  await sendDigested(env, w, { headers: {}, items: [{ headers: { type: 'session' }, payload }] });
  return release;
}

export const SESSIONS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/sessions/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_PROJECT_DATA,
    prepare: async (env, w) => {
      const release = await withCrashedSession(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/sessions/?field=sum(session)&field=crash_free_rate(session)&groupBy=release&statsPeriod=2h&query=release:${release}`,
        secrets: [release],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          // Two hours: the session's and the one before or after it, whichever the range holds.
          const groups = res.json().groups as { series: Record<string, (number | null)[]> }[];
          expect(groups).toEqual([
            {
              by: { release },
              totals: { 'sum(session)': 1, 'crash_free_rate(session)': 0 },
              series: { 'sum(session)': expect.any(Array), 'crash_free_rate(session)': expect.any(Array) },
            },
          ]);
          const sessions = groups[0]?.series['sum(session)'] ?? [];
          expect([...sessions].sort()).toEqual([0, 1]);
        },
      };
    },
  },
};
