import { describe, expect, it } from 'vitest';
import { releaseVersionProblem, shortReleaseVersion } from './release-version.js';

describe('release versions', () => {
  it.each(['1.0.0', 'web@1.2.0+build.7', '1.0 (42)', 'a'.repeat(200), 'release-latest'])(
    'accepts %j',
    (v) => {
      expect(releaseVersionProblem(v)).toBeNull();
    },
  );

  it.each(['', '   ', '.', '..', 'latest', 'LATEST', 'a/b', 'a\\b', 'a\nb', 'a\tb', 'a\rb', 'a'.repeat(201)])(
    'refuses %j',
    (v) => {
      expect(releaseVersionProblem(v)).toEqual(expect.any(String));
    },
  );

  it('shortens package prefixes and commit hashes', () => {
    expect(shortReleaseVersion('web@1.2.0+build.7')).toBe('1.2.0+build.7');
    expect(shortReleaseVersion('da39a3ee5e6b4b0d3255bfef95601890afd80709')).toBe('da39a3ee5e6b');
    expect(shortReleaseVersion('1.0 (42)')).toBe('1.0 (42)');
  });
});
