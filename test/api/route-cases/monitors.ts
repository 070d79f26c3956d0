import { expect } from 'vitest';
import { LACKING_TOKENS, PROJECT_ALERTS, PROJECT_REACHERS, table } from '../support/callers.js';
import { call, type Env, NOT_FOUND, next, setup, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// Cron monitors. Every case makes a monitor of its own in the world's project, so that no cell
// reads another's changes.

const CONFIG = { schedule_type: 'crontab', schedule: '0 * * * *', checkin_margin: 5 };
const orgMonitors = (w: World) => `/api/0/organizations/${w.org.slug}/monitors/`;

async function withMonitor(env: Env, w: World) {
  const slug = `mon-${next()}-z`;
  await setup(env, 'POST', orgMonitors(w), { project: w.project.slug, name: slug, config: CONFIG });
  return {
    slug,
    org: `${orgMonitors(w)}${slug}/`,
    project: `/api/0/projects/${w.org.slug}/${w.project.slug}/monitors/${slug}/`,
  };
}

/** The organization's list shows the monitors of projects the caller reads: none for org:read alone. */
const ORG_MONITOR_LIST = table(
  { ok: [...PROJECT_REACHERS], gate: ['org:ci', ...LACKING_TOKENS] },
  { 'member:off': { status: 200, body: [] }, 'org:read': { status: 200, body: [] } },
);

/** Creating one needs a project the caller may change monitors in. */
const NO_PROJECT = { status: 400, body: { detail: 'project: Invalid project.' } };
const ORG_MONITOR_CREATE = table(
  { ok: [...PROJECT_REACHERS], gate: ['org:ci', ...LACKING_TOKENS] },
  { 'member:off': NO_PROJECT, 'org:read': NO_PROJECT },
);

/** A monitor reached through the organization's URL: an unreached project's monitor is not found. */
const ORG_MONITOR = table({
  ok: [...PROJECT_REACHERS],
  missing: ['member:off'],
  gate: ['org:ci', 'org:read', ...LACKING_TOKENS],
});

type Level = 'org' | 'project';

function monitorCases(level: Level): Record<string, RouteCase> {
  const base =
    level === 'org' ? '/organizations/:org/monitors/:monitor/' : '/projects/:org/:project/monitors/:monitor/';
  const callers = level === 'org' ? ORG_MONITOR : PROJECT_ALERTS;
  return {
    [`GET ${base}`]: {
      grant: 'alerts:read',
      foreign: 'deny',
      callers,
      prepare: async (env, w) => {
        const monitor = await withMonitor(env, w);
        return {
          url: monitor[level],
          secrets: [monitor.slug],
          check: (res) => {
            expect(res.statusCode).toBe(200);
            expect(res.json()).toMatchObject({
              slug: monitor.slug,
              status: 'active',
              config: { schedule_type: 'crontab', schedule: '0 * * * *', checkin_margin: 5 },
              project: { slug: w.project.slug },
              environments: [],
            });
          },
        };
      },
    },
    [`PUT ${base}`]: {
      grant: 'alerts:write',
      foreign: 'deny',
      callers,
      prepare: async (env, w) => {
        const monitor = await withMonitor(env, w);
        return {
          url: monitor[level],
          payload: { name: 'Renamed', config: { ...CONFIG, schedule: '*/5 * * * *' } },
          check: async (res) => {
            expect(res.statusCode).toBe(200);
            expect(res.json()).toMatchObject({ name: 'Renamed', config: { schedule: '*/5 * * * *' } });
            expect(await setup(env, 'GET', monitor.org)).toMatchObject({ name: 'Renamed' });
          },
        };
      },
    },
    [`DELETE ${base}`]: {
      grant: 'alerts:write',
      foreign: 'deny',
      callers,
      prepare: async (env, w) => {
        const monitor = await withMonitor(env, w);
        return {
          url: monitor[level],
          check: async (res) => {
            expect(res.statusCode).toBe(202);
            const read = await call(env, 'GET', monitor.org);
            expect([read.statusCode, read.json()]).toEqual([404, { detail: NOT_FOUND }]);
          },
        };
      },
    },
    [`GET ${base}checkins/`]: {
      grant: 'alerts:read',
      foreign: 'deny',
      callers,
      prepare: async (env, w) => {
        const monitor = await withMonitor(env, w);
        return {
          url: `${monitor[level]}checkins/`,
          check: (res) => {
            expect(res.statusCode).toBe(200);
            expect(res.json()).toEqual([]);
          },
        };
      },
    },
  };
}

export const MONITORS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/monitors/': {
    grant: 'alerts:read',
    foreign: 'deny',
    callers: ORG_MONITOR_LIST,
    prepare: async (env, w) => {
      const monitor = await withMonitor(env, w);
      return {
        url: orgMonitors(w),
        secrets: [monitor.slug],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toContainEqual(
            expect.objectContaining({ slug: monitor.slug, status: 'active' }),
          );
        },
      };
    },
  },
  'POST /organizations/:org/monitors/': {
    grant: 'alerts:write',
    foreign: 'deny',
    callers: ORG_MONITOR_CREATE,
    prepare: async (env, w) => {
      const slug = `made-${next()}-z`;
      return {
        url: orgMonitors(w),
        payload: { project: w.project.slug, name: `Made ${slug}`, slug, config: CONFIG },
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          expect(res.json()).toMatchObject({ slug, name: `Made ${slug}`, project: { slug: w.project.slug } });
          expect(await setup(env, 'GET', `${orgMonitors(w)}${slug}/`)).toMatchObject({ slug });
        },
      };
    },
  },
  ...monitorCases('org'),
  ...monitorCases('project'),
};
