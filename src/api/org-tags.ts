import { badRequest } from '../lib/app-error.js';
import { IssueQueryError, parseTimeWindow } from '../protocol/issue-query.js';
import { findEventUsers } from '../store/region/event-users.js';
import { listOrgTagKeys, listOrgTagValues, type TagScope } from '../store/region/org-tags.js';
import { orgEndpoint } from './access.js';
import { listedProjects } from './issue-list.js';
import { tagValue } from './issue-tags.js';
import { parsePerPage } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';

// Search suggestions: the tag keys and values seen in an organization's projects. Tag values are
// event data, so these read as the issue list does (event:read, only the projects the caller reaches).

const one = (v: unknown): string | undefined =>
  Array.isArray(v) ? (v[0] as string | undefined) : (v as string | undefined);

async function tagScope(call: ApiCall): Promise<TagScope> {
  const access = await orgEndpoint(call, PERMISSIONS.issues);
  const projects = await listedProjects(call, access);
  const q = call.query as Record<string, unknown>;
  let window: TagScope['window'];
  try {
    window = parseTimeWindow(
      { statsPeriod: one(q.statsPeriod), start: one(q.start), end: one(q.end) },
      call.ctx.now(),
    );
  } catch (error) {
    if (error instanceof IssueQueryError) throw badRequest(error.message);
    throw error;
  }
  const env =
    q.environment === undefined ? [] : Array.isArray(q.environment) ? q.environment : [q.environment];
  return {
    projectIds: projects.map((p) => p.id),
    window,
    environments: env.filter((e): e is string => typeof e === 'string' && e !== ''),
  };
}

/** `GET /organizations/:org/tags/`: `[{key, name, totalValues}]`, in key order. */
async function listTags(call: ApiCall) {
  const keys = await listOrgTagKeys(call.ctx.db.region, await tagScope(call));
  return keys.map((k) => ({ key: k.key, name: k.key, totalValues: k.totalValues }));
}

/**
 * `GET /organizations/:org/tags/:key/values/`: values containing `query`, the most recently seen
 * first (`sort=-count`: the most frequent), at most `per_page` (100 by default).
 */
async function listTagValues(call: ApiCall) {
  const scope = await tagScope(call);
  const sortText = one(call.query.sort) ?? '-last_seen';
  const sort = sortText.replace(/^-/, '');
  if (sort !== 'last_seen' && sort !== 'count')
    throw badRequest('Invalid sort: choose -last_seen or -count.');
  const key = call.params.key as string;
  const values = await listOrgTagValues(call.ctx.db.region, scope, key, {
    query: one(call.query.query) ?? '',
    sort: sort === 'count' ? 'count' : 'date',
    limit: parsePerPage(call.query, 100),
  });
  const users =
    key === 'user'
      ? await findEventUsers(
          call.ctx.db.region,
          scope.projectIds,
          values.map((v) => v.value),
        )
      : new Map();
  return values.map((v) => tagValue(v, users));
}

export const orgTagRoutes: ApiRoute[] = [
  { method: 'GET', url: '/organizations/:org/tags/', auth: PERMISSIONS.issues, handler: listTags },
  {
    method: 'GET',
    url: '/organizations/:org/tags/:key/values/',
    auth: PERMISSIONS.issues,
    handler: listTagValues,
  },
];
