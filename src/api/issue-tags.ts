import { notFound } from '../lib/app-error.js';
import { type EventUser, findEventUsers } from '../store/region/event-users.js';
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

const quoted = (text: string) => `"${text.replace(/"/g, '\\"')}"`;

/** The search field of each user key kind (digest keys users `id:…`, `email:…`, `username:…`, `ip:…`). */
const USER_KEY_FIELDS: Record<string, string> = { id: 'id', email: 'email', username: 'username', ip: 'ip' };

/**
 * Sentry's tag value; a `user` value also carries the user's fields (`id`, `email`, `username`,
 * `ipAddress`, `name`, where an event told them), is labelled by name or email rather than by its
 * key, and searches with `user.<field>:`.
 */
export function tagValue(v: TagValueCount, users: ReadonlyMap<string, EventUser> = new Map()) {
  const base = {
    key: v.key,
    name: v.value,
    value: v.value,
    count: v.count,
    firstSeen: isoDate(v.firstSeen),
    lastSeen: isoDate(v.lastSeen),
    query: `${v.key}:${quoted(v.value)}`,
  };
  if (v.key !== 'user') return base;
  const colon = v.value.indexOf(':');
  const kind = colon > 0 ? v.value.slice(0, colon) : '';
  const identifier = colon > 0 ? v.value.slice(colon + 1) : v.value;
  const field = USER_KEY_FIELDS[kind];
  const u = users.get(v.value);
  const id = u?.userId ?? (kind === 'id' ? identifier : null);
  const email = u?.email ?? (kind === 'email' ? identifier : null);
  const username = u?.username ?? (kind === 'username' ? identifier : null);
  const ipAddress = u?.ipAddress ?? (kind === 'ip' ? identifier : null);
  return {
    ...base,
    name: u?.name ?? email ?? username ?? id ?? ipAddress ?? identifier,
    query: field ? `user.${field}:${quoted(identifier)}` : base.query,
    id,
    email,
    username,
    ipAddress,
    avatarUrl: null,
  };
}

function serializeSummary(summary: TagKeySummary, users: ReadonlyMap<string, EventUser>) {
  const { key, totalValues, uniqueValues, topValues } = summary;
  return { key, name: key, totalValues, uniqueValues, topValues: topValues.map((v) => tagValue(v, users)) };
}

/** Who the `user` values among these stand for, in one read. */
async function usersOf(call: ApiCall, projectId: number, values: readonly TagValueCount[]) {
  const keys = values.filter((v) => v.key === 'user').map((v) => v.value);
  return findEventUsers(call.ctx.db.region, projectId, keys);
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
  const summaries = await tagSummaries(call, access.issue);
  const users = await usersOf(
    call,
    access.project.id,
    summaries.flatMap((s) => s.topValues),
  );
  return summaries.map((s) => serializeSummary(s, users));
}

async function getTag(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const [found] = await tagSummaries(call, access.issue, call.params.key as string);
  if (!found) throw notFound();
  return serializeSummary(found, await usersOf(call, access.project.id, found.topValues));
}

async function listTagValues(call: ApiCall) {
  const access = await issueEndpoint(call, PERMISSIONS.issues);
  const sortParam = String(call.query.sort ?? '-count').replace(/^-/, '');
  const sort = sortParam === 'date' || sortParam === 'age' ? sortParam : 'count';
  const values = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listIssueTagValues(call.ctx.db.region, access.issue.id, call.params.key as string, page, sort),
  );
  const users = await usersOf(call, access.project.id, values);
  return values.map((v) => tagValue(v, users));
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
