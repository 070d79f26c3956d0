import { describe, expect, it } from 'vitest';
import {
  IssueQueryError,
  type IssueQueryTerm,
  MAX_QUERY_TERMS,
  parseIsoDate,
  parseIssueQuery,
  parseStatsPeriod,
  parseTimeWindow,
} from './issue-query.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JAN1 = Date.UTC(2026, 0, 1);

const exact = (value: string) => ({ kind: 'exact', value }) as const;
const wild = (...parts: string[]) => ({ kind: 'wildcard', parts }) as const;
const tag = (key: string, values: ReturnType<typeof exact | typeof wild>[], negated = false) =>
  ({ kind: 'tag', negated, key, values }) as const;

const cases: [string, IssueQueryTerm[]][] = [
  ['', []],
  ['   ', []],
  // is:
  ['is:unresolved', [{ kind: 'status', negated: false, statuses: ['unresolved'] }]],
  ['is:resolved', [{ kind: 'status', negated: false, statuses: ['resolved'] }]],
  ['is:ignored', [{ kind: 'status', negated: false, statuses: ['ignored'] }]],
  ['is:archived', [{ kind: 'status', negated: false, statuses: ['ignored'] }]],
  ['is:muted', [{ kind: 'status', negated: false, statuses: ['ignored'] }]],
  ['!is:resolved', [{ kind: 'status', negated: true, statuses: ['resolved'] }]],
  ['is:[resolved, ignored]', [{ kind: 'status', negated: false, statuses: ['resolved', 'ignored'] }]],
  ['is:assigned', [{ kind: 'assigned', negated: false, assigned: true }]],
  ['is:unassigned', [{ kind: 'assigned', negated: false, assigned: false }]],
  ['!is:assigned', [{ kind: 'assigned', negated: true, assigned: true }]],
  ['is:for_review', [{ kind: 'for_review', negated: false }]],
  // assigned:
  ['assigned:me', [{ kind: 'assignee', negated: false, assignees: [{ kind: 'me' }] }]],
  ['assigned:my_teams', [{ kind: 'assignee', negated: false, assignees: [{ kind: 'my_teams' }] }]],
  ['assigned:none', [{ kind: 'assignee', negated: false, assignees: [{ kind: 'none' }] }]],
  [
    'assigned:#backend',
    [{ kind: 'assignee', negated: false, assignees: [{ kind: 'team', slug: 'backend' }] }],
  ],
  [
    'assigned:Jane@Example.com',
    [{ kind: 'assignee', negated: false, assignees: [{ kind: 'user', email: 'jane@example.com' }] }],
  ],
  [
    '!assigned:[me, #backend]',
    [{ kind: 'assignee', negated: true, assignees: [{ kind: 'me' }, { kind: 'team', slug: 'backend' }] }],
  ],
  ['assigned_or_suggested:me', [{ kind: 'assignee', negated: false, assignees: [{ kind: 'me' }] }]],
  ['bookmarks:me', [{ kind: 'bookmarked', negated: false }]],
  ['!bookmarks:me', [{ kind: 'bookmarked', negated: true }]],
  // level, releases, environments
  ['level:error', [{ kind: 'level', negated: false, values: [exact('error')] }]],
  ['!level:info', [{ kind: 'level', negated: true, values: [exact('info')] }]],
  ['level:[error,fatal]', [{ kind: 'level', negated: false, values: [exact('error'), exact('fatal')] }]],
  ['level:err*', [{ kind: 'level', negated: false, values: [wild('err', '')] }]],
  ['release:1.0.0', [{ kind: 'release', negated: false, values: [exact('1.0.0')] }]],
  ['release:"1.0.*"', [{ kind: 'release', negated: false, values: [wild('1.0.', '')] }]],
  ['release:latest', [{ kind: 'release', negated: false, values: [{ kind: 'latest' }] }]],
  [
    '!release:[latest, web@1.0]',
    [{ kind: 'release', negated: true, values: [{ kind: 'latest' }, exact('web@1.0')] }],
  ],
  ['environment:production', [tag('environment', [exact('production')])]],
  ['!environment:staging', [tag('environment', [exact('staging')], true)]],
  ['firstRelease:2.0', [{ kind: 'first_release', negated: false, values: [exact('2.0')] }]],
  ['first_release:2.0', [{ kind: 'first_release', negated: false, values: [exact('2.0')] }]],
  ['firstRelease:latest', [{ kind: 'first_release', negated: false, values: [{ kind: 'latest' }] }]],
  // semver release terms
  [
    'release.version:>1.2',
    [
      {
        kind: 'release_version',
        negated: false,
        filter: {
          kind: 'compare',
          operator: '>',
          package: null,
          version: { numbers: [1n, 2n, 0n, 0n], prerelease: '', build: '' },
        },
      },
    ],
  ],
  [
    'release.version:<=web@2.0.0-rc.1',
    [
      {
        kind: 'release_version',
        negated: false,
        filter: {
          kind: 'compare',
          operator: '<=',
          package: 'web',
          version: { numbers: [2n, 0n, 0n, 0n], prerelease: 'rc.1', build: '' },
        },
      },
    ],
  ],
  [
    '!release.version:1.2.3',
    [
      {
        kind: 'release_version',
        negated: true,
        filter: {
          kind: 'compare',
          operator: '=',
          package: null,
          version: { numbers: [1n, 2n, 3n, 0n], prerelease: '', build: '' },
        },
      },
    ],
  ],
  [
    'release.version:1.2.*',
    [
      {
        kind: 'release_version',
        negated: false,
        filter: { kind: 'prefix', package: null, numbers: [1n, 2n] },
      },
    ],
  ],
  [
    'release.version:web@*',
    [{ kind: 'release_version', negated: false, filter: { kind: 'prefix', package: 'web', numbers: [] } }],
  ],
  ['release.package:[web, api]', [{ kind: 'release_package', negated: false, packages: ['web', 'api'] }]],
  [
    'release.build:>=100',
    [{ kind: 'release_build', negated: false, filter: { kind: 'number', operator: '>=', value: 100n } }],
  ],
  [
    'release.build:ab*',
    [{ kind: 'release_build', negated: false, filter: { kind: 'code', code: 'ab', prefix: true } }],
  ],
  // dates
  ['firstSeen:-24h', [{ kind: 'range', negated: false, field: 'firstSeen', min: NOW - DAY, max: null }]],
  ['firstSeen:+24h', [{ kind: 'range', negated: false, field: 'firstSeen', min: null, max: NOW - DAY }]],
  ['age:-2w', [{ kind: 'range', negated: false, field: 'firstSeen', min: NOW - 14 * DAY, max: null }]],
  [
    'lastSeen:-30m',
    [{ kind: 'range', negated: false, field: 'lastSeen', min: NOW - 30 * 60_000, max: null }],
  ],
  ['last_seen:-90s', [{ kind: 'range', negated: false, field: 'lastSeen', min: NOW - 90_000, max: null }]],
  ['lastSeen:+7d', [{ kind: 'range', negated: false, field: 'lastSeen', min: null, max: NOW - 7 * DAY }]],
  ['lastSeen:<-1h', [{ kind: 'range', negated: false, field: 'lastSeen', min: null, max: NOW - HOUR }]],
  ['!lastSeen:-1h', [{ kind: 'range', negated: true, field: 'lastSeen', min: NOW - HOUR, max: null }]],
  [
    'firstSeen:>2026-01-01',
    [{ kind: 'range', negated: false, field: 'firstSeen', min: JAN1 + DAY, max: null }],
  ],
  ['firstSeen:>=2026-01-01', [{ kind: 'range', negated: false, field: 'firstSeen', min: JAN1, max: null }]],
  ['firstSeen:<2026-01-01', [{ kind: 'range', negated: false, field: 'firstSeen', min: null, max: JAN1 }]],
  [
    'firstSeen:<=2026-01-01',
    [{ kind: 'range', negated: false, field: 'firstSeen', min: null, max: JAN1 + DAY }],
  ],
  [
    'firstSeen:2026-01-01',
    [{ kind: 'range', negated: false, field: 'firstSeen', min: JAN1, max: JAN1 + DAY }],
  ],
  [
    'lastSeen:<=2026-01-01T10:00:00',
    [{ kind: 'range', negated: false, field: 'lastSeen', min: null, max: JAN1 + 10 * HOUR + 1000 }],
  ],
  [
    'lastSeen:>2026-01-01T10:00',
    [{ kind: 'range', negated: false, field: 'lastSeen', min: JAN1 + 10 * HOUR + 60_000, max: null }],
  ],
  [
    'lastSeen:>=2026-01-01T10:00:00.250Z',
    [{ kind: 'range', negated: false, field: 'lastSeen', min: JAN1 + 10 * HOUR + 250, max: null }],
  ],
  [
    'lastSeen:<2026-01-01T10:00:00+02:00',
    [{ kind: 'range', negated: false, field: 'lastSeen', min: null, max: JAN1 + 8 * HOUR }],
  ],
  // times seen
  ['times_seen:>10', [{ kind: 'range', negated: false, field: 'timesSeen', min: 11, max: null }]],
  ['timesSeen:>=10', [{ kind: 'range', negated: false, field: 'timesSeen', min: 10, max: null }]],
  ['times_seen:<10', [{ kind: 'range', negated: false, field: 'timesSeen', min: null, max: 10 }]],
  ['times_seen:<=10', [{ kind: 'range', negated: false, field: 'timesSeen', min: null, max: 11 }]],
  ['times_seen:10', [{ kind: 'range', negated: false, field: 'timesSeen', min: 10, max: 11 }]],
  ['!times_seen:>1', [{ kind: 'range', negated: true, field: 'timesSeen', min: 2, max: null }]],
  // tags
  ['server:web-8', [tag('server', [exact('web-8')])]],
  ['!server:web-8', [tag('server', [exact('web-8')], true)]],
  ['os.name:Linux', [tag('os.name', [exact('Linux')])]],
  ['tags[sentry:user]:id:42', [tag('sentry:user', [exact('id:42')])]],
  ['browser:"Mobile Safari"', [tag('browser', [exact('Mobile Safari')])]],
  ['browser:["Mobile Safari", Chrome]', [tag('browser', [exact('Mobile Safari'), exact('Chrome')])]],
  ['say:"a \\"quoted\\" word"', [tag('say', [exact('a "quoted" word')])]],
  ['server:web-*', [tag('server', [wild('web-', '')])]],
  ['server:*-8', [tag('server', [wild('', '-8')])]],
  ['server:w*b*8', [tag('server', [wild('w', 'b', '8')])]],
  ['server:"w* 8"', [tag('server', [wild('w', ' 8')])]],
  ['server:a\\*b', [tag('server', [exact('a*b')])]],
  ['server:[web-1,web-*]', [tag('server', [exact('web-1'), wild('web-', '')])]],
  ['url:http://example.com/a', [tag('url', [exact('http://example.com/a')])]],
  ['empty:""', [tag('empty', [exact('')])]],
  ['constructor:x', [tag('constructor', [exact('x')])]],
  ['toString:-24h', [tag('toString', [exact('-24h')])]],
  ['has:browser', [{ kind: 'has', negated: false, key: 'browser' }]],
  ['!has:browser', [{ kind: 'has', negated: true, key: 'browser' }]],
  // free text
  ['timeout', [{ kind: 'text', text: 'timeout' }]],
  ['"connection reset"', [{ kind: 'text', text: 'connection reset' }]],
  ['!boom', [{ kind: 'text', text: '!boom' }]],
  [
    'TypeError: undefined',
    [
      { kind: 'text', text: 'TypeError:' },
      { kind: 'text', text: 'undefined' },
    ],
  ],
  // together
  [
    '  is:unresolved   level:error  !browser:Chrome "cannot read" foo ',
    [
      { kind: 'status', negated: false, statuses: ['unresolved'] },
      { kind: 'level', negated: false, values: [exact('error')] },
      tag('browser', [exact('Chrome')], true),
      { kind: 'text', text: 'cannot read' },
      { kind: 'text', text: 'foo' },
    ],
  ],
];

describe('parseIssueQuery', () => {
  it.each(cases)('%j', (query, terms) => {
    expect(parseIssueQuery(query, NOW).terms).toEqual(terms);
  });

  const errors: [string, string][] = [
    ['is:bogus', 'Invalid value for "is" search'],
    ['is:[unresolved, assigned]', 'Invalid value for "is" search'],
    ['is:linked', 'Invalid value for "is" search'],
    ['is:constructor', 'Invalid value for "is" search'],
    ['bookmarks:someone', 'Invalid value for "bookmarks"'],
    ['assigned:#', 'Invalid value for "assigned"'],
    ['has:[a,b]', 'Invalid value for "has"'],
    ['has:""', 'Invalid value for "has"'],
    ['firstSeen:yesterday', 'Invalid date for "firstSeen": yesterday'],
    ['firstSeen:2026-13-01', 'Invalid date'],
    ['firstSeen:2026-02-30', 'Invalid date'],
    ['lastSeen:2026-01-01T25:00:00', 'Invalid date'],
    ['lastSeen:2026-01-01Z', 'Invalid date'],
    ['lastSeen:-24x', 'Invalid date'],
    ['lastSeen:=-24h', 'Invalid date'],
    ['lastSeen:>>2026-01-01', 'Invalid date'],
    ['lastSeen:>', 'Invalid date'],
    ['times_seen:>ten', 'Invalid number for "times_seen": >ten'],
    ['timesSeen:=>5', 'Invalid number'],
    ['times_seen:1.5', 'Invalid number'],
    ['times_seen:-1', 'Invalid number'],
    ['times_seen:[1,2]', '"times_seen" takes one value'],
    ['browser:"Mobile Safari', 'Unterminated quote at column 9'],
    ['"unterminated text', 'Unterminated quote at column 1'],
    ['browser:[Chrome, Firefox', 'Unterminated list'],
    ['browser:[Chrome Firefox]', 'Unterminated list'],
    ['browser:[Chrome,]', 'Empty value in list'],
    ['browser:"Chrome"x', 'Unexpected "x"'],
    ['release.version:banana', 'Invalid semantic version for "release.version": banana'],
    ['release.version:1.2.3.4.5', 'Invalid semantic version'],
    ['release.version:[1.0, 2.0]', '"release.version" takes one value'],
    ['release.build:[1, 2]', '"release.build" takes one value'],
    ['release.package:""', 'Invalid value for "release.package"'],
  ];
  it.each(errors)('%j is refused', (query, message) => {
    let error: unknown;
    try {
      parseIssueQuery(query, NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IssueQueryError);
    const issueError = error as IssueQueryError;
    expect(issueError.message).toMatch(/^Error parsing search query: /);
    expect(issueError.message).toContain(message);
  });
});

describe('parseIsoDate', () => {
  it.each([
    ['2026-01-01', { start: JAN1, precision: DAY }],
    ['2026-01-01T10:00', { start: JAN1 + 10 * HOUR, precision: 60_000 }],
    ['2026-01-01 10:00:05', { start: JAN1 + 10 * HOUR + 5000, precision: 1000 }],
    ['2026-01-01T10:00:00.5', { start: JAN1 + 10 * HOUR + 500, precision: 1 }],
    ['2026-01-01T10:00:00-0130', { start: JAN1 + 11.5 * HOUR, precision: 1000 }],
  ])('%s', (text, parsed) => {
    expect(parseIsoDate(text)).toEqual(parsed);
  });

  it.each(['', '2026-1-1', '2026-01-01T', '2026-01-01T10', '2026-01-01T10:60', '2026-01-01T10:00+24:00'])(
    '%j is not a date',
    (text) => {
      expect(parseIsoDate(text)).toBeNull();
    },
  );
});

describe('parseStatsPeriod', () => {
  it.each([
    ['30', 30_000],
    ['45s', 45_000],
    ['30m', 30 * 60_000],
    ['24h', DAY],
    ['14d', 14 * DAY],
    ['2w', 14 * DAY],
  ])('%s', (text, ms) => {
    expect(parseStatsPeriod(text)).toBe(ms);
  });

  it.each(['', '0d', '14x', '-1h', '1.5h', 'h'])('%j is refused', (text) => {
    expect(() => parseStatsPeriod(text)).toThrow(/^Invalid statsPeriod: /);
  });
});

describe('parseTimeWindow', () => {
  it('reads statsPeriod back from now, preferring it to start/end', () => {
    expect(parseTimeWindow({ statsPeriod: '24h', start: 'x' }, NOW)).toEqual({ start: NOW - DAY, end: NOW });
  });

  it('reads start and end', () => {
    expect(parseTimeWindow({ start: '2026-01-01', end: '2026-01-02T00:00:00Z' }, NOW)).toEqual({
      start: JAN1,
      end: JAN1 + DAY,
    });
  });

  it('is absent without parameters', () => {
    expect(parseTimeWindow({}, NOW)).toBeUndefined();
  });

  it.each([
    [{ start: '2026-01-01' }, 'start and end are both required'],
    [{ end: '2026-01-01' }, 'start and end are both required'],
    [{ start: 'soon', end: '2026-01-01' }, 'start must be a valid date'],
    [{ start: '2026-01-01', end: 'later' }, 'end must be a valid date'],
    [{ start: '2026-01-02', end: '2026-01-01' }, 'start must be before end'],
  ])('%j is refused', (params, message) => {
    expect(() => parseTimeWindow(params, NOW)).toThrow(IssueQueryError);
    expect(() => parseTimeWindow(params, NOW)).toThrow(message);
  });
});

describe('query size', () => {
  it(`takes up to ${MAX_QUERY_TERMS} terms, list values counted, and refuses more with a clear detail`, () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `t${i}:v`).join(' ');
    expect(parseIssueQuery(terms(MAX_QUERY_TERMS), NOW).terms).toHaveLength(MAX_QUERY_TERMS);
    expect(() => parseIssueQuery(terms(MAX_QUERY_TERMS + 1), NOW)).toThrow(IssueQueryError);
    expect(() => parseIssueQuery(terms(1000), NOW)).toThrow(
      `Error parsing search query: Too many search terms: 1000 (each value of a list counts); at most ${MAX_QUERY_TERMS} are allowed.`,
    );
    const list = Array.from({ length: MAX_QUERY_TERMS }, (_, i) => `v${i}`).join(',');
    expect(() => parseIssueQuery(`is:unresolved browser:[${list}]`, NOW)).toThrow(
      /Too many search terms: 101/,
    );
  });
});
