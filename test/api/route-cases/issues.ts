import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Method } from '../../../src/api/permissions.js';
import type { Scope } from '../../../src/auth/scopes.js';
import { ISSUE_DATA, ORG_ISSUE_BULK, ORG_ISSUE_LIST, PROJECT_EVENTS } from '../support/callers.js';
import {
  call,
  type Env,
  expectEvent,
  expectIssue,
  expectNotFound,
  findIn,
  ISO,
  type MadeIssue,
  type World,
  withIssue,
} from '../support/world.js';
import type { RouteCase } from './case.js';

// Issues, one by one and in bulk, their events, hashes and tags.

/** The same issue route under an organization (by short id) and at the top level (by numeric id). */
function issueCases(
  suffix: string,
  check: (res: LightMyRequestResponse, w: World, issue: MadeIssue, env: Env) => void | Promise<void>,
  eventParam?: (issue: MadeIssue) => string,
  options: { method?: Method; grant?: Scope; payload?: unknown } = {},
): Record<string, RouteCase> {
  const method = options.method ?? 'GET';
  const make =
    (url: (w: World, issue: MadeIssue) => string): RouteCase['prepare'] =>
    async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: url(w, issue),
        ...(options.payload === undefined ? {} : { payload: options.payload }),
        secrets: [issue.title, issue.eventId],
        check: (res) => check(res, w, issue, env),
      };
    };
  const tail = (issue: MadeIssue) =>
    `${suffix.replace(':event', eventParam ? eventParam(issue) : '').replace(':key', 'level')}`;
  return {
    [`${method} /organizations/:org/issues/:issue/${suffix}`]: {
      grant: options.grant ?? 'event:read',
      foreign: 'deny',
      callers: ISSUE_DATA,
      prepare: make(
        (w, issue) => `/api/0/organizations/${w.org.slug}/issues/${issue.shortId}/${tail(issue)}`,
      ),
    },
    [`${method} /issues/:issue/${suffix}`]: {
      grant: options.grant ?? 'event:read',
      foreign: 'deny',
      callers: ISSUE_DATA,
      prepare: make((_w, issue) => `/api/0/issues/${issue.issueId}/${tail(issue)}`),
    },
  };
}

export const ISSUES_CASES: Record<string, RouteCase> = {
  'GET /projects/:org/:project/issues/': {
    grant: 'event:read',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/?${issue.search}`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expectIssue(findIn(res, 'id', issue.issueId), w, issue);
        },
      };
    },
  },
  'GET /organizations/:org/issues/': {
    grant: 'event:read',
    foreign: 'deny',
    callers: ORG_ISSUE_LIST,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/issues/?${issue.search}`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expectIssue(findIn(res, 'id', issue.issueId), w, issue);
        },
      };
    },
  },
  ...issueCases('', (res, w, issue) => {
    expect(res.statusCode).toBe(200);
    expectIssue(res.json(), w, issue);
    expect(res.json()).toMatchObject({ userReportCount: 0 });
  }),
  ...issueCases('events/', (res, w, issue) => {
    expect(res.statusCode).toBe(200);
    const body = res.json() as unknown[];
    expect(body).toHaveLength(1);
    expectEvent(body[0], w, issue);
  }),
  ...issueCases(
    'events/:event/',
    (res, w, issue) => {
      expect(res.statusCode).toBe(200);
      expectEvent(res.json(), w, issue);
    },
    (issue) => issue.eventId,
  ),
  ...issueCases('hashes/', (res, _w, issue) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        mechanism: expect.any(String),
        latestEvent: expect.objectContaining({ eventID: issue.eventId, groupID: issue.issueId }),
      },
    ]);
  }),
  ...issueCases(
    '',
    async (res, w, issue, env) => {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: issue.issueId, status: 'resolved', substatus: null });
      const after = await call(env, 'GET', `/api/0/organizations/${w.org.slug}/issues/${issue.issueId}/`);
      expect(after.json()).toMatchObject({ status: 'resolved' });
    },
    undefined,
    { method: 'PUT', grant: 'event:write', payload: { status: 'resolved' } },
  ),
  ...issueCases(
    '',
    async (res, w, issue, env) => {
      expect(res.statusCode).toBe(202);
      expectNotFound(await call(env, 'GET', `/api/0/organizations/${w.org.slug}/issues/${issue.issueId}/`));
    },
    undefined,
    { method: 'DELETE', grant: 'event:admin' },
  ),
  'PUT /projects/:org/:project/issues/': {
    grant: 'event:write',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/?id=${issue.issueId}`,
        payload: { status: 'resolved', snoozeDuration: null },
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ status: 'resolved' });
          const after = await call(env, 'GET', `/api/0/issues/${issue.issueId}/`);
          expect(after.json()).toMatchObject({ status: 'resolved' });
        },
      };
    },
  },
  'DELETE /projects/:org/:project/issues/': {
    grant: 'event:admin',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/?id=${issue.issueId}`,
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', `/api/0/issues/${issue.issueId}/`));
        },
      };
    },
  },
  'PUT /organizations/:org/issues/': {
    grant: 'event:write',
    foreign: 'deny',
    callers: ORG_ISSUE_BULK,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/issues/?id=${issue.issueId}`,
        payload: { status: 'ignored', statusDetails: { ignoreCount: 10 } },
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ status: 'ignored', statusDetails: { ignoreCount: 10 } });
          const after = await call(env, 'GET', `/api/0/issues/${issue.issueId}/`);
          expect(after.json()).toMatchObject({
            status: 'ignored',
            substatus: 'archived_until_condition_met',
          });
        },
      };
    },
  },
  'DELETE /organizations/:org/issues/': {
    grant: 'event:admin',
    foreign: 'deny',
    callers: ORG_ISSUE_BULK,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/issues/?id=${issue.issueId}`,
        secrets: [issue.title, issue.eventId],
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expectNotFound(await call(env, 'GET', `/api/0/issues/${issue.issueId}/`));
        },
      };
    },
  },
  ...issueCases('tags/', (res) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toContainEqual({
      key: 'level',
      name: 'level',
      totalValues: 1,
      uniqueValues: 1,
      topValues: [
        expect.objectContaining({ key: 'level', value: 'error', count: 1, query: 'level:"error"' }),
      ],
    });
  }),
  ...issueCases('tags/:key/', (res) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      key: 'level',
      totalValues: 1,
      uniqueValues: 1,
      topValues: [{ value: 'error', count: 1 }],
    });
  }),
  ...issueCases('tags/:key/values/', (res) => {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({
        key: 'level',
        value: 'error',
        name: 'error',
        count: 1,
        firstSeen: expect.stringMatching(ISO),
      }),
    ]);
  }),
  'GET /organizations/:org/events-stats/': {
    grant: 'event:read',
    foreign: 'deny',
    callers: ISSUE_DATA,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/events-stats/?query=issue.id:${issue.issueId}&statsPeriod=1h&interval=5m`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const data = (res.json() as { data: [number, { count: number }[]][] }).data;
          expect(data.reduce((n, [, [c]]) => n + (c?.count ?? 0), 0)).toBe(1);
        },
      };
    },
  },
  'GET /organizations/:org/tags/': {
    grant: 'event:read',
    foreign: 'deny',
    callers: ORG_ISSUE_LIST,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/tags/`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toContainEqual({ key: 'level', name: 'level', totalValues: expect.any(Number) });
        },
      };
    },
  },
  'GET /organizations/:org/tags/:key/values/': {
    grant: 'event:read',
    foreign: 'deny',
    callers: ORG_ISSUE_LIST,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/tags/level/values/?query=err`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            expect.objectContaining({ key: 'level', value: 'error', count: expect.any(Number) }),
          ]);
        },
      };
    },
  },
};
