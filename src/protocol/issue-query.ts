import type { IssueStatus } from './issue-status.js';
import {
  type BuildFilter,
  type CompareOperator,
  parseVersionPart,
  type VersionFilter,
} from './release-order.js';
/**
 * A bad search query, `statsPeriod` or time window: a 400 whose `detail` reads like Sentry's.
 *
 * @example throw new IssueQueryError('Error parsing search query: Invalid number: "ten"')
 */
export class IssueQueryError extends Error {
  override name = 'IssueQueryError';
}

function syntaxError(message: string): IssueQueryError {
  return new IssueQueryError(`Error parsing search query: ${message}`);
}

/** One value as written: exact text, or a pattern whose `parts` are joined by `*` (any run of characters). */
export type ValuePattern =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly parts: readonly string[] };

/** Whom `assigned:` names; `user` by email (members' emails are the usernames here), `team` by slug. */
export type Assignee =
  | { readonly kind: 'me' }
  | { readonly kind: 'my_teams' }
  | { readonly kind: 'none' }
  | { readonly kind: 'user'; readonly email: string }
  | { readonly kind: 'team'; readonly slug: string };

export type RangeField = 'firstSeen' | 'lastSeen' | 'timesSeen';

/** The user fields a search can name (`user.<field>:`). */
export type UserField = 'id' | 'email' | 'username' | 'ip';

const USER_FIELDS = new Map<string, UserField>([
  ['user.id', 'id'],
  ['user.email', 'email'],
  ['user.username', 'username'],
  ['user.ip', 'ip'],
  ['user.ip_address', 'ip'],
]);

/** A release searched for: a version (exact or a pattern), or `latest`, each project's latest release. */
export type ReleaseValue = ValuePattern | { readonly kind: 'latest' };

/** One search term; every term but free text can be negated with a leading `!`. */
export type IssueQueryTerm =
  | { readonly kind: 'status'; readonly negated: boolean; readonly statuses: readonly IssueStatus[] }
  /** `is:assigned` (assigned: true) and `is:unassigned` (assigned: false). */
  | { readonly kind: 'assigned'; readonly negated: boolean; readonly assigned: boolean }
  | { readonly kind: 'for_review'; readonly negated: boolean }
  | { readonly kind: 'assignee'; readonly negated: boolean; readonly assignees: readonly Assignee[] }
  /** `bookmarks:me`. */
  | { readonly kind: 'bookmarked'; readonly negated: boolean }
  | { readonly kind: 'level'; readonly negated: boolean; readonly values: readonly ValuePattern[] }
  /** `release:`: issues with an event of one of these releases (digest tags every event with its release). */
  | { readonly kind: 'release'; readonly negated: boolean; readonly values: readonly ReleaseValue[] }
  | { readonly kind: 'first_release'; readonly negated: boolean; readonly values: readonly ReleaseValue[] }
  /** `release.version:`, `release.package:`, `release.build:`: issues with an event of a semver release that matches. */
  | { readonly kind: 'release_version'; readonly negated: boolean; readonly filter: VersionFilter }
  | { readonly kind: 'release_package'; readonly negated: boolean; readonly packages: readonly string[] }
  | { readonly kind: 'release_build'; readonly negated: boolean; readonly filter: BuildFilter }
  /** Any other key; `environment:` is a tag too (digest records it on every event). */
  | {
      readonly kind: 'tag';
      readonly negated: boolean;
      readonly key: string;
      readonly values: readonly ValuePattern[];
    }
  | { readonly kind: 'has'; readonly negated: boolean; readonly key: string }
  /**
   * `user.id:`, `user.email:`, `user.username:`, `user.ip:`: issues (or events) of a user with
   * that field; `user:` alone is the `user` tag, whose values read `id:1001`, `email:a@b.c`, ….
   */
  | {
      readonly kind: 'user';
      readonly negated: boolean;
      readonly field: UserField;
      readonly values: readonly ValuePattern[];
    }
  /** `min <= field < max` (epoch ms for dates); a missing bound is null. */
  | {
      readonly kind: 'range';
      readonly negated: boolean;
      readonly field: RangeField;
      readonly min: number | null;
      readonly max: number | null;
    }
  /** A case-insensitive substring of the title, culprit or message. */
  | { readonly kind: 'text'; readonly text: string };

export interface IssueQuery {
  /** All must hold. */
  readonly terms: readonly IssueQueryTerm[];
}

// Maps, not object literals: a key such as `constructor` must not find Object's.
const STATUS_VALUES = new Map<string, IssueStatus>([
  ['unresolved', 'unresolved'],
  ['resolved', 'resolved'],
  ['ignored', 'ignored'],
  ['archived', 'ignored'],
  ['muted', 'ignored'],
]);
const IS_VALUES = [
  'archived',
  'assigned',
  'for_review',
  'ignored',
  'muted',
  'resolved',
  'unassigned',
  'unresolved',
];

const RANGE_KEYS = new Map<string, RangeField>([
  ['firstSeen', 'firstSeen'],
  ['first_seen', 'firstSeen'],
  ['age', 'firstSeen'],
  ['lastSeen', 'lastSeen'],
  ['last_seen', 'lastSeen'],
  ['timesSeen', 'timesSeen'],
  ['times_seen', 'timesSeen'],
]);

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A token as written: `!key:value`, `!key:[a,b]` or free text; values already unquoted. */
export interface Token {
  readonly negated: boolean;
  readonly key: string | null;
  readonly values: readonly RawValue[];
  readonly list: boolean;
}

/** A value's text and whether it was quoted (`""` is a value, an empty list item is not). */
export interface RawValue {
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * Parses Sentry's issue search syntax (reference §5.4): space-separated `key:value` terms and free
 * text, all of which must match. Relative dates are taken from `now`; absolute ones are UTC unless
 * they carry an offset.
 *
 * @example
 * parseIssueQuery('is:unresolved !browser:Chrome firstSeen:-24h "cannot read"', Date.now())
 */
export function parseIssueQuery(query: string, now: number): IssueQuery {
  const tokens = tokenize(query);
  const values = tokens.reduce((sum, token) => sum + Math.max(1, token.values.length), 0);
  if (values > MAX_QUERY_TERMS) {
    throw syntaxError(
      `Too many search terms: ${values} (each value of a list counts); at most ${MAX_QUERY_TERMS} are allowed.`,
    );
  }
  return { terms: tokens.map((token) => toTerm(token, now)) };
}

/**
 * Search terms (each value of a `key:[a, b]` list counted) one query may hold. Each becomes a
 * condition of one SQL statement: a thousand go past SQLite's expression depth limit (1000), and
 * no person types a hundred.
 */
export const MAX_QUERY_TERMS = 100;

const KEY = /(!?)(tags\[([^\]\s]+)\]|[A-Za-z_][\w.-]*):/y;

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const skipSpace = () => {
    while (pos < query.length && /\s/.test(query[pos] as string)) pos++;
  };
  skipSpace();
  while (pos < query.length) {
    KEY.lastIndex = pos;
    const key = KEY.exec(query);
    const valueStart = KEY.lastIndex;
    if (key && valueStart < query.length && !/\s/.test(query[valueStart] as string)) {
      pos = valueStart;
      const name = key[3] ?? (key[2] as string);
      if (query[pos] === '[') {
        const [values, end] = readList(query, pos);
        tokens.push({ negated: key[1] === '!', key: name, values, list: true });
        pos = end;
      } else {
        const [value, end] = readValue(query, pos, /\s/);
        tokens.push({ negated: key[1] === '!', key: name, values: [value], list: false });
        pos = end;
      }
    } else {
      // `key:` with nothing after it is text, so that a pasted `TypeError: x is undefined` searches.
      const [value, end] = readValue(query, pos, /\s/);
      tokens.push({ negated: false, key: null, values: [value], list: false });
      pos = end;
    }
    if (pos < query.length && !/\s/.test(query[pos] as string)) {
      throw syntaxError(`Unexpected "${query[pos]}" at column ${pos + 1}; quote values that contain it.`);
    }
    skipSpace();
  }
  return tokens;
}

/** Reads a quoted value (`\"` escapes a quote) or bare text up to a character matching `stop`. */
function readValue(query: string, start: number, stop: RegExp): [RawValue, number] {
  if (query[start] !== '"') {
    let end = start;
    while (end < query.length && !stop.test(query[end] as string)) end++;
    return [{ text: query.slice(start, end), quoted: false }, end];
  }
  let text = '';
  for (let pos = start + 1; pos < query.length; pos++) {
    const c = query[pos] as string;
    if (c === '"') return [{ text, quoted: true }, pos + 1];
    if (c === '\\' && query[pos + 1] === '"') {
      text += '"';
      pos++;
    } else text += c;
  }
  throw syntaxError(`Unterminated quote at column ${start + 1}: ${query.slice(start)}`);
}

/** Reads `[a, "b c", d]`. */
function readList(query: string, start: number): [RawValue[], number] {
  const values: RawValue[] = [];
  let pos = start + 1;
  for (;;) {
    while (query[pos] === ' ') pos++;
    if (pos >= query.length)
      throw syntaxError(`Unterminated list at column ${start + 1}: ${query.slice(start)}`);
    const [value, end] = readValue(query, pos, /[\s,\]]/);
    if (value.text === '' && !value.quoted) throw syntaxError(`Empty value in list at column ${pos + 1}.`);
    values.push(value);
    pos = end;
    while (query[pos] === ' ') pos++;
    if (query[pos] === ']') return [values, pos + 1];
    if (query[pos] !== ',') {
      throw syntaxError(`Unterminated list at column ${start + 1}: ${query.slice(start)}`);
    }
    pos++;
  }
}

function toTerm(token: Token, now: number): IssueQueryTerm {
  const { key, negated } = token;
  if (key === null) return { kind: 'text', text: (token.values[0] as RawValue).text };
  const texts = token.values.map((v) => v.text);
  if (key === 'is') return isTerm(token, texts);
  if (key === 'assigned' || key === 'assigned_or_suggested') {
    return { kind: 'assignee', negated, assignees: texts.map(assignee) };
  }
  if (key === 'bookmarks') {
    if (texts.length !== 1 || texts[0] !== 'me')
      throw syntaxError(`Invalid value for "bookmarks": only "me".`);
    return { kind: 'bookmarked', negated };
  }
  if (key === 'has') {
    const name = texts[0] as string;
    if (token.list || name === '') throw syntaxError(`Invalid value for "has": ${texts.join(',')}`);
    return { kind: 'has', negated, key: name };
  }
  const field = RANGE_KEYS.get(key);
  if (field !== undefined) {
    if (token.list) throw syntaxError(`"${key}" takes one value, not a list.`);
    const raw = token.values[0] as RawValue;
    const bounds = field === 'timesSeen' ? numberRange(key, raw.text) : dateRange(key, raw.text, now);
    return { kind: 'range', negated, field, ...bounds };
  }
  if (key === 'release.version') return { kind: 'release_version', negated, filter: versionFilter(token) };
  if (key === 'release.build') return { kind: 'release_build', negated, filter: buildFilter(token) };
  if (key === 'release.package') {
    if (texts.some((t) => t === '')) throw syntaxError('Invalid value for "release.package": ""');
    return { kind: 'release_package', negated, packages: texts };
  }
  const values = token.values.map(pattern);
  const userField = USER_FIELDS.get(key);
  if (userField !== undefined) {
    if (texts.some((t) => t === '')) throw syntaxError(`Invalid value for "${key}": ""`);
    return { kind: 'user', negated, field: userField, values };
  }
  if (key.startsWith('user.')) {
    throw syntaxError(`Unknown user field "${key}": search user.id, user.email, user.username or user.ip.`);
  }
  if (key === 'level') return { kind: 'level', negated, values };
  if (key === 'release') return { kind: 'release', negated, values: values.map(releaseValue) };
  if (key === 'firstRelease' || key === 'first_release') {
    return { kind: 'first_release', negated, values: values.map(releaseValue) };
  }
  return { kind: 'tag', negated, key, values };
}

/** `latest` names no release (Sentry refuses that version): it is each project's latest one. */
function releaseValue(value: ValuePattern): ReleaseValue {
  return value.kind === 'exact' && value.value === 'latest' ? { kind: 'latest' } : value;
}

/** The one value of a `release.version:` or `release.build:` term, with its comparison operator. */
function comparedValue(token: Token): [CompareOperator, string] {
  if (token.list) throw syntaxError(`"${token.key}" takes one value, not a list.`);
  const [operator, operand] = splitOperator((token.values[0] as RawValue).text);
  return [(operator || '=') as CompareOperator, operand];
}

const VERSION_WILDCARDS = new Set(['*', 'x', 'X']);

/**
 * `release.version:` takes `[package@]version` with an operator (`>1.2`, `<=web@2.0.0-rc.1`), or
 * leading version numbers up to a wildcard (`1.2.*`, `web@*`), which match every version under
 * them whatever the operator, as in Sentry.
 */
function versionFilter(token: Token): VersionFilter {
  const [operator, operand] = comparedValue(token);
  const at = operand.lastIndexOf('@');
  const pkg = at > 0 ? operand.slice(0, at) : null;
  const text = at > 0 ? operand.slice(at + 1) : operand;
  const version = parseVersionPart(text);
  if (version) return { kind: 'compare', operator, package: pkg, version };
  const numbers: bigint[] = [];
  for (const part of text === '' ? [] : text.split('.')) {
    if (VERSION_WILDCARDS.has(part)) break;
    if (!/^[0-9]{1,19}$/.test(part) || numbers.length === 4) {
      throw syntaxError(
        `Invalid semantic version for "release.version": ${operand}. Search releases that are not semver with release: instead.`,
      );
    }
    numbers.push(BigInt(part));
  }
  return { kind: 'prefix', package: pkg, numbers };
}

/** `release.build:` compares a number (`>100`) with numeric builds, else matches a build code (`abc*`). */
function buildFilter(token: Token): BuildFilter {
  const [operator, operand] = comparedValue(token);
  if (/^[0-9]{1,19}$/.test(operand)) return { kind: 'number', operator, value: BigInt(operand) };
  const prefix = operand === '' || operand.endsWith('*');
  return { kind: 'code', code: prefix ? operand.slice(0, -1) : operand, prefix };
}

function isTerm(token: Token, texts: string[]): IssueQueryTerm {
  const { negated } = token;
  const statuses = texts.map((t) => STATUS_VALUES.get(t));
  if (statuses.every((s) => s !== undefined)) return { kind: 'status', negated, statuses };
  const value = texts[0] as string;
  if (!token.list && value === 'assigned') return { kind: 'assigned', negated, assigned: true };
  if (!token.list && value === 'unassigned') return { kind: 'assigned', negated, assigned: false };
  if (!token.list && value === 'for_review') return { kind: 'for_review', negated };
  const bad = token.list ? texts.join(', ') : value;
  throw syntaxError(`Invalid value for "is" search, valid values are [${IS_VALUES.join(', ')}]: ${bad}`);
}

function assignee(text: string): Assignee {
  if (text === 'me') return { kind: 'me' };
  if (text === 'my_teams') return { kind: 'my_teams' };
  if (text === 'none') return { kind: 'none' };
  if (text.startsWith('#') && text.length > 1) return { kind: 'team', slug: text.slice(1) };
  if (text === '' || text === '#') throw syntaxError(`Invalid value for "assigned": ${text || '""'}`);
  return { kind: 'user', email: text.toLowerCase() };
}

/** `*` matches anything, `\*` is a literal asterisk. */
export function pattern(raw: RawValue): ValuePattern {
  const parts: string[] = [''];
  for (let i = 0; i < raw.text.length; i++) {
    const c = raw.text[i] as string;
    if (c === '\\' && raw.text[i + 1] === '*') {
      parts[parts.length - 1] += '*';
      i++;
    } else if (c === '*') parts.push('');
    else parts[parts.length - 1] += c;
  }
  return parts.length === 1 ? { kind: 'exact', value: parts[0] as string } : { kind: 'wildcard', parts };
}

export type Bounds = { min: number | null; max: number | null };

/** `>=`, `<=`, `>`, `<`, `=` or nothing, then the operand. */
function splitOperator(text: string): [string, string] {
  const match = /^(>=|<=|>|<|=)?(.*)$/s.exec(text) as RegExpExecArray;
  return [match[1] ?? '', match[2] as string];
}

/** Integers, so `> n` is `>= n + 1`; an exact value `v` is the range `[v, v + 1)`. */
function bounds(operator: string, min: number, max: number): Bounds {
  switch (operator) {
    case '>':
      return { min: max, max: null };
    case '>=':
      return { min, max: null };
    case '<':
      return { min: null, max: min };
    case '<=':
      return { min: null, max };
    default:
      return { min, max };
  }
}

function numberRange(key: string, text: string): Bounds {
  const [operator, operand] = splitOperator(text);
  if (!/^\d{1,15}$/.test(operand)) {
    throw syntaxError(`Invalid number for "${key}": ${text}. Expected a whole number, e.g. ${key}:>10.`);
  }
  const n = Number(operand);
  return bounds(operator, n, n + 1);
}

/**
 * `-24h` is "within the last 24 hours" and `+24h` "longer ago than that"; an operator with a
 * relative time compares with that instant. A date alone (`2026-01-01`) is that UTC day, a
 * time without fractions that second. The bounds are epoch ms, `min <= t < max`.
 *
 * @example dateRange('timestamp', '>=2026-01-01', now) // { min: 1767225600000, max: null }
 */
export function dateRange(key: string, text: string, now: number): Bounds {
  const relative = /^([-+])(\d{1,9})([smhdw])$/.exec(text);
  if (relative) {
    const instant = now - Number(relative[2]) * (UNIT_MS[relative[3] as string] as number);
    return relative[1] === '-' ? { min: instant, max: null } : { min: null, max: instant };
  }
  const [operator, operand] = splitOperator(text);
  const relativeOperand = /^-(\d{1,9})([smhdw])$/.exec(operand);
  if (relativeOperand && operator !== '' && operator !== '=') {
    const instant = now - Number(relativeOperand[1]) * (UNIT_MS[relativeOperand[2] as string] as number);
    return bounds(operator, instant, instant + 1);
  }
  const parsed = parseIsoDate(operand);
  if (parsed === null) {
    throw syntaxError(
      `Invalid date for "${key}": ${text}. Expected +/-duration (e.g. +1h) or ISO 8601-like (e.g. 2026-01-01T10:00:00).`,
    );
  }
  if (operator === '' || operator === '=') return { min: parsed.start, max: parsed.start + parsed.precision };
  // `<= 2026-01-01` takes in the whole day; `> 2026-01-01` starts after it.
  return bounds(operator, parsed.start, parsed.start + parsed.precision);
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO 8601 date or date-time, UTC unless it carries an offset, with the length of time it
 * names: a day, a minute, a second, or one millisecond when fractions are given. Null if invalid.
 *
 * @example parseIsoDate('2026-01-01') // { start: 1767225600000, precision: 86400000 }
 */
export function parseIsoDate(text: string): { start: number; precision: number } | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) =>
    v === undefined ? undefined : Number(v),
  ) as [number, number, number, number | undefined, number | undefined, number | undefined];
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (hour === undefined && m[8] !== undefined) return null;
  const local = Date.UTC(year, month - 1, day, hour ?? 0, minute ?? 0, second ?? 0, millis);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    (hour ?? 0) > 23 ||
    (minute ?? 0) > 59 ||
    (second ?? 0) > 59
  ) {
    return null;
  }
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone) as RegExpExecArray;
    const minutes = Number(z[2]) * 60 + Number(z[3]);
    if (Number(z[2]) > 23 || Number(z[3]) > 59) return null;
    offset = (z[1] === '-' ? -1 : 1) * minutes * 60_000;
  }
  const precision =
    hour === undefined ? UNIT_MS.d : m[7] !== undefined ? 1 : second !== undefined ? UNIT_MS.s : UNIT_MS.m;
  return { start: local - offset, precision: precision as number };
}

/**
 * `statsPeriod` as milliseconds: a whole number and a unit, `s`, `m`, `h`, `d` or `w`
 * (seconds without one), as Sentry accepts it.
 *
 * @example parseStatsPeriod('14d') // 1209600000
 */
export function parseStatsPeriod(text: string): number {
  const m = /^(\d{1,9})([smhdw]?)$/.exec(text);
  const ms = m ? Number(m[1]) * (UNIT_MS[(m[2] as string) || 's'] as number) : 0;
  if (ms <= 0) {
    throw new IssueQueryError(`Invalid statsPeriod: ${text}. Expected a number and a unit, e.g. 24h or 14d.`);
  }
  return ms;
}

/**
 * The time window of a list: `statsPeriod` back from `now`, else `start` and `end` (both
 * required, ISO 8601), else none. `statsPeriod` wins when both are given, as in Sentry.
 *
 * @example parseTimeWindow({ statsPeriod: '24h' }, now) // { start: now - 86400000, end: now }
 */
export function parseTimeWindow(
  params: { statsPeriod?: string | undefined; start?: string | undefined; end?: string | undefined },
  now: number,
): { start: number; end: number } | undefined {
  if (params.statsPeriod) return { start: now - parseStatsPeriod(params.statsPeriod), end: now };
  if (!params.start && !params.end) return undefined;
  if (!params.start || !params.end) throw new IssueQueryError('start and end are both required');
  const start = parseIsoDate(params.start);
  const end = parseIsoDate(params.end);
  if (start === null) throw new IssueQueryError(`start must be a valid date: ${params.start}`);
  if (end === null) throw new IssueQueryError(`end must be a valid date: ${params.end}`);
  if (end.start < start.start) throw new IssueQueryError('start must be before end');
  return { start: start.start, end: end.start };
}
