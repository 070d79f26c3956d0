import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTeam } from '../../src/store/region/teams.js';
import { TEST_ENGINES } from '../support/engines.js';
import { newEventId } from '../support/envelopes.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';
import type { Json } from './support/api-client.js';
import { ingest } from './support/issue-seed.js';
import {
  EVENT_DETAIL_OPTIONAL_TYPES,
  EVENT_DETAIL_REQUIRED,
  EVENT_DETAIL_TYPES,
  EVENT_ERROR_REQUIRED,
  EVENT_ERROR_TYPES,
  EVENT_TAG_REQUIRED,
  expectFields,
  expectIssueNested,
  expectKind,
  GROUPING_CONFIG_REQUIRED,
  ISSUE_DETAIL_OPTIONAL_TYPES,
  ISSUE_DETAIL_REQUIRED,
  ISSUE_DETAIL_TYPES,
  ISSUE_LIST_REQUIRED,
  ISSUE_LIST_TYPES,
  RFC3339,
  SDK_REQUIRED,
} from './support/openapi-schema.js';

// The response bodies of the issue list, the issue detail and the event detail carry every field that
// Sentry's published OpenAPI document marks as required (support/openapi-schema.ts), with the types
// it states.

describe.each(TEST_ENGINES)('OpenAPI required fields on %s', (engine) => {
  let h: Harness;
  let token: string;
  let ownerId: number;
  const issueIds: Record<string, string> = {};
  const eventIds: string[] = [];

  const get = async (url: string): Promise<Json> => {
    const res = await h.request({ method: 'GET', url: `/api/0${url}`, token });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return res.json() as Json;
  };
  const put = async (url: string, payload: Json) => {
    const res = await h.request({ method: 'PUT', url: `/api/0${url}`, token, payload });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json() as Json;
  };

  beforeAll(async () => {
    h = await createHarness(engine);
    const owner = await makeUser(h.ctx, { email: 'owner@fields.test' });
    ownerId = owner.id;
    token = await makeToken(h.ctx, owner, ['org:admin', 'project:admin', 'event:admin']);
    const { org, team } = await makeOrg(h.ctx, owner, 'acme');
    await insertTeam(h.ctx.db.region, {
      organizationId: org.id,
      slug: 'backend',
      name: 'Backend',
      now: Date.now(),
    });
    const { project, key } = await makeProject(h.ctx, org, team, 'web');
    const now = Date.now() / 1000;
    const full = (at: number, user: string) => ({
      event_id: newEventId(),
      timestamp: at,
      platform: 'node',
      level: 'error',
      release: 'web@1.0.0',
      dist: '7',
      environment: 'production',
      server_name: 'web-1',
      tags: { region: 'eu' },
      user: { id: user, email: `${user}@example.com`, ip_address: '10.0.0.1' },
      sdk: { name: 'sentry.javascript.node', version: '11.12.0', integrations: ['Http'] },
      contexts: { runtime: { name: 'node', version: 'v20.19.0' }, os: { name: 'Linux' } },
      breadcrumbs: [{ timestamp: at - 1, category: 'http', message: 'GET /cart' }],
      request: { url: 'https://shop.example.com/cart', method: 'POST', headers: { 'user-agent': 'test' } },
      exception: {
        values: [
          {
            type: 'TypeError',
            value: 'cart is undefined',
            mechanism: { type: 'onunhandledrejection', handled: false },
            stacktrace: { frames: [{ filename: 'app.js', function: 'checkout', lineno: 3, in_app: true }] },
          },
        ],
      },
    });
    // An issue with a full event, a second event, and one whose timestamp lies in the future, so that
    // the event carries an `errors[]` entry (future_timestamp).
    const envelopes = [
      full(now - 60, 'u1'),
      full(now - 30, 'u2'),
      { ...full(now, 'u3'), timestamp: now + 86_400 },
    ];
    await ingest(h, { id: project.id, key }, envelopes, 'envelope');
    // A bare message event (no SDK, user, release or dist) through the store endpoint; and a third issue.
    const bare = { event_id: newEventId(), message: 'bare message', timestamp: now - 10 };
    const other = {
      event_id: newEventId(),
      timestamp: now - 5,
      level: 'warning',
      logger: 'jobs',
      message: 'slow job',
    };
    await ingest(h, { id: project.id, key }, [bare, other], 'store');
    eventIds.push(...[...envelopes, bare, other].map((e) => e.event_id));

    const issues = (await get('/organizations/acme/issues/?query=')) as unknown as Json[];
    for (const issue of issues) issueIds[issue.title as string] = issue.id;
    expect(Object.keys(issueIds).sort()).toEqual([
      'TypeError: cart is undefined',
      'bare message',
      'slow job',
    ]);
    // One issue assigned to a user, one to a team and ignored until a count, time and users.
    await put(`/organizations/acme/issues/${issueIds['TypeError: cart is undefined']}/`, {
      assignedTo: `user:${ownerId}`,
      isBookmarked: true,
      hasSeen: true,
    });
    await put(`/organizations/acme/issues/${issueIds['slow job']}/`, {
      assignedTo: 'team:backend',
      status: 'ignored',
      statusDetails: { ignoreCount: 10, ignoreDuration: 60, ignoreUserCount: 5 },
    });
  });
  afterAll(() => h?.close());

  it('the organization issue list carries every required field, typed, with or without a graph', async () => {
    for (const params of [
      'query=',
      'query=&groupStatsPeriod=24h',
      'query=&groupStatsPeriod=14d',
      'query=&groupStatsPeriod=',
    ]) {
      const issues = (await get(`/organizations/acme/issues/?${params}`)) as unknown as Json[];
      expect(issues).toHaveLength(3);
      for (const issue of issues) {
        const where = `list(${params})[${issue.shortId}]`;
        expectFields(issue, ISSUE_LIST_REQUIRED, ISSUE_LIST_TYPES, where);
        expectIssueNested(issue, where);
        for (const [period, points] of Object.entries(issue.stats as Record<string, unknown>)) {
          expect(Array.isArray(points), `${where}.stats.${period}`).toBe(true);
          for (const point of points as unknown[]) {
            expect(point).toHaveLength(2);
            for (const n of point as unknown[]) expect(typeof n, `${where}.stats.${period}`).toBe('number');
          }
        }
      }
      const graph = params.split('groupStatsPeriod=')[1];
      const [first] = issues;
      expect(Object.keys(first?.stats ?? {}), params).toEqual(graph ? [graph] : []);
    }
    const [assigned] = (await get('/organizations/acme/issues/?query=assigned:me')) as unknown as Json[];
    expect(assigned?.assignedTo).toMatchObject({
      type: 'user',
      id: String(ownerId),
      email: 'owner@fields.test',
    });
    // The project's own list (sentry-cli's) returns the same object.
    const projectList = (await get('/projects/acme/web/issues/?query=')) as unknown as Json[];
    for (const issue of projectList) {
      expectFields(issue, ISSUE_LIST_REQUIRED, ISSUE_LIST_TYPES, `project list[${issue.shortId}]`);
      expectIssueNested(issue, `project list[${issue.shortId}]`);
    }
  });

  it('the issue detail carries every required field, typed, under the organization and at the top level', async () => {
    for (const [title, id] of Object.entries(issueIds)) {
      for (const path of [`/organizations/acme/issues/${id}/`, `/issues/${id}/`]) {
        const issue = await get(path);
        const where = `${path} (${title})`;
        expectFields(issue, ISSUE_DETAIL_REQUIRED, ISSUE_DETAIL_TYPES, where);
        for (const [key, kind] of Object.entries(ISSUE_DETAIL_OPTIONAL_TYPES))
          expectKind(issue[key], kind, `${where}.${key}`);
        expectIssueNested(issue, where);
        for (const tag of issue.tags as Json[]) {
          expectKind(tag.key, 'string', `${where}.tags[].key`);
          expectKind(tag.totalValues, 'integer', `${where}.tags[].totalValues`);
        }
      }
    }
    const assigned = await get(`/organizations/acme/issues/${issueIds['TypeError: cart is undefined']}/`);
    expect(assigned.assignedTo).toEqual({
      type: 'user',
      id: String(ownerId),
      name: 'owner@fields.test',
      email: 'owner@fields.test',
    });
    expect([assigned.isBookmarked, assigned.hasSeen]).toEqual([true, true]);
    expect(assigned.firstRelease).toMatchObject({ version: 'web@1.0.0', shortVersion: '1.0.0' });
    const ignored = await get(`/organizations/acme/issues/${issueIds['slow job']}/`);
    expect(ignored.assignedTo).toMatchObject({ type: 'team', name: 'backend' });
    expect(ignored.statusDetails).toMatchObject({ ignoreCount: 10, ignoreUserCount: 5 });
    expect(ignored.statusDetails.ignoreUntil).toMatch(RFC3339);
    expect(ignored.logger).toBe('jobs');
    // The PUT answer is the detail too.
    const answer = await put(`/issues/${issueIds['bare message']}/`, { priority: 'medium' });
    expectFields(answer, ISSUE_DETAIL_REQUIRED, ISSUE_DETAIL_TYPES, 'PUT answer');
  });

  it('the event detail carries every required field, typed, with sdk, tags and errors items', async () => {
    let sawErrors = false;
    for (const eventId of eventIds) {
      const event = await get(`/projects/acme/web/events/${eventId}/`);
      const where = `event ${eventId}`;
      expectFields(event, EVENT_DETAIL_REQUIRED, EVENT_DETAIL_TYPES, where);
      for (const [key, kind] of Object.entries(EVENT_DETAIL_OPTIONAL_TYPES))
        expectKind(event[key], kind, `${where}.${key}`);
      for (const tag of event.tags as Json[]) {
        for (const key of EVENT_TAG_REQUIRED) expectKind(tag[key], 'string', `${where}.tags[].${key}`);
      }
      if (event.sdk !== null) {
        for (const key of SDK_REQUIRED) {
          expect(event.sdk, `${where}.sdk lacks ${key}`).toHaveProperty([key]);
          expectKind(event.sdk[key], 'string?', `${where}.sdk.${key}`);
        }
      }
      for (const error of event.errors as Json[]) {
        expectFields(error, EVENT_ERROR_REQUIRED, EVENT_ERROR_TYPES, `${where}.errors[]`);
        sawErrors = true;
      }
      for (const key of GROUPING_CONFIG_REQUIRED)
        expectKind(event.groupingConfig[key], 'string', `${where}.groupingConfig.${key}`);
      for (const fingerprint of event.fingerprints as unknown[])
        expectKind(fingerprint, 'string', `${where}.fingerprints[]`);
      if (event.user !== null) {
        for (const key of ['id', 'email', 'username', 'ip_address', 'name'])
          if (key in event.user) expectKind(event.user[key], 'string?', `${where}.user.${key}`);
      }
      expect(event.eventID).toBe(eventId);
    }
    expect(sawErrors, 'the future-dated event reports an error').toBe(true);

    const [first, second] = eventIds;
    const full = await get(`/projects/acme/web/events/${first}/`);
    expect(full.sdk).toEqual(expect.objectContaining({ name: 'sentry.javascript.node', version: '11.12.0' }));
    expect(full.user).toMatchObject({ id: 'u1', email: 'u1@example.com', ip_address: '10.0.0.1' });
    expect(full.tags).toContainEqual({ key: 'region', value: 'eu' });
    expect(full.release).toEqual({ version: 'web@1.0.0' });
    expect(full.dist).toBe('7');
    expect(full.nextEventID).toBe(second);
    expect(full.previousEventID).toBeNull();
    expect(full.entries.map((e: Json) => e.type)).toEqual(['exception', 'breadcrumbs', 'request']);
    const future = await get(`/projects/acme/web/events/${eventIds[2]}/`);
    expect(future.errors).toContainEqual(expect.objectContaining({ type: 'future_timestamp' }));
    const bare = await get(`/projects/acme/web/events/${eventIds[3]}/`);
    expect([bare.sdk, bare.user, bare.release, bare.dist]).toEqual([null, null, null, null]);
    // The issue-scoped event detail is the same object.
    const latest = await get(
      `/organizations/acme/issues/${issueIds['TypeError: cart is undefined']}/events/latest/`,
    );
    expectFields(latest, EVENT_DETAIL_REQUIRED, EVENT_DETAIL_TYPES, 'latest event');
  });
});
