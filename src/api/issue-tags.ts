import { notFound } from '../lib/app-error.js';
import { listIssueTagKeys, listIssueTagValues, type TagValueCount } from '../store/region/issue-tags.js';
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

async function tagSummary(
  call: ApiCall,
  issueId: number,
  key: string,
  totalValues: number,
  uniqueValues: number,
) {
  const top = await listIssueTagValues(call.ctx.db.region, issueId, key, { limit: TOP_VALUES, offset: 0 });
  return { key, name: key, totalValues, uniqueValues, topValues: top.map(tagValue) };
}

/** `GET …/issues/:issue/tags/`: every tag key of the issue with its top values (the distribution). */
async function listTags(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const keys = await listIssueTagKeys(call.ctx.db.region, access.issue.id);
  return Promise.all(
    keys.map((k) => tagSummary(call, access.issue.id, k.key, k.totalValues, k.uniqueValues)),
  );
}

async function getTag(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const key = call.params.key as string;
  const found = (await listIssueTagKeys(call.ctx.db.region, access.issue.id)).find((k) => k.key === key);
  if (!found) throw notFound();
  return tagSummary(call, access.issue.id, key, found.totalValues, found.uniqueValues);
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
