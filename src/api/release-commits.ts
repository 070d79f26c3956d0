import { notFound } from '../lib/app-error.js';
import {
  findPreviousReleaseWithCommits,
  listReleaseCommits,
  listReleaseFileChanges,
} from '../store/region/commits.js';
import { findRelease, listProjectIdsOfReleases } from '../store/region/releases.js';
import {
  findRepositoriesByIds,
  findRepositoriesByNames,
  findRepositoryByExternalId,
} from '../store/region/repositories.js';
import { projectEndpoint, reachedProjects } from './access.js';
import { loadAuthorViews, serializeCommitList } from './commit-views.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { releaseTarget, serialize as serializeReleases } from './releases.js';
import type { ApiCall, ApiRoute } from './route.js';
import { serializeCommitFile } from './serializers/commit.js';

// A release's commits, the files they changed, and the release before it with commits (where
// sentry-cli's `set-commits --local` starts reading history).

async function listCommitsOfRelease(call: ApiCall) {
  const { access, release } = await releaseTarget(call);
  const commits = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listReleaseCommits(call.ctx.db.region, release.id, page),
  );
  const reached = await reachedProjects(call, access, PERMISSIONS.releases);
  return serializeCommitList(
    call,
    access.org.id,
    commits,
    reached.map((p) => p.id),
  );
}

async function listProjectReleaseCommits(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.releases);
  const region = call.ctx.db.region;
  const release = await findRelease(region, access.org.id, call.params.version as string);
  const ids = release ? ((await listProjectIdsOfReleases(region, [release.id])).get(release.id) ?? []) : [];
  if (!release || !ids.includes(access.project.id)) throw notFound();
  const commits = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listReleaseCommits(region, release.id, page),
  );
  return serializeCommitList(call, access.org.id, commits, [access.project.id]);
}

const first = (value: string | string[] | undefined) => [value ?? []].flat()[0] || undefined;

/** `repo_name` or `repo_id` (the repository's external id) narrows the files to one repository. */
async function repositoryFilter(call: ApiCall, organizationId: number): Promise<number | undefined> {
  const name = first(call.query.repo_name);
  const externalId = first(call.query.repo_id);
  if (name === undefined && externalId === undefined) return undefined;
  const region = call.ctx.db.region;
  const repository =
    externalId !== undefined
      ? await findRepositoryByExternalId(region, organizationId, externalId)
      : (await findRepositoriesByNames(region, organizationId, [name as string])).get(name as string);
  if (!repository) throw notFound();
  return repository.id;
}

async function listCommitFiles(call: ApiCall) {
  const { access, release } = await releaseTarget(call);
  const region = call.ctx.db.region;
  const repositoryId = await repositoryFilter(call, access.org.id);
  const files = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listReleaseFileChanges(region, release.id, page, repositoryId),
  );
  const commits = files.map((f) => f.commit);
  const repositories = await findRepositoriesByIds(
    region,
    commits.map((c) => c.repositoryId),
  );
  const authors = await loadAuthorViews(
    call,
    access.org.id,
    commits.flatMap((c) => (c.author ? [c.author] : [])),
  );
  return files.map((f) => serializeCommitFile(f, repositories.get(f.commit.repositoryId), authors));
}

/** Sentry answers `{}` when there is none; sentry-cli reads that as "start from scratch". */
async function previousWithCommits(call: ApiCall) {
  const { access, release, projects } = await releaseTarget(call);
  const previous = await findPreviousReleaseWithCommits(
    call.ctx.db.region,
    release,
    projects.map((p) => p.id),
  );
  if (!previous) return {};
  const reached = await reachedProjects(call, access, PERMISSIONS.releases);
  return (await serializeReleases(call, [previous], reached))[0];
}

const RELEASE = '/organizations/:org/releases/:version/';

export const releaseCommitRoutes: ApiRoute[] = [
  { method: 'GET', url: `${RELEASE}commits/`, auth: PERMISSIONS.releases, handler: listCommitsOfRelease },
  { method: 'GET', url: `${RELEASE}commitfiles/`, auth: PERMISSIONS.releases, handler: listCommitFiles },
  {
    method: 'GET',
    url: `${RELEASE}previous-with-commits/`,
    auth: PERMISSIONS.releases,
    handler: previousWithCommits,
  },
  {
    method: 'GET',
    url: '/projects/:org/:project/releases/:version/commits/',
    auth: PERMISSIONS.releases,
    handler: listProjectReleaseCommits,
  },
];
