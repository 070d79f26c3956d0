/**
 * A release version of Sentry's semver-like form `package@version+build`, in parts. The version is
 * `major[.minor[.patch[.revision]]]`, then a prerelease (after `-`, or starting with a lowercase
 * letter, as in `1.0rc1`), then a build code after `+`.
 */
export interface SemverRelease {
  readonly package: string;
  /** Major, minor, patch and revision; a missing one is 0. */
  readonly numbers: readonly [bigint, bigint, bigint, bigint];
  /** Without its leading `-`; '' when there is none. */
  readonly prerelease: string;
  /** '' when there is none. */
  readonly build: string;
}

// A prerelease or build identifier: 0, a number without leading zeros, or text with a letter or dash.
const IDENTIFIER = '(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)';
const VERSION = new RegExp(
  `^([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:\\.([0-9]+))?` +
    `((?:-|[a-z])${IDENTIFIER}?(?:\\.${IDENTIFIER})*)?` +
    '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$',
);
/** `package@version`: the package may start with one `@` (npm scopes) and holds no other. */
const PACKAGED = /^(@?[^@]+)@(.+)$/;
/** Sentry reads a version part of these lengths, all hex, as a commit hash: not a version. */
const HASH_LENGTHS = new Set([12, 16, 20, 32, 40, 64]);
/** Sentry keeps version numbers in signed 64-bit columns; a bigger one is not semver there. */
const MAX_NUMBER = 2n ** 63n - 1n;

/** Parses the version part (`1.2.3-rc.1+7`) alone; null when it is not of the semver-like form. */
export function parseVersionPart(text: string): Omit<SemverRelease, 'package'> | null {
  const m = VERSION.exec(text);
  if (!m) return null;
  const numbers = [m[1], m[2], m[3], m[4]].map((n) => BigInt(n ?? '0')) as [bigint, bigint, bigint, bigint];
  if (numbers.some((n) => n > MAX_NUMBER)) return null;
  const pre = m[5] ?? '';
  return { numbers, prerelease: pre.startsWith('-') ? pre.slice(1) : pre, build: m[6] ?? '' };
}

/**
 * The parts of a release that follows Sentry's semantic versioning, or null for one that does not:
 * a version without a package (`1.0.0`), a commit hash (`web@` + 40 hex digits) or free text.
 *
 * @example parseSemverRelease('web@1.2.0-rc.1+7') // { package: 'web', numbers: [1n, 2n, 0n, 0n], prerelease: 'rc.1', build: '7' }
 */
export function parseSemverRelease(version: string): SemverRelease | null {
  const m = PACKAGED.exec(version.trim());
  if (!m) return null;
  const raw = m[2] as string;
  if (HASH_LENGTHS.has(raw.length) && /^[0-9a-fA-F]+$/.test(raw)) return null;
  const parts = parseVersionPart(raw);
  return parts && { package: m[1] as string, ...parts };
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);
const compareText = (a: string, b: string) => sign(a < b ? -1 : a > b ? 1 : 0);
const compareBig = (a: bigint, b: bigint) => sign(a < b ? -1 : a > b ? 1 : 0);
const DIGITS = /^[0-9]+$/;

/** Semver precedence of two prereleases: none is highest; numeric identifiers rank below text. */
function comparePrerelease(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    const pn = DIGITS.test(p);
    const qn = DIGITS.test(q);
    const c = pn && qn ? compareBig(BigInt(p), BigInt(q)) : pn ? -1 : qn ? 1 : compareText(p, q);
    if (c !== 0) return c;
  }
  return sign(x.length - y.length);
}

/** Builds rank none < numeric (by value) < text (by character), as Sentry orders build codes. */
function compareBuild(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const rank = (s: string) => (s === '' ? 0 : DIGITS.test(s) ? 1 : 2);
  const c = sign(rank(a) - rank(b));
  if (c !== 0) return c;
  return rank(a) === 1 ? compareBig(BigInt(a), BigInt(b)) : compareText(a, b);
}

/**
 * Orders two semver releases by version: the four numbers, then the prerelease (a release is
 * newer than its prereleases), then, unless `ignoreBuild`, the build code. Packages are not
 * compared: `web@2.0.0` is newer than `api@1.0.0`, as Sentry compares versions.
 */
export function compareSemver(
  a: Omit<SemverRelease, 'package'>,
  b: Omit<SemverRelease, 'package'>,
  options: { ignoreBuild?: boolean } = {},
): -1 | 0 | 1 {
  for (let i = 0; i < 4; i++) {
    const c = compareBig(a.numbers[i] as bigint, b.numbers[i] as bigint);
    if (c !== 0) return c;
  }
  const pre = comparePrerelease(a.prerelease, b.prerelease);
  if (pre !== 0 || options.ignoreBuild) return pre;
  return compareBuild(a.build, b.build);
}

/**
 * Whether a project's releases follow semantic versioning, by Sentry's rule over its most recent
 * ones (newest first): with at most two, the newest decides; with three to nine, one semver release
 * among the newest three suffices; from ten on, three of the newest ten must be semver as well.
 */
export function followsSemver(newestFirst: readonly string[]): boolean {
  const recent = newestFirst.slice(0, 10).map((v) => parseSemverRelease(v) !== null);
  if (recent.length === 0) return false;
  if (recent.length <= 2) return recent[0] as boolean;
  const inNewestThree = recent.slice(0, 3).some(Boolean);
  if (recent.length < 10) return inNewestThree;
  return inNewestThree && recent.filter(Boolean).length >= 3;
}

/** A release as ordering needs it: its version and its date (released, else created; epoch ms). */
export interface OrderedRelease {
  readonly version: string;
  readonly orderDate: number;
}

/**
 * The latest of a project's releases, by Sentry's rule: the highest semver release when the
 * project follows semver, else the one released (or created) last. Undefined when there are none.
 */
export function latestRelease<T extends OrderedRelease>(
  releases: readonly T[],
  semver: boolean,
): T | undefined {
  let best: { release: T; parsed: SemverRelease } | undefined;
  if (semver) {
    for (const release of releases) {
      const parsed = parseSemverRelease(release.version);
      if (parsed && (!best || compareSemver(parsed, best.parsed) > 0)) best = { release, parsed };
    }
    if (best) return best.release;
  }
  return latestByDate(releases);
}

/** The release with the latest order date (ties: the later in the list). */
export function latestByDate<T extends OrderedRelease>(releases: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const release of releases) if (!best || release.orderDate >= best.orderDate) best = release;
  return best;
}

/** A comparison of search values: `>`, `>=`, `<`, `<=` or `=` (an exact value). */
export type CompareOperator = '>' | '>=' | '<' | '<=' | '=';

function holds(operator: CompareOperator, c: -1 | 0 | 1): boolean {
  switch (operator) {
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
  }
}

/**
 * `release.version:` of an issue search: a comparison with a version (builds ignored), or a
 * prefix of version numbers (`1.2.*`, `*`), optionally within one package (`web@>=1.2`).
 */
export type VersionFilter =
  | {
      readonly kind: 'compare';
      readonly operator: CompareOperator;
      readonly package: string | null;
      readonly version: Omit<SemverRelease, 'package'>;
    }
  | { readonly kind: 'prefix'; readonly package: string | null; readonly numbers: readonly bigint[] };

export function matchesVersionFilter(filter: VersionFilter, release: SemverRelease): boolean {
  if (filter.package !== null && release.package !== filter.package) return false;
  if (filter.kind === 'prefix') return filter.numbers.every((n, i) => release.numbers[i] === n);
  return holds(filter.operator, compareSemver(release, filter.version, { ignoreBuild: true }));
}

/**
 * `release.build:` of an issue search: a number compares with numeric build codes; other text is
 * an exact build code, or a prefix when it ends in `*`.
 */
export type BuildFilter =
  | { readonly kind: 'number'; readonly operator: CompareOperator; readonly value: bigint }
  | { readonly kind: 'code'; readonly code: string; readonly prefix: boolean };

export function matchesBuildFilter(filter: BuildFilter, release: SemverRelease): boolean {
  if (filter.kind === 'code') {
    return filter.prefix ? release.build.startsWith(filter.code) : release.build === filter.code;
  }
  if (!DIGITS.test(release.build)) return false;
  return holds(filter.operator, compareBig(BigInt(release.build), filter.value));
}
