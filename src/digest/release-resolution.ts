import { compareSemver, parseSemverRelease } from '../protocol/release-order.js';
import type { Resolution } from '../store/region/issues.js';
import { orderDateOf, type ReleaseRef } from '../store/region/release-links.js';

/**
 * Whether an issue resolved in a release (or commit) stays resolved when an event of `release`
 * arrives, by Sentry's rule. Versions are compared when the project follows semver and the event's
 * release is semver; otherwise releases are ordered by date (released, else created).
 *
 * - Resolved in a commit: it stays resolved until a release holds the commit (the fix has not
 *   shipped), and then regresses on any event, as a plain resolve does.
 * - An event that names no release comes from before releases were set up: it stays resolved.
 * - "In the next release", with the release current at resolve time known: that release and
 *   older ones stay resolved, newer ones regress.
 * - "In release X": X and older releases stay resolved (an event of X comes from the build the
 *   resolution names, as one of an older build does); newer ones regress.
 *
 * @example resolutionHolds({ type: 'in_release', release: v2, current: null }, v1, true) // true
 */
export function resolutionHolds(
  resolution: Resolution,
  release: ReleaseRef | null,
  projectFollowsSemver: boolean,
): boolean {
  if (resolution.type === 'in_commit') return !resolution.commitReleased;
  if (release === null) return true;
  const event = projectFollowsSemver ? parseSemverRelease(release.version) : null;
  const resolved = resolution.release;
  const { current } = resolution;
  if (current) {
    if (!event) return current.id === release.id || orderDateOf(current) > orderDateOf(release);
    const currentVersion = parseSemverRelease(current.version);
    if (currentVersion) {
      if (compareSemver(currentVersion, event) >= 0) return true;
      // The current release may have been chosen by date; the resolving one still counts.
      const resolvedVersion = parseSemverRelease(resolved.version);
      if (resolvedVersion) return compareSemver(resolvedVersion, event) > 0;
    }
  }
  // No current release to compare with (or versions that do not compare): by the resolving one.
  if (resolution.type === 'in_next_release') {
    return resolved.id === release.id || orderDateOf(resolved) > orderDateOf(release);
  }
  if (resolved.id === release.id) return true;
  const resolvedVersion = event ? parseSemverRelease(resolved.version) : null;
  if (event && resolvedVersion) return compareSemver(resolvedVersion, event) >= 0;
  return orderDateOf(resolved) >= orderDateOf(release);
}
