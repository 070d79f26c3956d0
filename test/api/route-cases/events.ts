import { expect } from 'vitest';
import { EVENT_IDS, PROJECT_EVENTS } from '../support/callers.js';
import { expectEvent, findIn, ISO, withAttachment, withIssue } from '../support/world.js';
import type { RouteCase } from './case.js';

// Events of a project, their attachments, and the organization-wide event id lookup.

export const EVENTS_CASES: Record<string, RouteCase> = {
  'GET /projects/:org/:project/events/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expectEvent(findIn(res, 'id', issue.eventId), w, issue);
        },
      };
    },
  },
  'GET /projects/:org/:project/events/:event/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/${issue.eventId}/`,
        secrets: [issue.title, issue.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expectEvent(res.json(), w, issue);
        },
      };
    },
  },
  'GET /projects/:org/:project/events/:event/attachments/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const a = await withAttachment(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/${a.eventId}/attachments/`,
        secrets: [a.eventId],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            {
              id: a.attachmentId,
              event_id: a.eventId,
              type: 'event.attachment',
              name: 'app.log',
              mimetype: 'text/plain',
              dateCreated: expect.stringMatching(ISO),
              size: Buffer.byteLength(a.content),
              headers: { 'Content-Type': 'text/plain' },
              sha1: expect.stringMatching(/^[0-9a-f]{40}$/),
            },
          ]);
        },
      };
    },
  },
  'GET /projects/:org/:project/events/:event/attachments/:attachment/': {
    grant: 'project:read',
    foreign: 'deny',
    callers: PROJECT_EVENTS,
    prepare: async (env, w) => {
      const a = await withAttachment(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/events/${a.eventId}/attachments/${a.attachmentId}/?download=1`,
        secrets: [a.content.trim()],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.body).toBe(a.content);
          expect(res.headers['content-disposition']).toBe(
            `attachment; filename="app.log"; filename*=UTF-8''app.log`,
          );
        },
      };
    },
  },
  'GET /organizations/:org/eventids/:event/': {
    grant: 'org:read',
    // Only projects the caller holds a project scope for are searched (docs/access-policy.md 2).
    alsoGrants: ['project:read'],
    foreign: 'deny',
    callers: EVENT_IDS,
    prepare: async (env, w) => {
      const issue = await withIssue(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/eventids/${issue.eventId}/`,
        secrets: [issue.title],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const body = res.json();
          expect(body).toMatchObject({
            organizationSlug: w.org.slug,
            projectSlug: w.project.slug,
            groupId: issue.issueId,
            eventId: issue.eventId,
          });
          expectEvent(body.event, w, issue);
        },
      };
    },
  },
};
