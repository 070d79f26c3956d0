import { expect } from 'vitest';
import { ORG_PROJECT_DATA } from '../support/callers.js';
import { type Env, next, sendDigested, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// Usage stats: each case sends errors with a client report of its own reason, and reads back how
// many the SDK said it dropped for that reason.

async function withClientReport(env: Env, w: World) {
  const reason = `reason_${next()}_z`;
  const report = {
    // A minute ago: the test clock may stand on an hour boundary, the end of the rounded range.
    timestamp: (env.h.ctx.now() - 60_000) / 1000,
    discarded_events: [{ reason, category: 'error', quantity: 7 }],
  };
  await sendDigested(env, w, {
    headers: {},
    items: [{ headers: { type: 'client_report' }, payload: report }],
  });
  return reason;
}

export const STATS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/stats_v2/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_PROJECT_DATA,
    prepare: async (env, w) => {
      const reason = await withClientReport(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/stats_v2/?field=sum(quantity)&groupBy=outcome&groupBy=reason&reason=${reason}&statsPeriod=2h`,
        secrets: [reason],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const groups = res.json().groups as { by: object; totals: object }[];
          expect(groups.map(({ by, totals }) => ({ by, totals }))).toEqual([
            { by: { outcome: 'client_discard', reason }, totals: { 'sum(quantity)': 7 } },
          ]);
        },
      };
    },
  },
};
