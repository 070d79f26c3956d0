import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

let receiver: Promise<{ url: string; paths: string[] }> | null = null;

/**
 * A Slack-like receiver on loopback that takes every post (the matrices' servers may reach
 * loopback: support/env.ts), started once and left to end with the test process.
 */
function slackReceiver() {
  receiver ??= new Promise((resolve) => {
    const paths: string[] = [];
    const server = http.createServer((request, response) => {
      paths.push(request.url ?? '');
      request.resume();
      request.on('end', () => response.writeHead(200).end('ok'));
    });
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths });
    });
  });
  return receiver;
}

/** A test notification's body: one post to the receiver, at a path of its own. */
async function testBody(ruleId?: string) {
  const { url } = await slackReceiver();
  const path = `/services/T0/B0/hook-${next()}-z`;
  return {
    path,
    body: {
      ...(ruleId ? { ruleId } : {}),
      actions: [{ id: 'errata.rules.actions.SlackWebhookAction', webhookUrl: `${url}${path}` }],
    },
  };
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
  'GET /projects/:org/:project/rules/:rule/deliveries/': {
    grant: 'alerts:read',
    foreign: 'deny',
    callers: PROJECT_ALERTS,
    prepare: async (env, w) => {
      const { url } = await withRule(env, w);
      const ruleId = url.split('/').at(-2) as string;
      const { path, body } = await testBody(ruleId);
      await setup(env, 'POST', `/api/0/projects/${w.org.slug}/${w.project.slug}/rule-actions/`, body);
      return {
        url: `${url}deliveries/`,
        secrets: [path],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            expect.objectContaining({ ruleId, channel: 'slack', status: 'sent', attempts: 1 }),
          ]);
        },
      };
    },
  },
  'POST /projects/:org/:project/rule-actions/': {
    grant: 'alerts:write',
    foreign: 'deny',
    callers: PROJECT_ALERTS,
    prepare: async (_env, w) => {
      const { path, body } = await testBody();
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/rule-actions/`,
        payload: body,
        check: async (res) => {
          expect(res.statusCode, res.body).toBe(200);
          expect((await slackReceiver()).paths).toContain(path);
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
