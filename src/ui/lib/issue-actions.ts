import { api } from './api.js';
import { qs } from './router.js';

/** Sentry's ignore choices: minutes for `ignoreDuration`, none for "until I change it". */
export const IGNORE_CHOICES: { label: string; minutes: number | null }[] = [
  { label: 'Ignore until I change it', minutes: null },
  { label: 'Ignore for 30 minutes', minutes: 30 },
  { label: 'Ignore for 2 hours', minutes: 120 },
  { label: 'Ignore for 24 hours', minutes: 24 * 60 },
  { label: 'Ignore for 1 week', minutes: 7 * 24 * 60 },
];

export function ignoreBody(minutes: number | null): Record<string, unknown> {
  return minutes === null
    ? { status: 'ignored', statusDetails: {} }
    : { status: 'ignored', ignoreDuration: minutes, statusDetails: { ignoreDuration: minutes } };
}

/** Sentry's body for "Resolve in next release": only events of a later release count as a regression. */
export const RESOLVE_IN_NEXT_RELEASE = {
  status: 'resolved',
  statusDetails: { inNextRelease: true },
} as const;

/** Sentry's body for "Resolve in this release": only events of releases after `version` count as a regression. */
export function resolveInReleaseBody(version: string): Record<string, unknown> {
  return { status: 'resolved', statusDetails: { inRelease: version } };
}

const bulkPath = (org: string, ids: readonly string[]) =>
  `/organizations/${encodeURIComponent(org)}/issues/${qs({ id: ids })}`;

/** `PUT /organizations/:org/issues/?id=…`: one change to several issues (status, assignee, merge). */
export function updateIssues(org: string, ids: readonly string[], body: Record<string, unknown>) {
  return api.put<unknown>(bulkPath(org, ids), body);
}

export function deleteIssues(org: string, ids: readonly string[]) {
  return api.delete(bulkPath(org, ids));
}

/** `DELETE /organizations/:org/issues/:id/`: deletes one issue and its events. */
export function deleteIssue(org: string, id: string) {
  return api.delete(`/organizations/${encodeURIComponent(org)}/issues/${encodeURIComponent(id)}/`);
}

/** `PUT /organizations/:org/issues/:id/`: one change to one issue; answers the issue. */
export function updateIssue<T>(org: string, id: string, body: Record<string, unknown>) {
  return api.put<T>(`/organizations/${encodeURIComponent(org)}/issues/${encodeURIComponent(id)}/`, body);
}
