import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTeam } from '../../src/store/region/teams.js';
import { postEnvelope, postStore } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { envelopeOf } from '../support/envelopes.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';

// The response bodies of the issue list, the issue detail and the event detail carry every field that
// Sentry's published OpenAPI document marks as required, with the types it states.
//
// Source: getsentry/sentry-api-schema `openapi-derefed.json` @ a589a26c3b29bfc342a47baa963b7970961f958e
// (kept beside the reference docs as sentry-openapi.json; not read at run time, and not shipped).
// Each list below is `paths[PATH].get.responses["200"].content["application/json"].schema…required`,
// copied by hand, with each field's `type`/`format`/`nullable` written as a Kind.

/** A field's type as the schema states it: JSON type, `date` for string/date-time, `?` for nullable. */
type Kind =
  | 'string'
  | 'string?'
  | 'date?'
  | 'integer'
  | 'integer?'
  | 'number?'
  | 'boolean'
  | 'object'
  | 'object?'
  | 'array';

// GET /api/0/organizations/{organization_id_or_slug}/issues/ (listOrganizationIssues), 200,
// schema.items.required, with the type of each of those properties.
const ISSUE_LIST_REQUIRED = [
  'annotations',
  'assignedTo',
  'count',
  'culprit',
  'derivedData',
  'filtered',
  'firstSeen',
  'hasSeen',
  'id',
  'inbox',
  'integrationIssues',
  'isBookmarked',
  'isPublic',
  'isSubscribed',
  'isUnhandled',
  'issueCategory',
  'issueType',
  'lastSeen',
  'latestEventHasAttachments',
  'level',
  'lifetime',
  'logger',
  'matchingEventEnvironment',
  'matchingEventId',
  'metadata',
  'numComments',
  'owners',
  'permalink',
  'platform',
  'priority',
  'priorityLockedAt',
  'project',
  'seerAutofixLastTriggered',
  'seerExplorerAutofixLastTriggered',
  'seerFixabilityScore',
  'sentryAppIssues',
  'sessionCount',
  'shareId',
  'shortId',
  'stats',
  'status',
  'statusDetails',
  'subscriptionDetails',
  'substatus',
  'title',
  'type',
  'userCount',
] as const;

const ISSUE_LIST_TYPES: Record<(typeof ISSUE_LIST_REQUIRED)[number], Kind> = {
  annotations: 'array',
  assignedTo: 'object?',
  count: 'string',
  culprit: 'string?',
  derivedData: 'object',
  filtered: 'object?',
  firstSeen: 'date?',
  hasSeen: 'boolean',
  id: 'string',
  inbox: 'object',
  integrationIssues: 'array',
  isBookmarked: 'boolean',
  isPublic: 'boolean',
  isSubscribed: 'boolean',
  isUnhandled: 'boolean',
  issueCategory: 'string',
  issueType: 'string',
  lastSeen: 'date?',
  latestEventHasAttachments: 'boolean',
  level: 'string',
  lifetime: 'object',
  logger: 'string?',
  matchingEventEnvironment: 'string?',
  matchingEventId: 'string?',
  metadata: 'object',
  numComments: 'integer',
  owners: 'object',
  permalink: 'string',
  platform: 'string?',
  priority: 'string?',
  priorityLockedAt: 'date?',
  project: 'object',
  seerAutofixLastTriggered: 'date?',
  seerExplorerAutofixLastTriggered: 'date?',
  seerFixabilityScore: 'number?',
  sentryAppIssues: 'array',
  sessionCount: 'integer',
  shareId: 'string?',
  shortId: 'string',
  stats: 'object',
  status: 'string',
  statusDetails: 'object',
  subscriptionDetails: 'object?',
  substatus: 'string?',
  title: 'string',
  type: 'string',
  userCount: 'integer',
};

// GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/ (getOrganizationIssue), 200,
// schema.required, with the type of each of those properties.
const ISSUE_DETAIL_REQUIRED = [
  'activity',
  'annotations',
  'assignedTo',
  'culprit',
  'hasSeen',
  'id',
  'isBookmarked',
  'isPublic',
  'isSubscribed',
  'issueCategory',
  'issueType',
  'level',
  'logger',
  'metadata',
  'numComments',
  'participants',
  'permalink',
  'platform',
  'priority',
  'priorityLockedAt',
  'project',
  'seenBy',
  'seerAutofixLastTriggered',
  'seerExplorerAutofixLastTriggered',
  'seerFixabilityScore',
  'shareId',
  'shortId',
  'status',
  'statusDetails',
  'subscriptionDetails',
  'substatus',
  'title',
  'type',
  'userReportCount',
] as const;

const ISSUE_DETAIL_TYPES: Record<(typeof ISSUE_DETAIL_REQUIRED)[number], Kind> = {
  activity: 'array',
  annotations: 'array',
  assignedTo: 'object?',
  culprit: 'string?',
  hasSeen: 'boolean',
  id: 'string',
  isBookmarked: 'boolean',
  isPublic: 'boolean',
  isSubscribed: 'boolean',
  issueCategory: 'string',
  issueType: 'string',
  level: 'string',
  logger: 'string?',
  metadata: 'object',
  numComments: 'integer',
  participants: 'array',
  permalink: 'string',
  platform: 'string?',
  priority: 'string?',
  priorityLockedAt: 'date?',
  project: 'object',
  seenBy: 'array',
  seerAutofixLastTriggered: 'date?',
  seerExplorerAutofixLastTriggered: 'date?',
  seerFixabilityScore: 'number?',
  shareId: 'string?',
  shortId: 'string',
  status: 'string',
  statusDetails: 'object',
  subscriptionDetails: 'object?',
  substatus: 'string?',
  title: 'string',
  type: 'string',
  userReportCount: 'integer',
};

// Optional properties of the same detail schema that Errata always sends, with their stated types.
const ISSUE_DETAIL_OPTIONAL_TYPES: Record<string, Kind> = {
  count: 'string',
  userCount: 'integer',
  firstSeen: 'date?',
  lastSeen: 'date?',
  firstRelease: 'object?',
  lastRelease: 'object?',
  tags: 'array',
};

// GET /api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/events/{event_id}/ (getProjectEvent),
// 200, schema.required, with the type of each of those properties.
const EVENT_DETAIL_REQUIRED = [
  '_meta',
  'context',
  'contexts',
  'dateReceived',
  'dist',
  'entries',
  'errors',
  'eventID',
  'groupID',
  'id',
  'location',
  'message',
  'metadata',
  'nextEventID',
  'occurrence',
  'packages',
  'platform',
  'previousEventID',
  'projectID',
  'release',
  'resolvedWith',
  'sdk',
  'sdkUpdates',
  'size',
  'tags',
  'title',
  'type',
  'user',
  'userReport',
] as const;

const EVENT_DETAIL_TYPES: Record<(typeof EVENT_DETAIL_REQUIRED)[number], Kind> = {
  _meta: 'object',
  context: 'object?',
  contexts: 'object?',
  dateReceived: 'date?',
  dist: 'string?',
  entries: 'array',
  errors: 'array',
  eventID: 'string',
  groupID: 'string?',
  id: 'string',
  location: 'string?',
  message: 'string?',
  metadata: 'object',
  nextEventID: 'string?',
  occurrence: 'object?',
  packages: 'object',
  platform: 'string',
  previousEventID: 'string?',
  projectID: 'string',
  release: 'object?',
  resolvedWith: 'array',
  sdk: 'object?',
  sdkUpdates: 'array',
  size: 'integer?',
  tags: 'array',
  title: 'string',
  type: 'string',
  user: 'object?',
  userReport: 'object?',
};

// Optional properties of the event schema that Errata always sends, with their stated types.
const EVENT_DETAIL_OPTIONAL_TYPES: Record<string, Kind> = {
  dateCreated: 'date?',
  culprit: 'string?',
  crashFile: 'string?',
  fingerprints: 'array',
  groupingConfig: 'object',
};

// Nested `required` lists of the same three schemas.
/** `…properties.project.required` (list and detail). */
const PROJECT_REQUIRED = ['id', 'name', 'platform', 'slug'] as const;
const PROJECT_TYPES: Record<(typeof PROJECT_REQUIRED)[number], Kind> = {
  id: 'string',
  name: 'string',
  platform: 'string?',
  slug: 'string',
};
/** `…properties.assignedTo.required` (list and detail; the object itself is nullable). */
const ASSIGNED_TO_REQUIRED = ['id', 'name', 'type'] as const;
const ASSIGNED_TO_TYPES: Record<(typeof ASSIGNED_TO_REQUIRED)[number], Kind> = {
  id: 'string',
  name: 'string',
  type: 'string',
};
/** Event `…properties.tags.items.required`. */
const EVENT_TAG_REQUIRED = ['key', 'value'] as const;
/** Event `…properties.sdk.required` (the object itself is nullable; both values are nullable strings). */
const SDK_REQUIRED = ['name', 'version'] as const;
/** Event `…properties.errors.items.required`. */
const EVENT_ERROR_REQUIRED = ['data', 'message', 'type'] as const;
const EVENT_ERROR_TYPES: Record<(typeof EVENT_ERROR_REQUIRED)[number], Kind> = {
  data: 'object',
  message: 'string',
  type: 'string',
};
/** Event `…properties.groupingConfig.required`. */
const GROUPING_CONFIG_REQUIRED = ['enhancements', 'id'] as const;

// The enums the schema gives for issue fields.
const LEVELS = ['sample', 'debug', 'info', 'warning', 'error', 'fatal', 'unknown'];
const STATUSES = ['resolved', 'ignored', 'pending_deletion', 'pending_merge', 'reprocessing', 'unresolved'];
const SUBSTATUSES = [
  'archived_until_escalating',
  'archived_until_condition_met',
  'archived_forever',
  'escalating',
  'ongoing',
  'regressed',
  'new',
  null,
];
const PRIORITIES = ['low', 'medium', 'high', null];
const TYPES = [
  'default',
  'error',
  'csp',
  'nel',
  'hpkp',
  'expectct',
  'expectstaple',
  'transaction',
  'generic',
  'feedback',
];

// Required and typed as objects (or an integer) without `nullable`, yet null here: Errata has no Seer
// analysis (derivedData), no issue inbox table (inbox), no ownership rules (owners) and no per-issue
// session counts (sessionCount). Sentry itself only fills the last three with `expand=`, and answers
// null when there is nothing; null is the truthful value for each.
const NULL_WITHOUT_DATA = new Set(['derivedData', 'inbox', 'owners', 'sessionCount']);

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field, checked by expect().
type Json = Record<string, any>;

function expectKind(value: unknown, kind: Kind, where: string) {
  const nullable = kind.endsWith('?');
  if (value === null) {
    expect(nullable, `${where} is null`).toBe(true);
    return;
  }
  switch (kind.replace('?', '')) {
    case 'string':
      expect(typeof value, where).toBe('string');
      break;
    case 'date':
      expect(value, where).toMatch(RFC3339);
      expect(Number.isNaN(Date.parse(value as string)), where).toBe(false);
      break;
    case 'integer':
      expect(Number.isInteger(value), `${where}: ${value}`).toBe(true);
      break;
    case 'number':
      expect(typeof value, where).toBe('number');
      break;
    case 'boolean':
      expect(typeof value, where).toBe('boolean');
      break;
    case 'object':
      expect(typeof value === 'object' && !Array.isArray(value), `${where}: ${JSON.stringify(value)}`).toBe(
        true,
      );
      break;
    case 'array':
      expect(Array.isArray(value), where).toBe(true);
      break;
  }
}

/** Every required key present (null allowed only where the schema or NULL_WITHOUT_DATA says so), each of its kind. */
function expectFields(body: Json, required: readonly string[], types: Record<string, Kind>, where: string) {
  for (const key of required) {
    expect(body, `${where} lacks ${key}`).toHaveProperty([key]);
    if (body[key] === null && NULL_WITHOUT_DATA.has(key)) continue;
    expectKind(body[key], types[key] as Kind, `${where}.${key}`);
  }
}

function expectIssueNested(issue: Json, where: string) {
  expectFields(issue.project, PROJECT_REQUIRED, PROJECT_TYPES, `${where}.project`);
  if (issue.assignedTo !== null) {
    expectFields(issue.assignedTo, ASSIGNED_TO_REQUIRED, ASSIGNED_TO_TYPES, `${where}.assignedTo`);
    expect(['user', 'team']).toContain(issue.assignedTo.type);
    if (issue.assignedTo.email !== undefined)
      expectKind(issue.assignedTo.email, 'string', `${where}.assignedTo.email`);
  }
  expect(LEVELS, where).toContain(issue.level);
  expect(STATUSES, where).toContain(issue.status);
  expect(SUBSTATUSES, where).toContain(issue.substatus);
  expect(PRIORITIES, where).toContain(issue.priority);
  expect(TYPES, where).toContain(issue.type);
  // statusDetails: no required keys; the ones it names are typed.
  const details = issue.statusDetails as Json;
  if ('ignoreCount' in details)
    expectKind(details.ignoreCount, 'integer', `${where}.statusDetails.ignoreCount`);
  if ('ignoreUserCount' in details)
    expectKind(details.ignoreUserCount, 'integer', `${where}.statusDetails.ignoreUserCount`);
  if ('ignoreUntil' in details)
    expectKind(details.ignoreUntil, 'date?', `${where}.statusDetails.ignoreUntil`);
  for (const annotation of issue.annotations as Json[]) {
    expectKind(annotation.displayName, 'string', `${where}.annotations[].displayName`);
    expectKind(annotation.url, 'string', `${where}.annotations[].url`);
  }
}

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
    const id = () => randomUUID().replace(/-/g, '');
    const full = (at: number, user: string) => ({
      event_id: id(),
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
    for (const event of envelopes) {
      eventIds.push(event.event_id);
      const r = await postEnvelope(
        h,
        project.id,
        key.publicKey,
        envelopeOf([{ type: 'event', payload: event }]),
      );
      expect(r.statusCode).toBe(200);
    }
    // A bare message event (no SDK, user, release or dist) through the store endpoint; and a third issue.
    const bare = { event_id: id(), message: 'bare message', timestamp: now - 10 };
    eventIds.push(bare.event_id);
    expect((await postStore(h, project.id, key.publicKey, bare)).statusCode).toBe(200);
    const other = {
      event_id: id(),
      timestamp: now - 5,
      level: 'warning',
      logger: 'jobs',
      message: 'slow job',
    };
    eventIds.push(other.event_id);
    expect((await postStore(h, project.id, key.publicKey, other)).statusCode).toBe(200);
    await h.worker.drain();

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
    expect(assigned.firstRelease).toEqual({ version: 'web@1.0.0' });
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
