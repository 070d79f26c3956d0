import { notFound } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import { listRepositoryCommits } from '../store/region/commits.js';
import { findRepositoryById, listRepositories } from '../store/region/repositories.js';
import { orgEndpoint, reachedProjects } from './access.js';
import { serializeCommitList } from './commit-views.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { serializeRepository } from './serializers/commit.js';

// The organization's source repositories (sentry-cli reads them before `set-commits`) and their
// commits. Errata has no integrations: repositories come from the commits releases name.

const first = (value: string | string[] | undefined) => [value ?? []].flat()[0];

/** Sentry's `status`: `active` by default, `deleted` for the others, empty for all, else none. */
function statusFilter(status: string | undefined) {
  if (status === undefined || status === 'active') return 'active';
  if (status === 'deleted') return 'inactive';
  return status === '' ? 'all' : null;
}

async function listRepos(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.repositories);
  const status = statusFilter(first(call.query.status));
  const query = first(call.query.query);
  const repositories = await paginate(call.request, call.reply, call.ctx.config.url, async (page) =>
    status === null
      ? []
      : listRepositories(call.ctx.db.region, access.org.id, page, { status, ...(query ? { query } : {}) }),
  );
  return repositories.map(serializeRepository);
}

async function listRepoCommits(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.repositoryCommits);
  const id = parseId(call.params.repo as string);
  const repository =
    id === null ? undefined : await findRepositoryById(call.ctx.db.region, access.org.id, id);
  if (!repository) throw notFound();
  const commits = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listRepositoryCommits(call.ctx.db.region, repository.id, page),
  );
  // A commit's releases are those of projects the caller may read releases of.
  const reached = await reachedProjects(call, access, PERMISSIONS.releases);
  return serializeCommitList(
    call,
    access.org.id,
    commits,
    reached.map((p) => p.id),
  );
}

export const repoRoutes: ApiRoute[] = [
  { method: 'GET', url: '/organizations/:org/repos/', auth: PERMISSIONS.repositories, handler: listRepos },
  {
    method: 'GET',
    url: '/organizations/:org/repos/:repo/commits/',
    auth: PERMISSIONS.repositoryCommits,
    handler: listRepoCommits,
  },
];
