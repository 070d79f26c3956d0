import { notFound } from '../lib/app-error.js';
import {
  listIssueTagSummaries,
  listIssueTagValues,
  type TagKeySummary,
  type TagValueCount,
} from '../store/region/issue-tags.js';
import { issueEndpoint } from './issue-access.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { isoDate } from './serializers/dates.js';

const TOP_VALUES = 9;

function tagValue(v: TagValueCount) {
  return {
    key: v.key,
    name: v.value,
    value: v.value,
    count: v.count,
    firstSeen: isoDate(v.firstSeen),
    lastSeen: isoDate(v.lastSeen),
    query: `${v.key}:"${v.value.replace(/"/g, '\\"')}"`,
  };
}

function serializeSummary(summary: TagKeySummary) {
  const { key, totalValues, uniqueValues, topValues } = summary;
  return { key, name: key, totalValues, uniqueValues, topValues: topValues.map(tagValue) };
}

/** `GET …/issues/:issue/tags/`: the issue's tag keys with their top values (the distribution). */
async function listTags(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const summaries = await listIssueTagSummaries(call.ctx.db.region, call.ctx.db.engine, access.issue.id, {
    valueLimit: TOP_VALUES,
  });
  return summaries.map(serializeSummary);
}

async function getTag(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const [found] = await listIssueTagSummaries(call.ctx.db.region, call.ctx.db.engine, access.issue.id, {
    valueLimit: TOP_VALUES,
    only: call.params.key as string,
  });
  if (!found) throw notFound();
  return serializeSummary(found);
}

async function listTagValues(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const sortParam = String(call.query.sort ?? '-count').replace(/^-/, '');
  const sort = sortParam === 'date' || sortParam === 'age' ? sortParam : 'count';
  const values = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listIssueTagValues(call.ctx.db.region, access.issue.id, call.params.key as string, page, sort),
  );
  return values.map(tagValue);
}

function both(suffix: string, handler: (call: ApiCall) => Promise<unknown>): ApiRoute[] {
  return [
    { method: 'GET', url: `/organizations/:org/issues/:issue/${suffix}`, auth: PERMISSIONS.issues, handler },
    { method: 'GET', url: `/issues/:issue/${suffix}`, auth: PERMISSIONS.issues, handler },
  ];
}

export const issueTagRoutes: ApiRoute[] = [
  ...both('tags/', listTags),
  ...both('tags/:key/', getTag),
  ...both('tags/:key/values/', listTagValues),
];
