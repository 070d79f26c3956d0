import { expect } from 'vitest';
import { PROJECT_ALERTS, PROJECT_READ, PROJECT_WRITE } from '../support/callers.js';
import { call, type Env, NOT_FOUND, next, setup, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// A project's issue alert rules and its legacy webhooks plugin. Every case names a rule or a URL of
// its own, so that no cell reads another's.

const rulesUrl = (w: World) => `/api/0/projects/${w.org.slug}/${w.project.slug}/rules/`;
const pluginUrl = (w: World) => `/api/0/projects/${w.org.slug}/${w.project.slug}/plugins/webhooks/`;

/** A rule's body: mail the issue owners when a new issue is created. */
const ruleBody = (name: string) => ({
  name,
  actionMatch: 'all',
  frequency: 30,
  conditions: [{ id: 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition' }],
  actions: [{ id: 'sentry.mail.actions.NotifyEmailAction', targetType: 'IssueOwners' }],
});

async function withRule(env: Env, w: World) {
  const name = `rule-${next()}-z`;
  const rule = await setup<{ id: string }>(env, 'POST', rulesUrl(w), ruleBody(name));
  return { name, url: `${rulesUrl(w)}${rule.id}/` };
}

async function withWebhookUrl(env: Env, w: World) {
  const url = `https://hooks-${next()}-z.example/sentry`;
  await setup(env, 'PUT', pluginUrl(w), { urls: url });
  return url;
}

const urlsOf = (plugin: { config: { name: string; value: string | null }[] }) =>
  plugin.config.find((f) => f.name === 'urls')?.value;

export const ALERT_RULES_CASES: Record<string, RouteCase> = {
  'GET /projects/:org/:project/rules/': {
    grant: 'alerts:read',
    foreign: 'deny',
    callers: PROJECT_ALERTS,
    prepare: async (env, w) => {
      const { name } = await withRule(env, w);
      return {
        url: rulesUrl(w),
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json().map((r: { name: string }) => r.name)).toContain(name);
        },
      };
    },
  },
  'POST /projects/:org/:project/rules/': {
    grant: 'alerts:write',
    foreign: 'deny',
    callers: PROJECT_ALERTS,
    prepare: async (env, w) => {
      const name = `rule-${next()}-z`;
      return {
        url: rulesUrl(w),
        payload: ruleBody(name),
        check: async (res, who) => {
          expect(res.statusCode).toBe(200);
          const rule = res.json();
          expect(rule).toMatchObject({ name, projects: [w.project.slug], frequency: 30 });
          // An organization token is nobody: the rule has no author.
          expect(rule.createdBy === null).toBe(who.role === null);
          const read = await setup<{ name: string }>(env, 'GET', `${rulesUrl(w)}${rule.id}/`);
          expect(read.name).toBe(name);
        },
      };
    },
  },
  'GET /projects/:org/:project/rules/:rule/': {
    grant: 'alerts:read',
    foreign: 'deny',
    callers: PROJECT_ALERTS,
    prepare: async (env, w) => {
      const { name, url } = await withRule(env, w);
      return {
        url,
        secrets: [name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ name, actionMatch: 'all' });
        },
      };
    },
  },
  'PUT /projects/:org/:project/rules/:rule/': {
    grant: 'alerts:write',
    foreign: 'deny',
    callers: PROJECT_ALERTS,
    prepare: async (env, w) => {
      const { url } = await withRule(env, w);
      const renamed = `renamed-${next()}-z`;
      return {
        url,
        payload: { ...ruleBody(renamed), frequency: '60' },
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ name: renamed, frequency: 60 });
          expect(await setup(env, 'GET', url)).toMatchObject({ name: renamed, frequency: 60 });
        },
      };
    },
  },
  'DELETE /projects/:org/:project/rules/:rule/': {
    grant: 'alerts:write',
    foreign: 'deny',
    callers: PROJECT_ALERTS,
    prepare: async (env, w) => {
      const { url } = await withRule(env, w);
      return {
        url,
        check: async (res) => {
          expect(res.statusCode).toBe(202);
          const gone = await call(env, 'GET', url);
          expect(gone.statusCode).toBe(404);
          expect(gone.json()).toEqual({ detail: NOT_FOUND });
        },
      };
    },
  },
  'GET /projects/:org/:project/plugins/:plugin/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_READ,
    prepare: async (env, w) => {
      const hook = await withWebhookUrl(env, w);
      return {
        url: pluginUrl(w),
        secrets: [hook],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ id: 'webhooks', enabled: false });
          expect(urlsOf(res.json())).toBe(hook);
        },
      };
    },
  },
  'PUT /projects/:org/:project/plugins/:plugin/': {
    grant: 'project:write',
    foreign: 'deny',
    callers: PROJECT_WRITE,
    prepare: async (env, w) => {
      const hook = `https://hooks-${next()}-z.example/sentry`;
      return {
        url: pluginUrl(w),
        payload: { urls: `${hook}\nhttp://second.example/` },
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(urlsOf(res.json())).toBe(`${hook}\nhttp://second.example/`);
          expect(urlsOf(await setup(env, 'GET', pluginUrl(w)))).toBe(`${hook}\nhttp://second.example/`);
        },
      };
    },
  },
  'POST /projects/:org/:project/plugins/:plugin/': {
    grant: 'project:write',
    foreign: 'deny',
    callers: PROJECT_WRITE,
    prepare: async (env, w) => {
      await withWebhookUrl(env, w);
      return {
        url: pluginUrl(w),
        payload: {},
        check: async (res) => {
          expect(res.statusCode).toBe(201);
          expect(await setup(env, 'GET', pluginUrl(w))).toMatchObject({ enabled: true });
        },
      };
    },
  },
  'DELETE /projects/:org/:project/plugins/:plugin/': {
    grant: 'project:admin',
    foreign: 'deny',
    callers: PROJECT_WRITE,
    prepare: async (env, w) => {
      await withWebhookUrl(env, w);
      await setup(env, 'POST', pluginUrl(w), {});
      return {
        url: pluginUrl(w),
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expect(await setup(env, 'GET', pluginUrl(w))).toMatchObject({ enabled: false });
        },
      };
    },
  },
};
