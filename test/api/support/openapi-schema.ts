// What Sentry's published OpenAPI document requires of the issue list, the issue detail and the
// event detail, and the checks that a response body carries each required field with its type.
//
// Source: getsentry/sentry-api-schema `openapi-derefed.json` @ a589a26c3b29bfc342a47baa963b7970961f958e
// (kept beside the reference docs as sentry-openapi.json; not read at run time, and not shipped).
// Each list below is `paths[PATH].get.responses["200"].content["application/json"].schema…required`,
// copied by hand, with each field's `type`/`format`/`nullable` written as a Kind.
import { expect } from 'vitest';
import type { Json } from './api-client.js';

/** A field's type as the schema states it: JSON type, `date` for string/date-time, `?` for nullable. */
export type Kind =
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
export const ISSUE_LIST_REQUIRED = [
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

export const ISSUE_LIST_TYPES: Record<(typeof ISSUE_LIST_REQUIRED)[number], Kind> = {
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
export const ISSUE_DETAIL_REQUIRED = [
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

export const ISSUE_DETAIL_TYPES: Record<(typeof ISSUE_DETAIL_REQUIRED)[number], Kind> = {
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
export const ISSUE_DETAIL_OPTIONAL_TYPES: Record<string, Kind> = {
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
export const EVENT_DETAIL_REQUIRED = [
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

export const EVENT_DETAIL_TYPES: Record<(typeof EVENT_DETAIL_REQUIRED)[number], Kind> = {
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
export const EVENT_DETAIL_OPTIONAL_TYPES: Record<string, Kind> = {
  dateCreated: 'date?',
  culprit: 'string?',
  crashFile: 'string?',
  fingerprints: 'array',
  groupingConfig: 'object',
};

// Nested `required` lists of the same three schemas.
/** `…properties.project.required` (list and detail). */
export const PROJECT_REQUIRED = ['id', 'name', 'platform', 'slug'] as const;
export const PROJECT_TYPES: Record<(typeof PROJECT_REQUIRED)[number], Kind> = {
  id: 'string',
  name: 'string',
  platform: 'string?',
  slug: 'string',
};
/** `…properties.assignedTo.required` (list and detail; the object itself is nullable). */
export const ASSIGNED_TO_REQUIRED = ['id', 'name', 'type'] as const;
export const ASSIGNED_TO_TYPES: Record<(typeof ASSIGNED_TO_REQUIRED)[number], Kind> = {
  id: 'string',
  name: 'string',
  type: 'string',
};
/** Event `…properties.tags.items.required`. */
export const EVENT_TAG_REQUIRED = ['key', 'value'] as const;
/** Event `…properties.sdk.required` (the object itself is nullable; both values are nullable strings). */
export const SDK_REQUIRED = ['name', 'version'] as const;
/** Event `…properties.errors.items.required`. */
export const EVENT_ERROR_REQUIRED = ['data', 'message', 'type'] as const;
export const EVENT_ERROR_TYPES: Record<(typeof EVENT_ERROR_REQUIRED)[number], Kind> = {
  data: 'object',
  message: 'string',
  type: 'string',
};
/** Event `…properties.groupingConfig.required`. */
export const GROUPING_CONFIG_REQUIRED = ['enhancements', 'id'] as const;

// The enums the schema gives for issue fields.
export const LEVELS = ['sample', 'debug', 'info', 'warning', 'error', 'fatal', 'unknown'];
export const STATUSES = [
  'resolved',
  'ignored',
  'pending_deletion',
  'pending_merge',
  'reprocessing',
  'unresolved',
];
export const SUBSTATUSES = [
  'archived_until_escalating',
  'archived_until_condition_met',
  'archived_forever',
  'escalating',
  'ongoing',
  'regressed',
  'new',
  null,
];
export const PRIORITIES = ['low', 'medium', 'high', null];
export const TYPES = [
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

// GET /api/0/organizations/{organization_id_or_slug}/trace/{trace_id}/ (getOrganizationTrace), 200:
// a span of the list (or of a span's `children`), and an error of a span's `errors` or the list.
export const TRACE_SPAN_REQUIRED = [
  'browser_web_vital',
  'children',
  'description',
  'duration',
  'end_timestamp',
  'errors',
  'event_id',
  'event_type',
  'is_transaction',
  'measurements',
  'mobile_app_vital',
  'name',
  'occurrences',
  'op',
  'parent_span_id',
  'profile_id',
  'profiler_id',
  'project_id',
  'project_slug',
  'sdk_name',
  'start_timestamp',
  'transaction',
  'transaction_id',
] as const;
export const TRACE_SPAN_TYPES: Record<(typeof TRACE_SPAN_REQUIRED)[number], Kind> = {
  browser_web_vital: 'object',
  children: 'array',
  description: 'string',
  duration: 'number?',
  end_timestamp: 'number?',
  errors: 'array',
  event_id: 'string',
  event_type: 'string',
  is_transaction: 'boolean',
  measurements: 'object',
  mobile_app_vital: 'object',
  name: 'string',
  occurrences: 'array',
  op: 'string',
  parent_span_id: 'string?',
  profile_id: 'string',
  profiler_id: 'string',
  project_id: 'integer',
  project_slug: 'string',
  sdk_name: 'string',
  start_timestamp: 'number?',
  transaction: 'string',
  transaction_id: 'string',
};
export const TRACE_ERROR_REQUIRED = [
  'culprit',
  'description',
  'event_id',
  'event_type',
  'issue_id',
  'issue_type',
  'level',
  'project_id',
  'project_slug',
  'short_id',
  'start_timestamp',
  'transaction',
] as const;
export const TRACE_ERROR_TYPES: Record<(typeof TRACE_ERROR_REQUIRED)[number], Kind> = {
  culprit: 'string?',
  description: 'string',
  event_id: 'string',
  event_type: 'string',
  issue_id: 'integer',
  issue_type: 'integer',
  level: 'string',
  project_id: 'integer',
  project_slug: 'string',
  short_id: 'string?',
  start_timestamp: 'number?',
  transaction: 'string',
};
// GET /api/0/organizations/{organization_id_or_slug}/trace-meta/{trace_id}/ (getOrganizationTraceMeta), 200.
export const TRACE_META_REQUIRED = [
  'errorsCount',
  'logsCount',
  'metricsCount',
  'performanceIssuesCount',
  'spansCount',
  'spansCountMap',
  'transactionChildCountMap',
] as const;
export const TRACE_META_TYPES: Record<(typeof TRACE_META_REQUIRED)[number], Kind> = {
  errorsCount: 'integer',
  logsCount: 'number?',
  metricsCount: 'number?',
  performanceIssuesCount: 'integer',
  spansCount: 'number?',
  spansCountMap: 'object',
  transactionChildCountMap: 'array',
};

// Required and typed as objects (or an integer) without `nullable`, yet null here: Errata has no Seer
// analysis (derivedData), no issue inbox table (inbox), no ownership rules (owners) and no per-issue
// session counts (sessionCount). Sentry itself only fills the last three with `expand=`, and answers
// null when there is nothing; null is the truthful value for each.
export const NULL_WITHOUT_DATA = new Set(['derivedData', 'inbox', 'owners', 'sessionCount']);

export const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function expectKind(value: unknown, kind: Kind, where: string) {
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
export function expectFields(
  body: Json,
  required: readonly string[],
  types: Record<string, Kind>,
  where: string,
) {
  for (const key of required) {
    expect(body, `${where} lacks ${key}`).toHaveProperty([key]);
    if (body[key] === null && NULL_WITHOUT_DATA.has(key)) continue;
    expectKind(body[key], types[key] as Kind, `${where}.${key}`);
  }
}

export function expectIssueNested(issue: Json, where: string) {
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
