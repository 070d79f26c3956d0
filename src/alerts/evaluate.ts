// Issue alert rules against what a digest batch did to an issue, as Sentry's rule processor decides
// them (rules/processing/processor.py): the rule's environment, then its filters with
// `filterMatch`, then its conditions with `actionMatch`, an empty list passing. Pure: the counts of
// frequency conditions come from the caller, and only when the batch alone cannot tell.
import {
  AGE_FILTER,
  type AlertRule,
  ENVIRONMENT_FILTER,
  EVENT_FREQUENCY,
  FIRST_SEEN,
  FREQUENCY_INTERVALS,
  LEVEL_FILTER,
  LEVELS,
  type LevelMatch,
  type LevelNumber,
  type MatchMode,
  REAPPEARED,
  REGRESSION,
  type RuleCondition,
  type RuleFilter,
  TAGGED_EVENT_FILTER,
  type TagMatch,
  USER_FREQUENCY,
} from './rule-model.js';

/** One event of the issue in the batch, as far as rules read it. */
export interface ChangeEvent {
  readonly timestamp: number;
  readonly level: string;
  readonly environment: string | null;
  readonly userKey: string | null;
  readonly tags: readonly (readonly [string, string])[];
}

/** What a digest batch did to one issue. Counts are the issue's after the batch. */
export interface IssueChange {
  readonly issueId: number;
  readonly projectId: number;
  /** Created by this batch (Sentry's `is_new`). */
  readonly isNew: boolean;
  /** A resolved issue that an event of the batch reopened. */
  readonly isRegression: boolean;
  /** An ignored issue whose ignore an event of the batch ended (Sentry's `has_reappeared`). */
  readonly hasReappeared: boolean;
  /** Whether it is unresolved after the batch: Sentry applies rules to unresolved issues only. */
  readonly unresolved: boolean;
  readonly firstSeen: number;
  /** Events ever counted on the issue: no window holds more. */
  readonly timesSeen: number;
  /** Users ever counted on the issue. */
  readonly userCount: number;
  /** The issue's events of the batch, in order; the last is "the event" filters read. */
  readonly events: readonly [ChangeEvent, ...ChangeEvent[]];
}

/** A count a frequency condition needs: the issue's events, or distinct users, since a time. */
export interface FrequencyNeed {
  readonly kind: 'events' | 'users';
  /** Epoch ms; events at or after it count. */
  readonly since: number;
  /** Only events of this environment (the rule's); null: all. */
  readonly environment: string | null;
}

/** One key per distinct need, for maps of counts. */
export function needKey(need: FrequencyNeed): string {
  return JSON.stringify([need.kind, need.since, need.environment]);
}

export type RuleVerdict =
  | { readonly kind: 'fire' }
  | { readonly kind: 'quiet' }
  /** Counts decide: evaluate again with them. */
  | { readonly kind: 'count'; readonly needs: readonly FrequencyNeed[] };

/** true, false, or undefined when a count the caller has not given decides. */
type Truth = boolean | undefined;

/** Sentry's number of each level name (its `LOG_LEVELS_MAP`). */
const LEVEL_NUMBERS: ReadonlyMap<string, number> = new Map(
  Object.entries(LEVELS).map(([number, name]) => [name, Number(number)]),
);

const AGE_UNITS: ReadonlyMap<string, number> = new Map([
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
  ['week', 7 * 86_400_000],
]);

/**
 * Whether a rule fires for an issue's change, at `now`. `counts` (by `needKey`) are the issue's
 * frequency counts, this batch's events included; without them a frequency condition the batch
 * alone cannot settle makes the verdict `count`, with the counts to fetch.
 *
 * @example
 * const verdict = evaluateRule(rule, change, Date.now());
 * if (verdict.kind === 'count') evaluateRule(rule, change, now, await countsOf(verdict.needs));
 */
export function evaluateRule(
  rule: AlertRule,
  change: IssueChange,
  now: number,
  counts?: ReadonlyMap<string, number>,
): RuleVerdict {
  if (!change.unresolved) return QUIET;
  const event = change.events.at(-1) as ChangeEvent;
  if (rule.environment !== null && event.environment !== rule.environment) return QUIET;
  // An empty list passes whatever its match mode, as Sentry skips it: no conditions, every batch.
  const filters = rule.filters.map((f) => filterPasses(f, change, event, now));
  if (filters.length > 0 && !combine(rule.filterMatch, filters)) return QUIET;
  if (rule.conditions.length === 0) return FIRE;
  const needs: FrequencyNeed[] = [];
  const truths = rule.conditions.map((c) => conditionPasses(c, rule, change, now, counts, needs));
  const verdict = combine(rule.actionMatch, truths);
  if (verdict === undefined) return { kind: 'count', needs };
  return verdict ? FIRE : QUIET;
}

const FIRE: RuleVerdict = { kind: 'fire' };
const QUIET: RuleVerdict = { kind: 'quiet' };

/** Sentry's match functions over three-valued truths: `all`, `any`, `none` (not any). */
function combine(mode: MatchMode, truths: readonly Truth[]): Truth {
  const some = truths.includes(true);
  const unknown = truths.includes(undefined);
  switch (mode) {
    case 'all':
      return truths.includes(false) ? false : unknown ? undefined : true;
    case 'any':
      return some ? true : unknown ? undefined : false;
    case 'none':
      return some ? false : unknown ? undefined : true;
  }
}

function conditionPasses(
  condition: RuleCondition,
  rule: AlertRule,
  change: IssueChange,
  now: number,
  counts: ReadonlyMap<string, number> | undefined,
  needs: FrequencyNeed[],
): Truth {
  switch (condition.id) {
    case FIRST_SEEN:
      return change.isNew;
    case REGRESSION:
      return change.isRegression;
    case REAPPEARED:
      return change.hasReappeared;
    case EVENT_FREQUENCY:
    case USER_FREQUENCY: {
      const need: FrequencyNeed = {
        kind: condition.id === EVENT_FREQUENCY ? 'events' : 'users',
        since: now - FREQUENCY_INTERVALS[condition.interval],
        environment: rule.environment,
      };
      const known = counts?.get(needKey(need));
      if (known !== undefined) return known > condition.value;
      // The batch's own events in the window are counted already; the issue's total bounds any window.
      const [least, most] = countBounds(need, change);
      if (least > condition.value) return true;
      if (most <= condition.value) return false;
      needs.push(need);
      return undefined;
    }
  }
}

/** The least and the most a frequency count can be, from the batch and the issue's totals. */
function countBounds(need: FrequencyNeed, change: IssueChange): [number, number] {
  const inWindow = change.events.filter(
    (e) => e.timestamp >= need.since && (need.environment === null || e.environment === need.environment),
  );
  if (need.kind === 'events') return [inWindow.length, change.timesSeen];
  const users = new Set(inWindow.flatMap((e) => (e.userKey === null ? [] : [e.userKey])));
  return [users.size, change.userCount];
}

function filterPasses(filter: RuleFilter, change: IssueChange, event: ChangeEvent, now: number): boolean {
  switch (filter.id) {
    case LEVEL_FILTER:
      return levelPasses(filter.match, filter.level, event.level);
    case TAGGED_EVENT_FILTER:
      return tagPasses(filter.key, filter.match, filter.value, event.tags);
    case AGE_FILTER: {
      const unit = AGE_UNITS.get(filter.time);
      if (unit === undefined || filter.value < 0) return false;
      if (filter.value === 0 && filter.comparison_type === 'newer') return false;
      const edge = change.firstSeen + filter.value * unit;
      return filter.comparison_type === 'older' ? edge < now : edge > now;
    }
    case ENVIRONMENT_FILTER:
      return event.environment === filter.environment;
  }
}

/** Sentry's level filter: the event's level against the rule's, by Sentry's numbers. */
function levelPasses(match: LevelMatch, wanted: LevelNumber, actual: string): boolean {
  const want = Number(wanted);
  const level = LEVEL_NUMBERS.get(actual);
  if (level === undefined) return false;
  if (match === 'eq') return level === want;
  return match === 'gte' ? level >= want : level <= want;
}

/** Sentry's key as its tag store standardizes it: `sentry:release` is `release`. */
const standardKey = (key: string) => key.toLowerCase().replace(/^sentry:/, '');

/**
 * Sentry's tagged-event filter: keys and values compared without case; `is`/`ns` ask whether the
 * tag is there; the negative operators pass when no value of the key matches (so when it is absent).
 */
function tagPasses(
  key: string,
  match: TagMatch,
  value: string,
  tags: readonly (readonly [string, string])[],
): boolean {
  if (!key) return false;
  const wanted = standardKey(key);
  const values = tags.filter(([k]) => standardKey(k) === wanted).map(([, v]) => v.toLowerCase());
  if (match === 'is') return values.length > 0;
  if (match === 'ns') return values.length === 0;
  if (!value) return false;
  const v = value.toLowerCase();
  switch (match) {
    case 'eq':
      return values.includes(v);
    case 'ne':
      return !values.includes(v);
    case 'sw':
      return values.some((x) => x.startsWith(v));
    case 'nsw':
      return !values.some((x) => x.startsWith(v));
    case 'ew':
      return values.some((x) => x.endsWith(v));
    case 'new':
      return !values.some((x) => x.endsWith(v));
    case 'co':
      return values.some((x) => x.includes(v));
    case 'nc':
      return !values.some((x) => x.includes(v));
  }
}
