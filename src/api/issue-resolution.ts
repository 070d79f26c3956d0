import { AppError, badRequest } from '../lib/app-error.js';
import { followsSemver, latestByDate, latestRelease, parseSemverRelease } from '../protocol/release-order.js';
import type { Database } from '../store/db.js';
import { findCommitByKey, findCommitsByIds } from '../store/region/commits.js';
import type { Issue } from '../store/region/issue-reads.js';
import {
  findReleaseRefs,
  listProjectReleases,
  orderDateOf,
  type ProjectRelease,
} from '../store/region/release-links.js';
import { findRepositoriesByIds, findRepositoriesByNames } from '../store/region/repositories.js';
import type { Commit, Repository } from '../store/types.js';
import { loadAuthorViews } from './commit-views.js';
import type { ApiCall } from './route.js';
import { serializeCommit } from './serializers/commit.js';

/** A resolution in a release or a commit that an update asks for, settled against what exists. */
export type ResolutionPlan =
  | {
      /** `in_release`: fixed in `release`; `in_next_release`: fixed in the release after `release`. */
      readonly type: 'in_release' | 'in_next_release';
      readonly release: ProjectRelease;
      /** For `in_next_release`: the release each issue counts as current in, if any. */
      readonly currentOf: (issue: Issue) => ProjectRelease | null;
    }
  | { readonly type: 'in_commit'; readonly commit: Commit; readonly repository: Repository };

/** The body's `statusDetails`, as far as resolving goes (Sentry's names). */
interface ResolveDetails {
  readonly inRelease?: unknown;
  readonly inNextRelease?: unknown;
  readonly inCommit?: unknown;
}

const NO_RELEASES = "No release data present in the system to form a basis for 'Next Release'";

/** Sentry's validation error for one field of `statusDetails`, with Errata's `detail` beside it. */
function invalid(field: string, errors: string[] | Record<string, string[]>): AppError {
  const first = Array.isArray(errors) ? errors[0] : Object.values(errors)[0]?.[0];
  return new AppError('bad_request', {
    statusDetails: { [field]: errors },
    detail: `statusDetails.${field}: ${first}`,
  });
}

/** The commit `inCommit` names (`{commit, repository}`: its SHA and the repository's name). */
async function inCommitOf(
  db: Database,
  organizationId: number,
  value: unknown,
): Promise<[Commit, Repository]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
    throw invalid('inCommit', { non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] });
  }
  const fields = value as Record<string, unknown>;
  for (const field of ['commit', 'repository']) {
    const v = fields[field];
    if (v === undefined || v === null) throw invalid('inCommit', { [field]: ['This field is required.'] });
    if (typeof v !== 'string') throw invalid('inCommit', { [field]: ['Not a valid string.'] });
    if (v.trim() === '') throw invalid('inCommit', { [field]: ['This field may not be blank.'] });
  }
  const name = fields.repository as string;
  const repository = (await findRepositoriesByNames(db.region, organizationId, [name])).get(name);
  if (!repository) throw invalid('inCommit', { repository: ['Unable to find the given repository.'] });
  const commit = await findCommitByKey(db.region, repository.id, fields.commit as string);
  if (!commit) throw invalid('inCommit', { commit: ['Unable to find the given commit.'] });
  return [commit, repository];
}

/**
 * Settles what a resolving update asks of releases and commits (Sentry's `statusDetails`):
 * `inNextRelease` (or the status `resolvedInNextRelease`) resolves in the release after the
 * project's latest one, `inRelease` in the release of that version (`latest`: the one released,
 * or created, last), `inCommit` in a commit of one of the organization's repositories; anything
 * else is a plain resolve (null). Throws Sentry's 400 for a release the project does not have, a
 * project without releases, an unknown repository or commit, and issues of several projects.
 * Reads only.
 */
export async function planResolution(
  db: Database,
  organizationId: number,
  status: string,
  details: ResolveDetails,
  issues: readonly Issue[],
): Promise<ResolutionPlan | null> {
  const next = status === 'resolvedInNextRelease' || details.inNextRelease === true;
  const version =
    typeof details.inRelease === 'string' && details.inRelease !== '' ? details.inRelease : null;
  const inCommit = details.inCommit !== undefined && details.inCommit !== null;
  if (!next && version === null && !inCommit) return null;
  const projectIds = [...new Set(issues.map((i) => i.projectId))];
  if (projectIds.length > 1) {
    throw badRequest(
      next
        ? 'Cannot set resolved in next release for multiple projects.'
        : version !== null
          ? 'Cannot set resolved in release for multiple projects.'
          : 'Cannot set resolved in commit for multiple projects.',
    );
  }
  const releases = await listProjectReleases(db.region, projectIds);
  const dated = releases.map((r) => ({ ...r, orderDate: orderDateOf(r) }));
  let inRelease: ProjectRelease | undefined;
  if (version !== null) {
    inRelease = version === 'latest' ? latestByDate(dated) : releases.find((r) => r.version === version);
    if (!inRelease) {
      throw invalid('inRelease', [
        version === 'latest' ? NO_RELEASES : 'Unable to find a release with the given version.',
      ]);
    }
  }
  const latest = latestByDate(dated);
  if (next && !latest) throw invalid('inNextRelease', [NO_RELEASES]);
  const commit = inCommit ? await inCommitOf(db, organizationId, details.inCommit) : null;
  if (next && latest) {
    // Sentry compares by version when the project and the resolving release follow semver; the
    // current release is then the highest version, else the last one the issue was seen in.
    const newestFirst = [...releases].reverse().map((r) => r.version);
    const semver = followsSemver(newestFirst) && parseSemverRelease(latest.version) !== null;
    const highest = semver ? (latestRelease(dated, true) ?? null) : null;
    return {
      type: 'in_next_release',
      release: latest,
      currentOf: (issue) =>
        semver ? highest : (releases.find((r) => r.version === issue.lastRelease) ?? null),
    };
  }
  if (inRelease) return { type: 'in_release', release: inRelease, currentOf: () => null };
  const [found, repository] = commit as [Commit, Repository];
  return { type: 'in_commit', commit: found, repository };
}

/**
 * What `statusDetails` says of each resolved issue's resolution in a release or commit, as
 * Sentry's issue serializer does (`inRelease`, `inNextRelease` or `inCommit`; the actor is added
 * by the caller), in a few batched reads. An issue whose release or commit is gone has none.
 */
export async function resolutionDetails(
  call: ApiCall,
  issues: readonly Issue[],
): Promise<Map<number, Record<string, unknown>>> {
  const resolved = issues.filter((i) => i.status === 'resolved' && i.resolutionType !== null);
  const out = new Map<number, Record<string, unknown>>();
  if (resolved.length === 0) return out;
  const releases = await findReleaseRefs(
    call.ctx.db.region,
    resolved.flatMap((i) =>
      i.resolutionType !== 'in_commit' && i.resolutionReleaseId !== null ? [i.resolutionReleaseId] : [],
    ),
  );
  const commits = await serializeCommitsById(
    call,
    resolved.flatMap((i) =>
      i.resolutionType === 'in_commit' && i.resolutionCommitId !== null ? [i.resolutionCommitId] : [],
    ),
  );
  for (const issue of resolved) {
    if (issue.resolutionType === 'in_commit') {
      const commit = issue.resolutionCommitId === null ? undefined : commits.get(issue.resolutionCommitId);
      if (commit) out.set(issue.id, { inCommit: commit });
      continue;
    }
    const release = issue.resolutionReleaseId === null ? undefined : releases.get(issue.resolutionReleaseId);
    if (!release) continue;
    out.set(
      issue.id,
      issue.resolutionType === 'in_release' ? { inRelease: release.version } : { inNextRelease: true },
    );
  }
  return out;
}

/** Sentry's commit objects (with repository and author) of these commits, by id; missing ones left out. */
export async function serializeCommitsById(
  call: ApiCall,
  ids: readonly number[],
): Promise<Map<number, ReturnType<typeof serializeCommit>>> {
  const region = call.ctx.db.region;
  const commits = await findCommitsByIds(region, ids);
  const out = new Map<number, ReturnType<typeof serializeCommit>>();
  const first = [...commits.values()][0];
  if (!first) return out;
  const repositories = await findRepositoriesByIds(
    region,
    [...commits.values()].map((c) => c.repositoryId),
  );
  const authors = await loadAuthorViews(
    call,
    first.organizationId,
    [...commits.values()].flatMap((c) => (c.author ? [c.author] : [])),
  );
  for (const [id, commit] of commits) {
    out.set(id, serializeCommit(commit, repositories.get(commit.repositoryId), authors));
  }
  return out;
}
