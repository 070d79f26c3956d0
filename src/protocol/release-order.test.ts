import { describe, expect, it } from 'vitest';
import {
  compareSemver,
  followsSemver,
  latestRelease,
  matchesBuildFilter,
  matchesVersionFilter,
  parseSemverRelease,
} from './release-order.js';

const parsed = (v: string) => {
  const p = parseSemverRelease(v);
  if (!p) throw new Error(`${v} is not semver`);
  return p;
};
const cmp = (a: string, b: string) => compareSemver(parsed(a), parsed(b));

describe('semver releases', () => {
  it.each([
    ['web@1.2.3', { package: 'web', numbers: [1n, 2n, 3n, 0n], prerelease: '', build: '' }],
    ['web@1', { package: 'web', numbers: [1n, 0n, 0n, 0n], prerelease: '', build: '' }],
    ['a.b.c@1.2.3.4', { package: 'a.b.c', numbers: [1n, 2n, 3n, 4n], prerelease: '', build: '' }],
    [
      '@scope/pkg@2.0.0-rc.1+7',
      { package: '@scope/pkg', numbers: [2n, 0n, 0n, 0n], prerelease: 'rc.1', build: '7' },
    ],
    [
      'app@1.0rc1+20200101',
      { package: 'app', numbers: [1n, 0n, 0n, 0n], prerelease: 'rc1', build: '20200101' },
    ],
    ['app@1.0.0+build.7', { package: 'app', numbers: [1n, 0n, 0n, 0n], prerelease: '', build: 'build.7' }],
  ])('parses %j', (version, expected) => {
    expect(parseSemverRelease(version)).toEqual(expected);
  });

  it.each([
    '1.0.0', // no package
    'web@', // no version
    'web@abc', // not a version
    'web@1.0.0 (42)', // free text after it
    'web@da39a3ee5e6b4b0d3255bfef95601890afd80709', // a commit hash
    'web@123456789012', // twelve hex digits read as a hash, as Sentry does
    'web@1.2.3.4.5', // five numbers
    'web@1.0.0-01', // a numeric prerelease with a leading zero
    'web@9223372036854775808', // past a signed 64-bit number
    'a@b@1.0.0',
  ])('refuses %j', (version) => {
    expect(parseSemverRelease(version)).toBeNull();
  });

  it.each([
    ['web@1.0.0', 'web@2.0.0', -1],
    ['web@1.10.0', 'web@1.9.0', 1],
    ['web@1.2', 'web@1.2.0', 0],
    ['web@1.2.3', 'web@1.2.3.1', -1],
    // A release is newer than its prereleases; prereleases by semver precedence.
    ['web@1.0.0-rc.1', 'web@1.0.0', -1],
    ['web@1.0.0-alpha', 'web@1.0.0-beta', -1],
    ['web@1.0.0-rc.2', 'web@1.0.0-rc.10', -1],
    ['web@1.0.0-rc.1', 'web@1.0.0-rc', 1],
    ['web@1.0.0-1', 'web@1.0.0-alpha', -1],
    // Builds: none < numeric (by value) < text.
    ['web@1.0.0', 'web@1.0.0+1', -1],
    ['web@1.0.0+9', 'web@1.0.0+10', -1],
    ['web@1.0.0+99', 'web@1.0.0+abc', -1],
    ['web@1.0.0+abc', 'web@1.0.0+abd', -1],
    // The package is not compared, only the version.
    ['api@2.0.0', 'web@1.0.0', 1],
  ] as const)('compares %s with %s: %i', (a, b, expected) => {
    expect(cmp(a, b)).toBe(expected);
    expect(cmp(b, a)).toBe(-expected || 0);
  });

  it('ignores builds when asked', () => {
    expect(compareSemver(parsed('web@1.0.0+1'), parsed('web@1.0.0+2'), { ignoreBuild: true })).toBe(0);
  });
});

describe('whether a project follows semver', () => {
  const s = (n: number) => `web@1.0.${n}`;
  const x = (n: number) => `build-${n}`;
  it.each([
    [[], false],
    [[s(1)], true],
    [[x(2), s(1)], false], // with two, the newest decides
    [[s(2), x(1)], true],
    [[x(3), x(2), s(1)], true], // three to nine: one of the newest three
    [[x(4), x(3), x(2), s(1)], false],
    [[x(9), x(8), s(7), x(6), x(5), x(4), x(3), x(2), x(1), x(0)], false], // ten: also three of ten
    [[x(9), x(8), s(7), x(6), s(5), x(4), x(3), s(2), x(1), x(0)], true],
    [[x(9), x(8), s(7), x(6), s(5), x(4), x(3), x(2), x(1), x(0), s(-1)], false], // only the newest ten
  ])('%j → %s', (versions, expected) => {
    expect(followsSemver(versions)).toBe(expected);
  });
});

describe('the latest release', () => {
  const releases = [
    { version: 'web@2.0.0', orderDate: 1 },
    { version: 'web@10.0.0-rc.1', orderDate: 2 },
    { version: 'web@1.5.0', orderDate: 3 },
    { version: 'nightly', orderDate: 4 },
  ];
  it('is the highest version in a semver project, else the last released or created', () => {
    expect(latestRelease(releases, true)?.version).toBe('web@10.0.0-rc.1');
    expect(latestRelease(releases, false)?.version).toBe('nightly');
    expect(latestRelease([], true)).toBeUndefined();
  });
});

describe('release search filters', () => {
  const web = parsed('web@1.2.3-rc.1+77');
  it('compares versions, ignoring builds, and matches prefixes and packages', () => {
    const v = parsed('x@1.2.3-rc.1');
    expect(matchesVersionFilter({ kind: 'compare', operator: '=', package: null, version: v }, web)).toBe(
      true,
    );
    expect(matchesVersionFilter({ kind: 'compare', operator: '>', package: null, version: v }, web)).toBe(
      false,
    );
    expect(matchesVersionFilter({ kind: 'compare', operator: '>=', package: 'api', version: v }, web)).toBe(
      false,
    );
    expect(matchesVersionFilter({ kind: 'prefix', package: null, numbers: [1n, 2n] }, web)).toBe(true);
    expect(matchesVersionFilter({ kind: 'prefix', package: 'web', numbers: [1n, 3n] }, web)).toBe(false);
    expect(matchesVersionFilter({ kind: 'prefix', package: 'web', numbers: [] }, web)).toBe(true);
  });

  it('compares numeric builds and matches build codes and their prefixes', () => {
    expect(matchesBuildFilter({ kind: 'number', operator: '>', value: 70n }, web)).toBe(true);
    expect(matchesBuildFilter({ kind: 'number', operator: '<', value: 70n }, web)).toBe(false);
    expect(matchesBuildFilter({ kind: 'code', code: '7', prefix: true }, web)).toBe(true);
    expect(matchesBuildFilter({ kind: 'code', code: '7', prefix: false }, web)).toBe(false);
    expect(matchesBuildFilter({ kind: 'number', operator: '>', value: 1n }, parsed('web@1.0+abc'))).toBe(
      false,
    );
  });
});
