import { expect } from 'vitest';
import { LOG_CONTENT_TYPE } from '../../../src/digest/items/log.js';
import { ORG_PROJECT_DATA, PROJECT_EVENTS } from '../support/callers.js';
import { type Env, next, sendDigested, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// The logs dataset of the events endpoint: each case sends one log record of its own and finds it.

async function withLog(env: Env, w: World) {
  const body = `checkout failed ${next()}-z`;
  const payload = {
    items: [
      {
        timestamp: (env.h.ctx.now() - 60_000) / 1000,
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        level: 'error',
        body,
        attributes: { cart: { value: body, type: 'string' } },
      },
    ],
  };
  await sendDigested(env, w, {
    headers: {},
    items: [{ headers: { type: 'log', item_count: 1, content_type: LOG_CONTENT_TYPE }, payload }],
  });
  return body;
}

/** The item id of the one log whose body is `body`, as the events endpoint lists it. */
async function itemIdOf(env: Env, w: World, body: string): Promise<string> {
  const found = await env.h.request({
    method: 'GET',
    url: `/api/0/organizations/${w.org.slug}/events/?dataset=logs&field=sentry.item_id&statsPeriod=1h&query=${encodeURIComponent(`"${body}"`)}`,
    token: env.full,
  });
  const id = found.json().data?.[0]?.['sentry.item_id'];
  if (typeof id !== 'string') throw new Error(`log not found: ${found.body}`);
  return id;
}

export const LOGS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/events/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_PROJECT_DATA,
    prepare: async (env, w) => {
      const body = await withLog(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/events/?dataset=logs&field=message&field=severity&field=cart&statsPeriod=1h&query=${encodeURIComponent(`"${body}"`)}`,
        secrets: [body],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json().data).toEqual([{ message: body, severity: 'error', cart: body }]);
        },
      };
    },
  },
  'GET /projects/:org/:project/trace-items/:item/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const body = await withLog(env, w);
      const itemId = await itemIdOf(env, w, body);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/trace-items/${itemId}/?item_type=logs`,
        secrets: [body],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const { attributes } = res.json() as {
            attributes: { name: string; type: string; value: unknown }[];
          };
          expect(attributes).toContainEqual({ name: 'cart', type: 'str', value: body });
          expect(attributes).toContainEqual({ name: 'message', type: 'str', value: body });
          expect(attributes).toContainEqual({ name: 'severity', type: 'str', value: 'error' });
        },
      };
    },
  },
};
