import { describe, expect, it } from 'vitest';
import { type ChangeEvent, evaluateRule, type IssueChange, needKey } from './evaluate.js';
import {
  AGE_FILTER,
  type AlertRule,
  EMAIL_ACTION,
  ENVIRONMENT_FILTER,
  EVENT_FREQUENCY,
  FIRST_SEEN,
  LEVEL_FILTER,
  REAPPEARED,
  REGRESSION,
  type RuleCondition,
  type RuleFilter,
  TAGGED_EVENT_FILTER,
  type TagMatch,
  USER_FREQUENCY,
} from './rule-model.js';

const NOW = Date.parse('2026-12-09T12:00:00Z');
const MINUTE = 60_000;

function rule(fields: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 1,
    projectId: 1,
    name: 'r',
    actionMatch: 'all',
    filterMatch: 'all',
    frequency: 30,
    environment: null,
    conditions: [],
    filters: [],
    actions: [{ id: EMAIL_ACTION, targetType: 'IssueOwners', targetIdentifier: '' }],
    createdById: null,
    dateCreated: 0,
    ...fields,
  };
}

function event(fields: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    timestamp: NOW - 1000,
    level: 'error',
    environment: 'production',
    userKey: null,
    tags: [],
    ...fields,
  };
}

function change(fields: Partial<IssueChange> = {}): IssueChange {
  return {
    issueId: 7,
    projectId: 1,
    isNew: false,
    isRegression: false,
    hasReappeared: false,
    unresolved: true,
    firstSeen: NOW - 3_600_000,
    timesSeen: 1,
    userCount: 0,
    events: [event()],
    ...fields,
  };
}

const fires = (r: AlertRule, c: IssueChange, counts?: ReadonlyMap<string, number>) =>
  evaluateRule(r, c, NOW, counts).kind;
const FIRST: RuleCondition = { id: FIRST_SEEN };
const REGRESSED: RuleCondition = { id: REGRESSION };
const BACK: RuleCondition = { id: REAPPEARED };

describe('issue alert conditions', () => {
  it.each([
    [FIRST, { isNew: true }, 'fire'],
    [FIRST, {}, 'quiet'],
    [REGRESSED, { isRegression: true }, 'fire'],
    [REGRESSED, { isNew: true }, 'quiet'],
    [BACK, { hasReappeared: true }, 'fire'],
    [BACK, { isRegression: true }, 'quiet'],
  ] as const)('%o with %o: %s', (condition, fields, verdict) => {
    expect(fires(rule({ conditions: [condition] }), change(fields))).toBe(verdict);
  });

  it('fires with no condition at all (an empty list passes), but never for an issue left unresolved', () => {
    expect(fires(rule(), change())).toBe('fire');
    expect(fires(rule(), change({ unresolved: false, isNew: true }))).toBe('quiet');
    expect(fires(rule({ conditions: [BACK] }), change({ unresolved: false, hasReappeared: true }))).toBe(
      'quiet',
    );
  });

  it.each([
    ['all', [true, true], 'fire'],
    ['all', [true, false], 'quiet'],
    ['any', [false, true], 'fire'],
    ['any', [false, false], 'quiet'],
    ['none', [false, false], 'fire'],
    ['none', [false, true], 'quiet'],
  ] as const)('actionMatch %s over %o: %s', (actionMatch, [isNew, isRegression], verdict) => {
    const r = rule({ actionMatch, conditions: [FIRST, REGRESSED] });
    expect(fires(r, change({ isNew, isRegression }))).toBe(verdict);
  });
});

describe('frequency conditions', () => {
  const events = (n: number, fields: Partial<ChangeEvent> = {}) =>
    Array.from({ length: n }, (_, i) => event({ userKey: `id:u${i}`, ...fields })) as [
      ChangeEvent,
      ...ChangeEvent[],
    ];
  const moreThan = (value: number, interval: '1m' | '1h' = '1h'): RuleCondition => ({
    id: EVENT_FREQUENCY,
    value,
    interval,
    comparisonType: 'count',
  });
  const usersOver = (value: number): RuleCondition => ({
    id: USER_FREQUENCY,
    value,
    interval: '1h',
    comparisonType: 'count',
  });

  it('fires from the batch alone when its own events in the window exceed the value', () => {
    expect(fires(rule({ conditions: [moreThan(2)] }), change({ events: events(3), timesSeen: 500 }))).toBe(
      'fire',
    );
  });

  it('stays quiet without counting when the issue has never had more events (or users) than the value', () => {
    expect(fires(rule({ conditions: [moreThan(10)] }), change({ events: events(3), timesSeen: 10 }))).toBe(
      'quiet',
    );
    expect(fires(rule({ conditions: [usersOver(3)] }), change({ events: events(3), userCount: 3 }))).toBe(
      'quiet',
    );
  });

  it('asks for the count in between, and decides on it: above the value fires, equal does not', () => {
    const r = rule({ conditions: [moreThan(10)] });
    const c = change({ events: events(3), timesSeen: 500 });
    const verdict = evaluateRule(r, c, NOW);
    const need = { kind: 'events', since: NOW - 3_600_000, environment: null } as const;
    expect(verdict).toEqual({ kind: 'count', needs: [need] });
    expect(fires(r, c, new Map([[needKey(need), 11]]))).toBe('fire');
    expect(fires(r, c, new Map([[needKey(need), 10]]))).toBe('quiet');
  });

  it('counts distinct users of the window, in the rule environment', () => {
    const r = rule({ environment: 'production', conditions: [usersOver(1)] });
    // Two events of one user, one of another in staging: one user in the rule's environment.
    const c = change({
      events: [
        event({ userKey: 'id:a' }),
        event({ userKey: 'id:b', environment: 'staging' }),
        event({ userKey: 'id:a' }),
      ],
      userCount: 50,
    });
    const verdict = evaluateRule(r, c, NOW);
    expect(verdict).toEqual({
      kind: 'count',
      needs: [{ kind: 'users', since: NOW - 3_600_000, environment: 'production' }],
    });
    expect(fires(r, change({ ...c, events: [event({ userKey: 'id:a' }), event({ userKey: 'id:c' })] }))).toBe(
      'fire',
    );
  });

  it('leaves events older than the window out of what the batch settles', () => {
    const old = events(5, { timestamp: NOW - 2 * MINUTE });
    expect(
      evaluateRule(rule({ conditions: [moreThan(2, '1m')] }), change({ events: old, timesSeen: 5 }), NOW),
    ).toEqual({ kind: 'count', needs: [{ kind: 'events', since: NOW - MINUTE, environment: null }] });
  });

  it('needs no count when a cheaper condition settles the match', () => {
    const anyOf = rule({ actionMatch: 'any', conditions: [moreThan(10), FIRST] });
    expect(fires(anyOf, change({ isNew: true, timesSeen: 500 }))).toBe('fire');
    const allOf = rule({ actionMatch: 'all', conditions: [moreThan(10), FIRST] });
    expect(fires(allOf, change({ timesSeen: 500 }))).toBe('quiet');
    const noneOf = rule({ actionMatch: 'none', conditions: [moreThan(10), REGRESSED] });
    expect(fires(noneOf, change({ isRegression: true, timesSeen: 500 }))).toBe('quiet');
    expect(evaluateRule(noneOf, change({ timesSeen: 500 }), NOW).kind).toBe('count');
  });
});

describe('issue alert filters', () => {
  const withFilter = (filter: RuleFilter, fields: Partial<AlertRule> = {}) =>
    rule({ conditions: [FIRST], filters: [filter], ...fields });
  const newIssue = (last: Partial<ChangeEvent> = {}, fields: Partial<IssueChange> = {}) =>
    change({
      isNew: true,
      events: [event({ level: 'debug', tags: [['browser', 'Firefox']] }), event(last)],
      ...fields,
    });

  it.each([
    ['eq', '40', 'error', true],
    ['eq', '40', 'fatal', false],
    ['gte', '30', 'error', true],
    ['gte', '30', 'info', false],
    ['lte', '30', 'warning', true],
    ['lte', '30', 'fatal', false],
    ['gte', '50', 'fatal', true],
    ['lte', '10', 'debug', true],
    ['gte', '0', 'debug', true],
    ['eq', '40', 'critical', false],
  ] as const)('level %s %s (by number) against an event at %s: %s', (match, level, actual, passes) => {
    expect(fires(withFilter({ id: LEVEL_FILTER, match, level }), newIssue({ level: actual }))).toBe(
      passes ? 'fire' : 'quiet',
    );
  });

  const tags: [string, string][] = [
    ['browser', 'Chrome 120'],
    ['sentry:release', 'web@1.2.0'],
    ['Region', 'EU-West'],
  ];
  it.each([
    ['browser', 'eq', 'chrome 120', true],
    ['browser', 'eq', 'Chrome', false],
    ['browser', 'ne', 'Chrome 119', true],
    ['browser', 'ne', 'chrome 120', false],
    ['missing', 'ne', 'x', true],
    ['browser', 'sw', 'CHROME', true],
    ['browser', 'sw', '120', false],
    ['browser', 'nsw', 'Firefox', true],
    ['browser', 'nsw', 'chrome', false],
    ['browser', 'ew', ' 120', true],
    ['browser', 'ew', 'chrome', false],
    ['browser', 'new', '119', true],
    ['browser', 'new', '120', false],
    ['region', 'co', 'u-w', true],
    ['region', 'co', 'asia', false],
    ['region', 'nc', 'asia', true],
    ['region', 'nc', 'west', false],
    ['release', 'eq', 'web@1.2.0', true],
    ['browser', 'is', '', true],
    ['missing', 'is', '', false],
    ['missing', 'ns', '', true],
    ['browser', 'ns', '', false],
    ['browser', 'eq', '', false],
  ] as const)('tag %s %s %o: %s', (key, match, value, passes) => {
    const filter: RuleFilter = { id: TAGGED_EVENT_FILTER, key, match: match as TagMatch, value };
    expect(fires(withFilter(filter), newIssue({ tags }))).toBe(passes ? 'fire' : 'quiet');
  });

  it('reads the last event of the batch only', () => {
    const filter: RuleFilter = { id: TAGGED_EVENT_FILTER, key: 'browser', match: 'eq', value: 'firefox' };
    expect(fires(withFilter(filter), newIssue({ tags }))).toBe('quiet');
    const level: RuleFilter = { id: LEVEL_FILTER, match: 'eq', level: '10' };
    expect(fires(withFilter(level), newIssue())).toBe('quiet');
  });

  it.each([
    ['older', 30, 'minute', true],
    ['older', 2, 'hour', false],
    ['newer', 2, 'hour', true],
    ['newer', 30, 'minute', false],
    ['newer', 0, 'minute', false],
    ['older', -1, 'day', false],
    ['older', 1, 'week', false],
    ['newer', 1, 'day', true],
  ] as const)('issue first seen an hour ago is %s than %d %s: %s', (comparison_type, value, time, passes) => {
    const filter: RuleFilter = { id: AGE_FILTER, comparison_type, value, time };
    expect(fires(withFilter(filter), newIssue({}, { firstSeen: NOW - 3_600_000 }))).toBe(
      passes ? 'fire' : 'quiet',
    );
  });

  it('combines filters with filterMatch, before any condition', () => {
    const error: RuleFilter = { id: LEVEL_FILTER, match: 'eq', level: '40' };
    const fatal: RuleFilter = { id: LEVEL_FILTER, match: 'eq', level: '50' };
    const both = { conditions: [FIRST], filters: [error, fatal] };
    expect(fires(rule({ ...both, filterMatch: 'all' }), newIssue())).toBe('quiet');
    expect(fires(rule({ ...both, filterMatch: 'any' }), newIssue())).toBe('fire');
    expect(fires(rule({ ...both, filterMatch: 'none' }), newIssue())).toBe('quiet');
    expect(fires(rule({ ...both, filterMatch: 'none' }), newIssue({ level: 'info' }))).toBe('fire');
    // A failing filter settles it: the frequency condition is never counted.
    const counted = rule({
      filters: [fatal],
      conditions: [{ id: EVENT_FREQUENCY, value: 10, interval: '1h', comparisonType: 'count' }],
    });
    expect(fires(counted, change({ timesSeen: 500 }))).toBe('quiet');
  });

  it('matches the environment filter and the rule environment against the last event', () => {
    const env: RuleFilter = { id: ENVIRONMENT_FILTER, environment: 'production' };
    expect(fires(withFilter(env), newIssue())).toBe('fire');
    expect(fires(withFilter(env), newIssue({ environment: 'staging' }))).toBe('quiet');
    expect(fires(rule({ conditions: [FIRST], environment: 'production' }), newIssue())).toBe('fire');
    expect(fires(rule({ conditions: [FIRST], environment: 'staging' }), newIssue())).toBe('quiet');
    expect(
      fires(rule({ conditions: [FIRST], environment: 'production' }), newIssue({ environment: null })),
    ).toBe('quiet');
  });
});
