/** Sentry's longest release version. */
export const MAX_RELEASE_VERSION_LENGTH = 200;

// Characters Sentry refuses in a version: line breaks, tabs and path separators, because a version
// travels in URL paths and in one-line CLI output.
const BAD_CHARACTERS = /[\r\n\f\v\t/\\]/;

/**
 * Why Sentry would refuse this release version, or null when it is acceptable. Versions are
 * otherwise free text: `web@1.2.0+build.7` and `1.0 (42)` are both fine.
 *
 * @example releaseVersionProblem('..') // 'Release with name .. is not allowed'
 */
export function releaseVersionProblem(version: string): string | null {
  if (version.trim() === '') return 'This field may not be blank.';
  if (version.length > MAX_RELEASE_VERSION_LENGTH) {
    return `Ensure this field has no more than ${MAX_RELEASE_VERSION_LENGTH} characters.`;
  }
  if (
    version === '.' ||
    version === '..' ||
    version.toLowerCase() === 'latest' ||
    BAD_CHARACTERS.test(version)
  ) {
    return `Release with name ${version} is not allowed`;
  }
  return null;
}

/** The short form Sentry shows: without a `package@` prefix, and a commit hash cut to 12 characters. */
export function shortReleaseVersion(version: string): string {
  const at = version.indexOf('@');
  const rest = at > 0 && at < version.length - 1 ? version.slice(at + 1) : version;
  return /^[0-9a-f]{40}$/i.test(rest) ? rest.slice(0, 12) : rest;
}
