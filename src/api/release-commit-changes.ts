import { badRequest } from '../lib/app-error.js';
import {
  type CommitWrite,
  lockReleaseCommits,
  replaceReleaseCommits,
  upsertCommitAuthors,
  upsertCommits,
} from '../store/region/commits.js';
import { settleCommitResolutions } from '../store/region/issue-updates.js';
import { ensureRepositories, findRepositoriesByNames } from '../store/region/repositories.js';
import type { Release, Repository } from '../store/types.js';
import { type CommitInput, readCommitChanges } from './commit-input.js';
import type { ApiCall } from './route.js';

// What a release's create or update body says of its commits, checked before anything is stored
// and then written in one transaction.
//
// `commits` (sentry-cli `set-commits --local`) replace the release's commits, newest first, adding
// the repositories they name, as Sentry does. `refs` (`--commit repo@sha`, `--auto`) must name
// repositories the organization has. Sentry then asks the repository's integration for the commits
// between the previous release and the head; Errata has no integrations, so without `commits` the
// release's commits become the head commit of each ref (what the organization knows of it kept).
// `refs: []` on update clears them (`--clear`).

/** A checked change of a release's commits. */
export type CommitPlan =
  | { readonly kind: 'commits'; readonly commits: readonly CommitInput[] }
  | {
      readonly kind: 'refs';
      readonly heads: readonly { readonly repository: Repository; readonly key: string }[];
    }
  | { readonly kind: 'clear' };

// Sentry leaves out commits whose message asks it to.
const SKIP_MARK = '#skipsentry';

/** Sentry's stand-in for an author with a name and no email: the name's letters `@localhost`. */
function authorEmailOf(commit: CommitInput): string | null {
  const email =
    commit.authorEmail === null && commit.authorName
      ? `${commit.authorName.replace(/[^a-zA-Z0-9\-_.]/g, '').toLowerCase()}@localhost`
      : commit.authorEmail;
  if (!email) return null;
  return email.length > 75 ? `${email.slice(0, 72)}...` : email;
}

/**
 * Reads and checks `commits` and `refs` of the body: null when they change nothing. A ref naming a
 * repository the organization does not have is Sentry's 400.
 */
export async function readCommitPlan(
  call: ApiCall,
  organizationId: number,
  body: Record<string, unknown>,
  options: { readonly emptyRefsClear: boolean },
): Promise<CommitPlan | null> {
  const { commits = [], refs } = readCommitChanges(body);
  const kept = commits.filter((c) => !c.message?.includes(SKIP_MARK));
  if (refs && refs.length > 0) {
    const names = refs.map((r) => r.repository);
    const found = await findRepositoriesByNames(call.ctx.db.region, organizationId, names);
    const unknown = [...new Set(names.filter((n) => !found.has(n)))];
    if (unknown.length > 0) {
      const message = `Invalid repository names: ${unknown.join(',')}`;
      throw badRequest({ refs: [message], detail: `refs: ${message}` });
    }
    if (kept.length === 0) {
      return {
        kind: 'refs',
        heads: refs.map((r) => ({ repository: found.get(r.repository) as Repository, key: r.commit })),
      };
    }
  }
  if (kept.length > 0) return { kind: 'commits', commits: kept };
  if (refs?.length === 0 && options.emptyRefsClear) return { kind: 'clear' };
  return null;
}

/** The newest first (a commit without a time last), keeping the given order among equals. */
function newestFirst(commits: readonly CommitInput[]): CommitInput[] {
  return [...commits].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0));
}

async function commitWrites(
  call: ApiCall,
  trx: ApiCall['ctx']['db']['region'],
  organizationId: number,
  commits: readonly CommitInput[],
): Promise<CommitWrite[]> {
  const repoName = (c: CommitInput) => c.repository ?? `organization-${organizationId}`;
  const repositories = await ensureRepositories(trx, organizationId, commits.map(repoName), call.ctx.now());
  // The first commit of an email names its author.
  const authorsByEmail = new Map<string, { email: string; name: string | null }>();
  for (const c of commits) {
    const email = authorEmailOf(c);
    if (email && !authorsByEmail.has(email)) authorsByEmail.set(email, { email, name: c.authorName });
  }
  const authors = await upsertCommitAuthors(trx, organizationId, [...authorsByEmail.values()]);
  return commits.map((c) => {
    const email = authorEmailOf(c);
    return {
      repositoryId: (repositories.get(repoName(c)) as Repository).id,
      key: c.id,
      ...(c.message === undefined ? {} : { message: c.message }),
      authorId: email ? (authors.get(email)?.id ?? null) : null,
      ...(c.timestamp === undefined ? {} : { dateCreated: c.timestamp }),
      files: c.patchSet.map((f) => ({ filename: f.path, type: f.type })),
    };
  });
}

/** Writes a checked change of the release's commits, in one transaction. */
export async function writeCommitPlan(call: ApiCall, release: Release, plan: CommitPlan): Promise<void> {
  const organizationId = release.organizationId;
  await call.ctx.db.region.transaction().execute(async (trx) => {
    await lockReleaseCommits(trx, release.id);
    const writes =
      plan.kind === 'commits'
        ? await commitWrites(call, trx, organizationId, newestFirst(plan.commits))
        : plan.kind === 'refs'
          ? plan.heads.map((h) => ({ repositoryId: h.repository.id, key: h.key, authorId: null, files: [] }))
          : [];
    const ids = await upsertCommits(trx, organizationId, writes, call.ctx.now());
    await replaceReleaseCommits(trx, release.id, ids);
    await settleCommitResolutions(trx, release.id, ids);
  });
}
