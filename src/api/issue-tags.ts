import { notFound } from '../lib/app-error.js';
import type { Issue } from '../store/region/issue-reads.js';
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

/** Tag summaries kept per database, most recent last: a few issues' worth. */
const SUMMARY_CACHE_SIZE = 64;
const summaryCaches = new WeakMap<object, Map<string, TagKeySummary[]>>();

/**
 * An issue's tag summaries, remembered under the issue's event count and last sighting: its tag rows
 * change only as events reach it (digest, or a merge), which move those in the same transaction, so
 * a page or a script asking again for an issue that has not changed costs no aggregate over all its
 * tag values on the one SQLite thread. Each node remembers its own; the issue row it reads first
 * says whether another node has changed it since.
 */
async function tagSummaries(call: ApiCall, issue: Issue, only?: string): Promise<TagKeySummary[]> {
  const region = call.ctx.db.region;
  const cache = summaryCaches.get(region) ?? new Map<string, TagKeySummary[]>();
  summaryCaches.set(region, cache);
  const key = `${issue.id}:${issue.timesSeen}:${issue.lastSeen}:${only ?? ''}`;
  const known = cache.get(key);
  if (known) return known;
  const summaries = await listIssueTagSummaries(region, call.ctx.db.engine, issue.id, {
    valueLimit: TOP_VALUES,
    ...(only === undefined ? {} : { only }),
  });
  cache.set(key, summaries);
  if (cache.size > SUMMARY_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return summaries;
}

/** `GET …/issues/:issue/tags/`: the issue's tag keys with their top values (the distribution). */
async function listTags(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  return (await tagSummaries(call, access.issue)).map(serializeSummary);
}

async function getTag(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const [found] = await tagSummaries(call, access.issue, call.params.key as string);
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
