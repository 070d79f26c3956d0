import type { ArtifactBundleSummary } from '../../store/region/artifact-bundles.js';
import { isoDate } from './dates.js';

/**
 * Sentry's artifact-bundle list item (`bundleId`, `associations`, `fileCount`, `date`,
 * `dateModified`), with the first association's `release` and `dist` as older Sentry versions
 * gave them, and Errata's `debugIds`, `size` (bytes as uploaded) and `dateLastUsed`.
 */
export function serializeArtifactBundle(bundle: ArtifactBundleSummary) {
  const first = bundle.associations[0];
  return {
    bundleId: bundle.bundleId,
    associations: bundle.associations.map((a) => ({ release: a.release, dist: a.dist })),
    release: first?.release ?? null,
    dist: first?.dist ?? null,
    debugIds: bundle.debugIds,
    fileCount: bundle.fileCount,
    size: bundle.size,
    date: isoDate(bundle.dateUploaded),
    dateModified: isoDate(bundle.dateModified),
    dateLastUsed: isoDate(bundle.dateLastUsed),
  };
}
