import { qs } from './router.js';
import type { CommitAuthor } from './types.js';

/**
 * The page of a release, which is also its API path under /api/0/. Versions are free text
 * (`web@1.2.0+build 7 (rc)`), so the version is one encoded path segment.
 *
 * @example releasePath('acme', 'web@1.2.0+7') // '/organizations/acme/releases/web%401.2.0%2B7/'
 */
export function releasePath(org: string, version: string): string {
  return `/organizations/${encodeURIComponent(org)}/releases/${encodeURIComponent(version)}/`;
}

/**
 * A value for the issue search, quoted so that spaces and quotes stay in it and escaped so that a
 * `*` in the version is not a wildcard.
 *
 * @example searchValue('1.0 (42)') // '"1.0 (42)"'
 */
export function searchValue(value: string): string {
  return `"${value.replace(/["*]/g, (c) => `\\${c}`)}"`;
}

/** The issues first seen in a release: Sentry's `firstRelease:` search. */
export function newIssuesQuery(version: string): string {
  return `firstRelease:${searchValue(version)}`;
}

/** The issue stream of the organization, showing the issues first seen in `version`. */
export function newIssuesPath(org: string, version: string, projectId?: string): string {
  return `/organizations/${encodeURIComponent(org)}/issues/${qs({ query: newIssuesQuery(version), project: projectId })}`;
}

/** A commit author's name, or the email when the commit gave no name. */
export function authorName(author: CommitAuthor | null | undefined): string {
  return author?.name || author?.email || author?.username || 'Unknown author';
}
