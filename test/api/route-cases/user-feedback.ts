import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import {
  ISSUE_DATA,
  LACKING_TOKENS,
  PROJECT_REACHERS,
  PROJECT_READ,
  PROJECT_WRITE,
  table,
} from '../support/callers.js';
import { type Env, findIn, ISO, setup, type World, withIssue } from '../support/world.js';
import type { RouteCase } from './case.js';

// User feedback: a project's reports (both of Sentry's names), sending one, the organization's list
// and an issue's. Every case sends a report of its own about an event of its own.

async function withReport(env: Env, w: World) {
  const issue = await withIssue(env, w);
  const comments = `It broke ${randomBytes(4).toString('hex')}-z`;
  const report = await setup<{ id: string }>(
    env,
    'POST',
    `/api/0/projects/${w.org.slug}/${w.project.slug}/user-feedback/`,
    { event_id: issue.eventId, name: 'Jane', email: 'jane@example.com', comments },
  );
  return { issue, comments, id: report.id };
}

const expectReport = (body: unknown, eventId: string, comments: string) =>
  expect(body).toMatchObject({
    eventID: eventId,
    event: { id: eventId, eventID: eventId },
    name: 'Jane',
    email: 'jane@example.com',
    comments,
    dateCreated: expect.stringMatching(ISO),
  });

/** The organization's list shows reports of the projects the caller reads: none to others. */
const ORG_FEEDBACK_LIST = table(
  {
    ok: [...PROJECT_REACHERS],
    gate: ['org:ci', 'org:read', ...LACKING_TOKENS],
  },
  { 'member:off': { status: 200, body: [] } },
);

function projectCases(name: string): Record<string, RouteCase> {
  return {
    [`GET /projects/:org/:project/${name}/`]: {
      grant: 'project:read',
      foreign: 'deny',
      callers: PROJECT_READ,
      prepare: async (env, w) => {
        const r = await withReport(env, w);
        return {
          url: `/api/0/projects/${w.org.slug}/${w.project.slug}/${name}/`,
          secrets: [r.comments, r.issue.eventId],
          check: (res) => {
            expect(res.statusCode).toBe(200);
            const report = findIn(res, 'id', r.id);
            expectReport(report, r.issue.eventId, r.comments);
            expect(report).toMatchObject({ issue: { id: r.issue.issueId } });
          },
        };
      },
    },
    [`POST /projects/:org/:project/${name}/`]: {
      grant: 'project:write',
      foreign: 'deny',
      callers: PROJECT_WRITE,
      prepare: async (env, w) => {
        const issue = await withIssue(env, w);
        const comments = `Sent ${randomBytes(4).toString('hex')}-z`;
        return {
          url: `/api/0/projects/${w.org.slug}/${w.project.slug}/${name}/`,
          payload: { event_id: issue.eventId, name: 'Jane', email: 'jane@example.com', comments },
          secrets: [issue.eventId],
          check: async (res) => {
            expect(res.statusCode).toBe(200);
            expectReport(res.json(), issue.eventId, comments);
            const reports = await setup<unknown[]>(
              env,
              'GET',
              `/api/0/issues/${issue.issueId}/user-feedback/`,
            );
            expect(reports).toEqual([expect.objectContaining({ id: res.json().id, comments })]);
          },
        };
      },
    },
  };
}

function issueCases(name: string): Record<string, RouteCase> {
  const check =
    (r: Awaited<ReturnType<typeof withReport>>) => (res: { statusCode: number; json(): unknown }) => {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toHaveLength(1);
      expectReport((res.json() as unknown[])[0], r.issue.eventId, r.comments);
    };
  return {
    [`GET /organizations/:org/issues/:issue/${name}/`]: {
      grant: 'event:read',
      foreign: 'deny',
      callers: ISSUE_DATA,
      prepare: async (env, w) => {
        const r = await withReport(env, w);
        return {
          url: `/api/0/organizations/${w.org.slug}/issues/${r.issue.shortId}/${name}/`,
          secrets: [r.comments, r.issue.eventId],
          check: check(r),
        };
      },
    },
    [`GET /issues/:issue/${name}/`]: {
      grant: 'event:read',
      foreign: 'deny',
      callers: ISSUE_DATA,
      prepare: async (env, w) => {
        const r = await withReport(env, w);
        return {
          url: `/api/0/issues/${r.issue.issueId}/${name}/`,
          secrets: [r.comments, r.issue.eventId],
          check: check(r),
        };
      },
    },
  };
}

export const USER_FEEDBACK_CASES: Record<string, RouteCase> = {
  ...projectCases('user-feedback'),
  ...projectCases('user-reports'),
  ...issueCases('user-feedback'),
  ...issueCases('user-reports'),
  'GET /organizations/:org/user-feedback/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: ORG_FEEDBACK_LIST,
    prepare: async (env, w) => {
      const r = await withReport(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/user-feedback/`,
        secrets: [r.comments, r.issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const report = findIn(res, 'id', r.id);
          expectReport(report, r.issue.eventId, r.comments);
          expect(report).toMatchObject({ issue: { id: r.issue.issueId, project: { slug: w.project.slug } } });
        },
      };
    },
  },
};
