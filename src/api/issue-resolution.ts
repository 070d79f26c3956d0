import { AppError, badRequest } from '../lib/app-error.js';
import { followsSemver, latestByDate, latestRelease, parseSemverRelease } from '../protocol/release-order.js';
import type { Database } from '../store/db.js';
import type { Issue } from '../store/region/issue-reads.js';
import { listProjectReleases, orderDateOf, type ProjectRelease } from '../store/region/release-links.js';

/** A resolution in a release that an update asks for, settled against the project's releases. */
export interface ReleaseResolutionPlan {
  /** `in_release`: fixed in `release`; `in_next_release`: fixed in the release after `release`. */
  readonly type: 'in_release' | 'in_next_release';
  readonly release: ProjectRelease;
  /** For `in_next_release`: the release each issue counts as current in, if any. */
  readonly currentOf: (issue: Issue) => ProjectRelease | null;
}

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

/**
 * Why `inCommit` cannot resolve: Sentry looks the repository up by name in the organization and
 * then the commit in it; Errata keeps no repositories, so none is ever found.
 */
function inCommitError(value: unknown): AppError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
    return invalid('inCommit', {
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`],
    });
  }
  const { commit, repository } = value as Record<string, unknown>;
  for (const [field, v] of [
    ['commit', commit],
    ['repository', repository],
  ] as const) {
    if (v === undefined || v === null) return invalid('inCommit', { [field]: ['This field is required.'] });
    if (typeof v !== 'string') return invalid('inCommit', { [field]: ['Not a valid string.'] });
    if (v.trim() === '') return invalid('inCommit', { [field]: ['This field may not be blank.'] });
  }
  return invalid('inCommit', { repository: ['Unable to find the given repository.'] });
}

/**
 * Settles what a resolving update asks of releases (Sentry's `statusDetails`): `inNextRelease`
 * (or the status `resolvedInNextRelease`) resolves in the release after the project's latest one,
 * `inRelease` in the release of that version (`latest`: the one released, or created, last);
 * anything else is a plain resolve (null). Throws Sentry's 400 for a release the project does not
 * have, a project without releases, issues of several projects, and any `inCommit`. Reads only.
 */
export async function planReleaseResolution(
  db: Database,
  status: string,
  details: ResolveDetails,
  issues: readonly Issue[],
): Promise<ReleaseResolutionPlan | null> {
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
        : 'Cannot set resolved in release for multiple projects.',
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
  if (inCommit) throw inCommitError(details.inCommit);
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
  return { type: 'in_release', release: inRelease as ProjectRelease, currentOf: () => null };
}
