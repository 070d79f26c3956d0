import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { postEnvelope, postStore } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';

// User feedback through the API: legacy reports (sent as envelope items or POSTed) and feedback
// items from captureFeedback, listed per project, per organization and per issue, and shown on the
// event they are about.

const MINUTE = 60_000;
const hex = () => randomBytes(16).toString('hex');

describe.each(TEST_ENGINES)('user feedback on %s', (engine) => {
  let h: Harness;
  let clock = Date.parse('2026-12-12T10:00:00Z');
  let token: string;
  let projectId: number;
  let publicKey: string;
  const ORG = 'fb-org';
  const PROJECT = 'shop';

  beforeAll(async () => {
    h = await createHarness(engine, {}, { now: () => clock });
    const owner = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, owner, ORG);
    const made = await makeProject(h.ctx, org, team, PROJECT);
    projectId = made.project.id;
    publicKey = made.key.publicKey;
    token = await makeToken(h.ctx, owner, ['org:read', 'project:write', 'event:write']);
  });
  afterAll(() => h?.close());

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>) =>
    h.request({ method, url: `/api/0${url}`, token, ...(payload ? { payload } : {}) });
  const projectList = (query = '') => api('GET', `/projects/${ORG}/${PROJECT}/user-feedback/${query}`);

  /** An error event of an issue of its own, digested; its issue id. */
  async function sendError(eventId: string, name: string, environment = 'production') {
    const res = await postStore(h, projectId, publicKey, {
      event_id: eventId,
      timestamp: clock / 1000,
      platform: 'node',
      environment,
      exception: { values: [{ type: 'Error', value: name }] },
      fingerprint: [name],
    });
    expect(res.statusCode).toBe(200);
    await h.worker.drain();
    const event = await api('GET', `/projects/${ORG}/${PROJECT}/events/${eventId}/`);
    return event.json().groupID as string;
  }

  async function sendItem(type: string, payload: Record<string, unknown>, eventId = hex()) {
    const body = serializeEnvelope({
      headers: { event_id: eventId },
      items: [{ headers: { type }, payload }],
    });
    expect((await postEnvelope(h, projectId, publicKey, body)).statusCode).toBe(200);
    await h.worker.drain();
  }

  it('lists legacy reports and feedback items with their event and issue, and shows them on the event', async () => {
    const eventId = hex();
    const issueId = await sendError(eventId, 'checkout-broke');
    clock += 1000;
    await sendItem('user_report', {
      event_id: eventId,
      name: 'Ada',
      email: 'ada@example.com',
      comments: 'Pay fails',
    });
    clock += 1000;
    const feedbackId = hex();
    await sendItem(
      'feedback',
      {
        event_id: feedbackId,
        type: 'feedback',
        timestamp: clock / 1000,
        contexts: {
          feedback: {
            message: 'Still broken after reload',
            contact_email: 'bob@example.com',
            name: 'Bob',
            url: 'https://shop.example/checkout',
            associated_event_id: eventId,
          },
        },
      },
      feedbackId,
    );
    clock += 1000;
    await sendItem('feedback', {
      event_id: hex(),
      type: 'feedback',
      timestamp: clock / 1000,
      user: { email: 'cy@example.com', username: 'cy' },
      contexts: { feedback: { message: 'Love the new page' } },
    });

    const list = await projectList();
    expect(list.statusCode).toBe(200);
    const [alone, feedback, legacy, ...more] = list.json();
    expect(more).toEqual([]);
    expect(alone).toMatchObject({
      eventID: null,
      event: { id: null, eventID: null },
      issue: null,
      name: 'cy',
      email: 'cy@example.com',
      comments: 'Love the new page',
      source: 'feedback',
      url: null,
    });
    expect(feedback).toMatchObject({
      eventID: eventId,
      event: { id: eventId, eventID: eventId },
      name: 'Bob',
      email: 'bob@example.com',
      comments: 'Still broken after reload',
      source: 'feedback',
      url: 'https://shop.example/checkout',
      issue: { id: issueId, project: { slug: PROJECT } },
      dateCreated: new Date(clock - 1000).toISOString(),
    });
    expect(legacy).toMatchObject({
      eventID: eventId,
      name: 'Ada',
      comments: 'Pay fails',
      source: 'user_report',
      issue: { id: issueId },
      user: null,
    });

    // Every field Sentry's OpenAPI document marks as required for a listed report.
    for (const report of list.json()) {
      expect(Object.keys(report)).toEqual(
        expect.arrayContaining([
          'comments',
          'dateCreated',
          'email',
          'event',
          'eventID',
          'id',
          'issue',
          'name',
          'user',
        ]),
      );
    }

    const org = await api('GET', `/organizations/${ORG}/user-feedback/`);
    expect(org.json().map((r: { id: string }) => r.id)).toEqual([alone.id, feedback.id, legacy.id]);

    const ofIssue = await api('GET', `/organizations/${ORG}/issues/${issueId}/user-reports/`);
    expect(ofIssue.json()).toEqual([
      expect.objectContaining({ id: feedback.id, comments: 'Still broken after reload' }),
      expect.objectContaining({ id: legacy.id, comments: 'Pay fails' }),
    ]);
    expect((await api('GET', `/issues/${issueId}/user-feedback/`)).json()).toEqual(ofIssue.json());
    const detail = await api('GET', `/organizations/${ORG}/issues/${issueId}/`);
    expect(detail.json().userReportCount).toBe(2);

    for (const url of [
      `/projects/${ORG}/${PROJECT}/events/${eventId}/`,
      `/organizations/${ORG}/issues/${issueId}/events/latest/`,
      `/organizations/${ORG}/eventids/${eventId}/`,
    ]) {
      const res = await api('GET', url);
      const event = res.json().event ?? res.json();
      expect(event.userReport).toMatchObject({ id: feedback.id, eventID: eventId, email: 'bob@example.com' });
    }
  });

  it('POST stores a report, lets it be sent again for five minutes, then answers 409', async () => {
    const eventId = hex();
    const issueId = await sendError(eventId, 'post-report');
    const body = { event_id: eventId, name: 'Dee', email: 'dee@example.com', comments: 'Blank page' };
    const first = await api('POST', `/projects/${ORG}/${PROJECT}/user-feedback/`, body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      eventID: eventId,
      event: { id: eventId },
      name: 'Dee',
      comments: 'Blank page',
      issue: { id: issueId },
    });
    clock += MINUTE;
    const again = await api('POST', `/projects/${ORG}/${PROJECT}/user-reports/`, {
      ...body,
      comments: 'Blank page, twice',
    });
    expect(again.json()).toMatchObject({ id: first.json().id, comments: 'Blank page, twice' });
    const ofEvent = await api('GET', `/projects/${ORG}/${PROJECT}/events/${eventId}/`);
    expect(ofEvent.json().userReport).toMatchObject({ id: first.json().id, comments: 'Blank page, twice' });

    clock += 5 * MINUTE;
    const late = await api('POST', `/projects/${ORG}/${PROJECT}/user-feedback/`, { ...body, comments: 'x' });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toEqual({ detail: 'Feedback for this event cannot be modified.' });

    clock += 30 * MINUTE;
    const old = await api('POST', `/projects/${ORG}/${PROJECT}/user-feedback/`, {
      ...body,
      event_id: eventId,
    });
    expect(old.statusCode).toBe(409);
    const reports = (await api('GET', `/issues/${issueId}/user-feedback/`)).json();
    expect(reports.map((r: { comments: string }) => r.comments)).toEqual(['Blank page, twice']);
  });

  it('a report sent before its event is tied to it once the event arrives', async () => {
    const eventId = hex();
    const sent = await api('POST', `/projects/${ORG}/${PROJECT}/user-feedback/`, {
      event_id: eventId,
      name: 'Eve',
      email: 'eve@example.com',
      comments: 'Crashed on start',
    });
    expect(sent.json()).toMatchObject({ event: { id: null, eventID: eventId }, issue: null });
    const issueId = await sendError(eventId, 'early-report');
    const list = await api('GET', `/issues/${issueId}/user-reports/`);
    expect(list.json()).toEqual([
      expect.objectContaining({ id: sent.json().id, event: { id: eventId, eventID: eventId } }),
    ]);
  });

  it('lists only unresolved issues by default; status= lists all; environment and project narrow', async () => {
    clock += 2 * MINUTE;
    const eventId = hex();
    const issueId = await sendError(eventId, 'to-resolve', 'staging');
    const sent = await api('POST', `/projects/${ORG}/${PROJECT}/user-feedback/`, {
      event_id: eventId,
      name: 'Fay',
      email: 'fay@example.com',
      comments: 'Staging is down',
    });
    const ids = async (url: string) => (await api('GET', url)).json().map((r: { id: string }) => r.id);
    expect(await ids(`/organizations/${ORG}/user-feedback/?environment=staging`)).toEqual([sent.json().id]);
    expect(
      await ids(`/organizations/${ORG}/user-feedback/?project=${projectId}&environment=staging`),
    ).toEqual([sent.json().id]);
    expect((await api('PUT', `/issues/${issueId}/`, { status: 'resolved' })).statusCode).toBe(200);
    expect(await ids(`/projects/${ORG}/${PROJECT}/user-feedback/`)).not.toContain(sent.json().id);
    expect(await ids(`/projects/${ORG}/${PROJECT}/user-feedback/?status=`)).toContain(sent.json().id);
    expect(await ids(`/organizations/${ORG}/user-feedback/?status=&statsPeriod=1m`)).toEqual([
      sent.json().id,
    ]);
    expect(await ids(`/organizations/${ORG}/user-feedback/?status=&statsPeriod=1m&environment=prod`)).toEqual(
      [],
    );
  });

  it.each([
    ['no comments', { comments: undefined }, /comments/],
    ['blank name', { name: '  ' }, /name: This field may not be blank/],
    ['an invalid email', { email: 'not-an-address' }, /email: Enter a valid email address/],
    ['a bad event id', { event_id: 'zz' }, /event_id: Enter a valid event id/],
    ['comments of 5000 characters', { comments: 'x'.repeat(5000) }, /comments/],
  ])('POST with %s is a 400 that stores nothing', async (_name, change, detail) => {
    const before = (await projectList('?status=')).json().length;
    const body = { event_id: hex(), name: 'Gus', email: 'gus@example.com', comments: 'hi', ...change };
    const res = await api('POST', `/projects/${ORG}/${PROJECT}/user-feedback/`, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(detail);
    expect((await projectList('?status=')).json()).toHaveLength(before);
  });

  it.each([
    ['an unknown status', '?status=resolved', /Invalid status choice/],
    ['a bad statsPeriod', '?statsPeriod=forever', /statsPeriod|period/i],
    ['a start without an end', '?start=2026-12-01T00:00:00Z', /start and end/],
  ])('the organization list with %s is a 400', async (_name, query, detail) => {
    const res = await api('GET', `/organizations/${ORG}/user-feedback/${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(detail);
  });
});
