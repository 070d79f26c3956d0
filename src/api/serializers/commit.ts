import { shortReleaseVersion } from '../../protocol/release-version.js';
import type {
  Commit,
  CommitFileChange,
  Release,
  ReleaseCommitSummary,
  Repository,
  User,
} from '../../store/types.js';
import { isoDate, isoDateOrNull } from './dates.js';
import { serializeUser } from './user.js';

/**
 * A commit author as Sentry shows one: the organization member whose email it is, else its name
 * and email as the commits gave them.
 */
export type AuthorView = ReturnType<typeof serializeUser> | { name: string | null; email: string };

/** Sentry's repository object; one no integration provides has the "unknown" provider. */
export function serializeRepository(repository: Repository) {
  return {
    id: String(repository.id),
    name: repository.name,
    url: repository.url,
    provider: repository.provider
      ? { id: repository.provider, name: repository.provider }
      : { id: 'unknown', name: 'Unknown Provider' },
    status: repository.status,
    dateCreated: isoDate(repository.dateCreated),
    integrationId: null,
    externalSlug: null,
    externalId: repository.externalId,
  };
}

/** Sentry's commit object; a commit without an author has `{}` there, as in Sentry. */
export function serializeCommit(
  commit: Commit,
  repository: Repository | undefined,
  authors: ReadonlyMap<number, AuthorView>,
) {
  return {
    id: commit.key,
    message: commit.message,
    dateCreated: isoDate(commit.dateCreated),
    pullRequest: null,
    suspectCommitType: '',
    repository: repository ? serializeRepository(repository) : {},
    author: (commit.author && authors.get(commit.author.id)) ?? {},
  };
}

/** The commit with the releases it is in, as the commit lists show it. */
export function serializeCommitWithReleases(
  commit: Commit,
  repository: Repository | undefined,
  authors: ReadonlyMap<number, AuthorView>,
  releases: readonly Release[],
) {
  return {
    ...serializeCommit(commit, repository, authors),
    releases: releases.map((r) => ({
      version: r.version,
      shortVersion: shortReleaseVersion(r.version),
      ref: r.ref,
      url: r.url,
      dateReleased: isoDateOrNull(r.dateReleased),
      dateCreated: isoDate(r.dateCreated),
    })),
  };
}

/** Sentry's file change of a release's commits (`…/commitfiles/`). */
export function serializeCommitFile(
  file: CommitFileChange,
  repository: Repository | undefined,
  authors: ReadonlyMap<number, AuthorView>,
) {
  return {
    id: String(file.id),
    orgId: file.commit.organizationId,
    author: (file.commit.author && authors.get(file.commit.author.id)) ?? {},
    commitMessage: file.commit.message,
    filename: file.filename,
    type: file.type,
    repoName: repository?.name ?? null,
  };
}

/** The release fields about commits: their count, the newest one and their authors. */
export function serializeReleaseCommits(
  summary: ReleaseCommitSummary | undefined,
  repositories: ReadonlyMap<number, Repository>,
  authors: ReadonlyMap<number, AuthorView>,
) {
  const last = summary?.lastCommit ?? null;
  return {
    commitCount: summary?.commitCount ?? 0,
    lastCommit: last && serializeCommit(last, repositories.get(last.repositoryId), authors),
    // Two author emails of one member show that member once.
    authors: [
      ...new Map(
        (summary?.authors ?? []).flatMap((a) => {
          const view = authors.get(a.id);
          return view ? [['id' in view ? `user:${view.id}` : `email:${view.email}`, view] as const] : [];
        }),
      ).values(),
    ],
  };
}

/** The author views of these commit authors: members' users by email, else name and email. */
export function authorViews(
  authors: Iterable<{ id: number; name: string | null; email: string }>,
  members: ReadonlyMap<string, User>,
): Map<number, AuthorView> {
  const out = new Map<number, AuthorView>();
  for (const a of authors) {
    const user = members.get(a.email.toLowerCase());
    out.set(a.id, user ? serializeUser(user) : { name: a.name, email: a.email });
  }
  return out;
}
