import { shortReleaseVersion } from '../../protocol/release-version.js';
import type { Deploy, Project, Release, ReleaseStats } from '../../store/types.js';
import { isoDate, isoDateOrNull } from './dates.js';

/** Sentry's deploy object (sentry-cli's `deploys list` needs `dateFinished`). */
export function serializeDeploy(deploy: Deploy) {
  return {
    id: String(deploy.id),
    environment: deploy.environment,
    dateStarted: isoDateOrNull(deploy.dateStarted),
    dateFinished: isoDate(deploy.dateFinished),
    name: deploy.name,
    url: deploy.url,
  };
}

/**
 * Sentry's release object. The commit fields here are a release's without commits;
 * api/commit-views.ts gives the others (`releaseCommitFields`). `health` gives each project's
 * `hasHealthData` (and `healthData` when asked for).
 */
export function serializeRelease(
  release: Release,
  projects: readonly Project[],
  stats: ReleaseStats,
  health: (projectId: number, version: string) => Record<string, unknown> = () => ({ hasHealthData: false }),
) {
  const newGroups = (id: number) => stats.newGroups.get(id) ?? 0;
  return {
    id: release.id,
    version: release.version,
    shortVersion: shortReleaseVersion(release.version),
    status: 'open',
    ref: release.ref,
    url: release.url,
    dateCreated: isoDate(release.dateCreated),
    dateStarted: isoDateOrNull(release.dateStarted),
    dateReleased: isoDateOrNull(release.dateReleased),
    data: {},
    owner: null,
    newGroups: projects.reduce((sum, p) => sum + newGroups(p.id), 0),
    firstEvent: isoDateOrNull(stats.firstEvent),
    lastEvent: isoDateOrNull(stats.lastEvent),
    commitCount: 0,
    lastCommit: null,
    authors: [] as never[],
    deployCount: stats.deployCount,
    lastDeploy: stats.lastDeploy && serializeDeploy(stats.lastDeploy),
    projects: projects.map((p) => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      newGroups: newGroups(p.id),
      platform: p.platform,
      platforms: p.platform ? [p.platform] : [],
      ...health(p.id, release.version),
    })),
    currentProjectMeta: {},
    userAgent: null,
  };
}
