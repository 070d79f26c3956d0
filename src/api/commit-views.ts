import { findActiveUsersByEmails } from '../store/control/users.js';
import { listReleasesOfCommits, releaseCommitSummaries } from '../store/region/commits.js';
import { filterMemberUserIds } from '../store/region/members.js';
import { findRepositoriesByIds } from '../store/region/repositories.js';
import type { Commit, CommitAuthor, Release, User } from '../store/types.js';
import type { ApiCall } from './route.js';
import {
  type AuthorView,
  authorViews,
  serializeCommitWithReleases,
  serializeReleaseCommits,
} from './serializers/commit.js';

// What commit answers need besides the commits: their repositories, and for each author the
// organization member of that email (a user lives in the control store, a membership in the region).

/** The author views of these authors in the organization: a member's user where the email is one's. */
export async function loadAuthorViews(
  call: ApiCall,
  organizationId: number,
  authors: readonly CommitAuthor[],
): Promise<Map<number, AuthorView>> {
  if (authors.length === 0) return new Map();
  const users = await findActiveUsersByEmails(
    call.ctx.db.control,
    authors.map((a) => a.email),
  );
  const memberIds = await filterMemberUserIds(
    call.ctx.db.region,
    organizationId,
    [...users.values()].map((u) => u.id),
  );
  const members = new Map<string, User>([...users].filter(([, user]) => memberIds.has(user.id)));
  return authorViews(authors, members);
}

const authorsOf = (commits: readonly Commit[]) => commits.flatMap((c) => (c.author ? [c.author] : []));

/** Commits as the commit lists show them, each with the releases of `projectIds` it is in. */
export async function serializeCommitList(
  call: ApiCall,
  organizationId: number,
  commits: readonly Commit[],
  projectIds: readonly number[],
) {
  const region = call.ctx.db.region;
  const repositories = await findRepositoriesByIds(
    region,
    commits.map((c) => c.repositoryId),
  );
  const authors = await loadAuthorViews(call, organizationId, authorsOf(commits));
  const releases = await listReleasesOfCommits(
    region,
    commits.map((c) => c.id),
    projectIds,
  );
  return commits.map((c) =>
    serializeCommitWithReleases(c, repositories.get(c.repositoryId), authors, releases.get(c.id) ?? []),
  );
}

/** The commit fields (`commitCount`, `lastCommit`, `authors`) of releases of one organization. */
export async function releaseCommitFields(call: ApiCall, releases: readonly Release[]) {
  const region = call.ctx.db.region;
  const summaries = await releaseCommitSummaries(
    region,
    releases.map((r) => r.id),
  );
  const lasts = [...summaries.values()].flatMap((s) => (s.lastCommit ? [s.lastCommit] : []));
  const repositories = await findRepositoriesByIds(
    region,
    lasts.map((c) => c.repositoryId),
  );
  const everyAuthor = [...summaries.values()].flatMap((s) => [
    ...s.authors,
    ...authorsOf(s.lastCommit ? [s.lastCommit] : []),
  ]);
  const authors = await loadAuthorViews(call, releases[0]?.organizationId ?? 0, [
    ...new Map(everyAuthor.map((a) => [a.id, a])).values(),
  ]);
  return (releaseId: number) => serializeReleaseCommits(summaries.get(releaseId), repositories, authors);
}
