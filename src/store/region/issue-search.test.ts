import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../../test/support/engines.js';
import { makeOrg, makeProject, makeUser, testConfig } from '../../../test/support/harness.js';
import { RecordingMailer } from '../../../test/support/mail.js';
import { AppError } from '../../lib/app-error.js';
import { parseIssueQuery, parseTimeWindow } from '../../protocol/issue-query.js';
import type { ServiceContext } from '../../services/context.js';
import type { Team } from '../types.js';
import { countIssues, type IssueFilter, type IssueSort, searchIssues } from './issue-search.js';
import { insertMember } from './members.js';
import { insertTeam } from './teams.js';

const NOW = Date.UTC(2026, 10, 28, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JAN1 = Date.UTC(2026, 0, 1);

/** The seeded issue as the test knows it, to compute what each search must return. */
interface Seed {
  i: number;
  id: number;
  projectId: number;
  status: string;
  substatus: string | null;
  level: string;
  title: string;
  culprit: string;
  value: string;
  firstSeen: number;
  lastSeen: number;
  timesSeen: number;
  userCount: number;
  firstRelease: string | null;
  assigneeUserId: number | null;
  assigneeTeamId: number | null;
  bookmarked: boolean;
  /** key → value → [first seen, last seen] */
  tags: Map<string, Map<string, [number, number]>>;
}

const STATUSES = ['unresolved', 'unresolved', 'unresolved', 'resolved', 'ignored'];
const SUBSTATUSES = ['new', 'regressed', 'ongoing', 'escalating'];
const LEVELS = ['error', 'warning', 'fatal', 'info'];
const BROWSERS = ['Chrome', 'Firefox', 'Mobile Safari'];
const TYPES = ['TypeError', 'ValueError', 'ConnectionError'];
const SORT_KEY: Record<IssueSort, (s: Seed) => number> = {
  date: (s) => s.lastSeen,
  new: (s) => s.firstSeen,
  freq: (s) => s.timesSeen,
  user: (s) => s.userCount,
};

describe.each(TEST_ENGINES)('searchIssues on %s', (engine) => {
  let database: TestDatabase;
  let seeds: Seed[];
  let projectIds: number[];
  let p2: number;
  let ownerId: number;
  let ownerEmail: string;
  let otherId: number;
  let backend: Team;
  let defaultTeam: Team;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const ctx: ServiceContext = {
      db: database.db,
      config: testConfig(),
      mailer: new RecordingMailer(),
      now: () => Date.now(),
    };
    const db = database.db.region;
    const owner = await makeUser(ctx);
    const other = await makeUser(ctx);
    ownerId = owner.id;
    ownerEmail = owner.email;
    otherId = other.id;
    const { org, team } = await makeOrg(ctx, owner);
    defaultTeam = team;
    backend = await insertTeam(db, { organizationId: org.id, slug: 'backend', name: 'Backend', now: NOW });
    await insertMember(db, {
      organizationId: org.id,
      userId: other.id,
      email: other.email,
      role: 'member',
      inviteTokenHash: null,
      inviterId: null,
      now: NOW,
    });
    const first = (await makeProject(ctx, org, team)).project.id;
    p2 = (await makeProject(ctx, org, team)).project.id;
    projectIds = [first, p2];

    seeds = [];
    // Inserted in a scrambled order, so that ids (the tie-break) do not follow i.
    for (let n = 0; n < 60; n++) {
      const i = (n * 37) % 60;
      const seed = seedOf(i, i % 10 === 9 ? p2 : first);
      const row = await db
        .insertInto('issues')
        .values({
          project_id: seed.projectId,
          short_id: i + 1,
          type: 'error',
          title: seed.title,
          culprit: seed.culprit,
          metadata: JSON.stringify({ title: seed.title, type: TYPES[i % 3], value: seed.value }),
          level: seed.level,
          platform: 'node',
          logger: null,
          status: seed.status,
          substatus: seed.substatus,
          first_seen: seed.firstSeen,
          last_seen: seed.lastSeen,
          times_seen: seed.timesSeen,
          user_count: seed.userCount,
          first_release: seed.firstRelease,
          last_release: seed.firstRelease,
          resolved_at: null,
          ignore_until: null,
          ignore_count: null,
          ignore_count_base: null,
          ignore_user_count: null,
          ignore_user_base: null,
          assignee_user_id: seed.assigneeUserId,
          assignee_team_id: seed.assigneeTeamId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      seed.id = row.id;
      const tagRows = [...seed.tags].flatMap(([key, values]) =>
        [...values].map(([value, [firstSeen, lastSeen]]) => ({
          issue_id: row.id,
          key,
          value,
          times_seen: 1,
          first_seen: firstSeen,
          last_seen: lastSeen,
        })),
      );
      if (tagRows.length > 0) await db.insertInto('issue_tags').values(tagRows).execute();
      if (seed.bookmarked)
        await db.insertInto('issue_bookmarks').values({ issue_id: row.id, user_id: owner.id }).execute();
      seeds.push(seed);
    }
  });
  afterAll(() => database.drop());

  function seedOf(i: number, projectId: number): Seed {
    const status = STATUSES[i % 5] as string;
    const lastSeen = NOW - (i % 7) * 3 * HOUR;
    let firstSeen = NOW - 20 * HOUR - (i % 12) * 2 * DAY;
    if (i === 58) firstSeen = JAN1 + 10 * HOUR;
    if (i === 59) firstSeen = JAN1 - 1;
    const firstRelease = i % 8 === 7 ? null : i % 2 === 0 ? '1.0.0' : '1.1.0';
    const tags = new Map<string, Map<string, [number, number]>>();
    const add = (key: string, value: string, seen: [number, number] = [firstSeen, lastSeen]) => {
      if (!tags.has(key)) tags.set(key, new Map());
      tags.get(key)?.set(value, seen);
    };
    if (i % 10 !== 4) {
      // Production all along; staging only on the first day.
      if (i % 3 !== 1) add('environment', 'production');
      if (i % 3 !== 0) add('environment', 'staging', [firstSeen, firstSeen + HOUR]);
    }
    if (firstRelease) add('release', firstRelease);
    if (i % 4 === 3) add('release', '1.2.0');
    if (i % 4 !== 0) add('browser', BROWSERS[i % 3] as string);
    add('server', `web-${i % 10}`);
    const title = i === 7 ? 'Sale: 50% off_sale' : `${TYPES[i % 3]}: failure number ${i}`;
    return {
      i,
      id: 0,
      projectId,
      status,
      substatus:
        status === 'unresolved'
          ? (SUBSTATUSES[i % 4] as string)
          : status === 'ignored'
            ? 'archived_forever'
            : null,
      level: LEVELS[i % 4] as string,
      title,
      culprit: `app/module${i % 5}.ts in handler`,
      value:
        i === 7
          ? 'Sale: 50% off_sale'
          : i % 8 === 0
            ? `failure number ${i} with a needle "inside"`
            : `failure number ${i}`,
      firstSeen,
      lastSeen,
      timesSeen: (i % 9) + 1,
      userCount: i % 4,
      firstRelease,
      assigneeUserId: i % 6 === 0 ? ownerId : i % 6 === 2 ? otherId : null,
      assigneeTeamId: i % 6 === 1 ? backend.id : i % 6 === 3 ? defaultTeam.id : null,
      bookmarked: i % 11 === 0,
      tags,
    };
  }

  const tagValues = (s: Seed, key: string) => [...(s.tags.get(key)?.keys() ?? [])];
  const hasTag = (s: Seed, key: string, value: string) => tagValues(s, key).includes(value);
  const text = (s: Seed) => `${s.title} ${s.culprit} ${s.value}`.toLowerCase();

  function expected(predicate: (s: Seed) => boolean, sort: IssueSort = 'date', ids = projectIds): number[] {
    const key = SORT_KEY[sort];
    return seeds
      .filter((s) => ids.includes(s.projectId) && predicate(s))
      .sort((a, b) => key(b) - key(a) || b.id - a.id)
      .map((s) => s.id);
  }

  function filter(query: string, extra: Partial<IssueFilter> = {}): IssueFilter {
    return {
      projectIds,
      query: parseIssueQuery(query, NOW),
      viewerUserId: ownerId,
      viewerTeamIds: [backend.id],
      ...extra,
    };
  }

  async function all(f: IssueFilter, sort: IssueSort = 'date'): Promise<number[]> {
    const page = await searchIssues(database.db.region, { ...f, sort, limit: 100 });
    expect(page.hasNext).toBe(false);
    return page.issues.map((issue) => issue.id);
  }

  const none = () => false;
  const everything = () => true;
  // Each query with the set of seeds it must find, in the default (last seen) order.
  const cases: [string, (s: Seed) => boolean][] = [
    ['', everything],
    ['is:unresolved', (s) => s.status === 'unresolved'],
    ['is:resolved', (s) => s.status === 'resolved'],
    ['is:ignored', (s) => s.status === 'ignored'],
    ['is:archived', (s) => s.status === 'ignored'],
    ['is:muted', (s) => s.status === 'ignored'],
    ['!is:resolved', (s) => s.status !== 'resolved'],
    ['is:[resolved, ignored]', (s) => s.status !== 'unresolved'],
    ['is:unresolved is:resolved', none],
    ['is:assigned', (s) => s.assigneeUserId !== null || s.assigneeTeamId !== null],
    ['is:unassigned', (s) => s.assigneeUserId === null && s.assigneeTeamId === null],
    ['!is:assigned', (s) => s.assigneeUserId === null && s.assigneeTeamId === null],
    ['is:for_review', (s) => s.status === 'unresolved' && ['new', 'regressed'].includes(s.substatus ?? '')],
    [
      '!is:for_review',
      (s) => !(s.status === 'unresolved' && ['new', 'regressed'].includes(s.substatus ?? '')),
    ],
    ['assigned:me', (s) => s.assigneeUserId === ownerId],
    ['!assigned:me', (s) => s.assigneeUserId !== ownerId],
    ['assigned:my_teams', (s) => s.assigneeTeamId === backend.id],
    ['assigned:none', (s) => s.assigneeUserId === null && s.assigneeTeamId === null],
    ['assigned:[me, #backend]', (s) => s.assigneeUserId === ownerId || s.assigneeTeamId === backend.id],
    ['assigned:#backend', (s) => s.assigneeTeamId === backend.id],
    ['!assigned:#backend', (s) => s.assigneeTeamId !== backend.id],
    ['assigned:#nope', none],
    ['assigned:nobody@example.com', none],
    ['bookmarks:me', (s) => s.bookmarked],
    ['!bookmarks:me', (s) => !s.bookmarked],
    ['level:error', (s) => s.level === 'error'],
    ['!level:error', (s) => s.level !== 'error'],
    ['level:[fatal, info]', (s) => s.level === 'fatal' || s.level === 'info'],
    ['level:*al', (s) => s.level === 'fatal'],
    ['level:ERR*', (s) => s.level === 'error'],
    ['level:ERROR', none],
    ['release:1.2.0', (s) => hasTag(s, 'release', '1.2.0')],
    ['!release:1.2.0', (s) => !hasTag(s, 'release', '1.2.0')],
    ['release:1.1*', (s) => hasTag(s, 'release', '1.1.0')],
    ['release:[1.0.0,1.2.0]', (s) => hasTag(s, 'release', '1.0.0') || hasTag(s, 'release', '1.2.0')],
    ['firstRelease:1.1.0', (s) => s.firstRelease === '1.1.0'],
    ['!first_release:1.1.0', (s) => s.firstRelease !== '1.1.0'],
    ['environment:production', (s) => hasTag(s, 'environment', 'production')],
    ['!environment:production', (s) => !hasTag(s, 'environment', 'production')],
    ['environment:[production,staging]', (s) => s.tags.has('environment')],
    ['has:environment', (s) => s.tags.has('environment')],
    ['!has:environment', (s) => !s.tags.has('environment')],
    ['has:browser', (s) => s.tags.has('browser')],
    ['!has:browser', (s) => !s.tags.has('browser')],
    ['has:nothing', none],
    ['browser:Chrome', (s) => hasTag(s, 'browser', 'Chrome')],
    ['!browser:Chrome', (s) => !hasTag(s, 'browser', 'Chrome')],
    ['browser:"Mobile Safari"', (s) => hasTag(s, 'browser', 'Mobile Safari')],
    [
      'browser:[Chrome, "Mobile Safari"]',
      (s) => hasTag(s, 'browser', 'Chrome') || hasTag(s, 'browser', 'Mobile Safari'),
    ],
    ['browser:*safari', (s) => hasTag(s, 'browser', 'Mobile Safari')],
    ['browser:mobile', none],
    ['server:web-1', (s) => hasTag(s, 'server', 'web-1')],
    ['server:web_1', none],
    ['server:web-[1,2]', none],
    ['firstSeen:-24h', (s) => s.firstSeen >= NOW - DAY],
    ['firstSeen:+24h', (s) => s.firstSeen < NOW - DAY],
    ['age:+7d', (s) => s.firstSeen < NOW - 7 * DAY],
    ['lastSeen:-6h', (s) => s.lastSeen >= NOW - 6 * HOUR],
    ['!lastSeen:-6h', (s) => s.lastSeen < NOW - 6 * HOUR],
    ['lastSeen:<-10h', (s) => s.lastSeen < NOW - 10 * HOUR],
    ['firstSeen:>=2026-11-20', (s) => s.firstSeen >= Date.UTC(2026, 10, 20)],
    ['firstSeen:<2026-01-01', (s) => s.firstSeen < JAN1],
    ['firstSeen:2026-01-01', (s) => s.firstSeen >= JAN1 && s.firstSeen < JAN1 + DAY],
    ['firstSeen:<=2026-01-01T10:00:00', (s) => s.firstSeen <= JAN1 + 10 * HOUR],
    ['firstSeen:<2026-01-01T10:00:00', (s) => s.firstSeen < JAN1 + 10 * HOUR],
    ['times_seen:>5', (s) => s.timesSeen > 5],
    ['timesSeen:<=2', (s) => s.timesSeen <= 2],
    ['times_seen:3', (s) => s.timesSeen === 3],
    ['!times_seen:>1', (s) => s.timesSeen <= 1],
    ['failure', (s) => text(s).includes('failure')],
    ['"number 1"', (s) => text(s).includes('number 1')],
    ['number 1', (s) => text(s).includes('number') && text(s).includes('1')],
    ['FAILURE', (s) => text(s).includes('failure')],
    ['needle', (s) => s.value.includes('needle')],
    ['"\\"inside\\""', (s) => s.value.includes('"inside"')],
    ['module3.ts', (s) => s.culprit.includes('module3')],
    ['50%', (s) => s.i === 7],
    ['off_sale', (s) => s.i === 7],
    ['off%sale', none],
    ['is:unresolved level:error', (s) => s.status === 'unresolved' && s.level === 'error'],
    [
      'is:unresolved browser:Chrome environment:production times_seen:>3 failure',
      (s) =>
        s.status === 'unresolved' &&
        hasTag(s, 'browser', 'Chrome') &&
        hasTag(s, 'environment', 'production') &&
        s.timesSeen > 3,
    ],
  ];

  it.each(cases)('%j', async (query, predicate) => {
    const want = expected(predicate);
    expect(await all(filter(query))).toEqual(want);
    expect(await countIssues(database.db.region, filter(query))).toBe(want.length);
  });

  it('seeds every other case with something to find and something to leave out', () => {
    // Guards the table against cases that pass only because the seed never exercises them.
    const trivial = cases.filter(([, p]) => {
      const n = seeds.filter(p).length;
      return p !== none && p !== everything && (n === 0 || n === seeds.length);
    });
    expect(trivial.map(([q]) => q)).toEqual([]);
  });

  it('assigned:me and bookmarks:me match nothing without a viewer; a user by email matches', async () => {
    expect(await all(filter('assigned:me', { viewerUserId: null }))).toEqual([]);
    expect(await all(filter('bookmarks:me', { viewerUserId: undefined }))).toEqual([]);
    expect(await all(filter('assigned:my_teams', { viewerTeamIds: [] }))).toEqual([]);
    expect(await all(filter(`assigned:${ownerEmail.toUpperCase()}`))).toEqual(
      expected((s) => s.assigneeUserId === ownerId),
    );
    expect(await all(filter(`assigned:#${defaultTeam.slug}`))).toEqual(
      expected((s) => s.assigneeTeamId === defaultTeam.id),
    );
  });

  it.each<IssueSort>(['date', 'new', 'freq', 'user'])(
    'sorts by %s, ties by id, newest first',
    async (sort) => {
      expect(await all(filter(''), sort)).toEqual(expected(() => true, sort));
      expect(await all(filter('is:unresolved'), sort)).toEqual(
        expected((s) => s.status === 'unresolved', sort),
      );
    },
  );

  it('keeps to the projects asked for', async () => {
    expect(await all(filter('', { projectIds: [p2] }))).toEqual(expected(() => true, 'date', [p2]));
    expect(await all(filter('', { projectIds: [] }))).toEqual([]);
    expect(await countIssues(database.db.region, filter('', { projectIds: [] }))).toBe(0);
  });

  it('filters by the environment parameter (any of them)', async () => {
    expect(await all(filter('', { environments: ['staging'] }))).toEqual(
      expected((s) => hasTag(s, 'environment', 'staging')),
    );
    expect(await all(filter('level:error', { environments: ['staging', 'production'] }))).toEqual(
      expected((s) => s.tags.has('environment') && s.level === 'error'),
    );
    expect(await all(filter('', { environments: [] }))).toEqual(expected(() => true));
  });

  it('keeps to issues seen in the window (statsPeriod, start/end), in the environment when given', async () => {
    const seenIn = (s: Seed, start: number, end: number) => s.lastSeen >= start && s.firstSeen <= end;
    const last6h = parseTimeWindow({ statsPeriod: '6h' }, NOW);
    expect(await all(filter('', { window: last6h }))).toEqual(
      expected((s) => seenIn(s, NOW - 6 * HOUR, NOW)),
    );

    const start = Date.UTC(2026, 10, 10);
    const end = Date.UTC(2026, 10, 20);
    const window = parseTimeWindow({ start: '2026-11-10', end: '2026-11-20T00:00:00Z' }, NOW);
    expect(window).toEqual({ start, end });
    const inWindow = expected((s) => seenIn(s, start, end));
    expect(inWindow.length).toBeGreaterThan(0);
    expect(await all(filter('', { window }))).toEqual(inWindow);

    // Staging saw each issue only in its first hour: the window must hold that hour.
    const stagingThen = (s: Seed) => {
      const seen = s.tags.get('environment')?.get('staging');
      return seen !== undefined && seen[1] >= start && seen[0] <= end && seenIn(s, start, end);
    };
    const want = expected(stagingThen);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(
      expected((s) => hasTag(s, 'environment', 'staging') && seenIn(s, start, end)).length,
    );
    expect(await all(filter('', { window, environments: ['staging'] }))).toEqual(want);
  });

  it('counts at most max', async () => {
    expect(await countIssues(database.db.region, filter(''), 10)).toBe(10);
  });

  describe.each<[IssueSort, string]>([
    ['date', ''],
    ['new', ''],
    ['freq', ''],
    ['user', ''],
    ['date', 'is:unresolved'],
    ['freq', 'is:unresolved'],
    ['user', 'has:browser'],
  ])('pages by %s through %j', (sort, query) => {
    it('following next shows every issue once, in order; following prev walks back', async () => {
      const want = expected((s) => parseAndMatch(query, s), sort);
      const pages: number[][] = [];
      let cursor: string | null = null;
      let previous: string | null = null;
      for (;;) {
        const page = await searchIssues(database.db.region, { ...filter(query), sort, limit: 7, cursor });
        expect(page.hasPrev).toBe(cursor !== null);
        pages.push(page.issues.map((i) => i.id));
        previous = page.prevCursor;
        if (!page.hasNext) break;
        cursor = page.nextCursor;
        expect(pages.length).toBeLessThan(20);
      }
      expect(pages.flat()).toEqual(want);
      expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);

      // Back from the last page to the first.
      const back: number[][] = [pages.at(-1) as number[]];
      let prev: string | null = previous;
      for (;;) {
        const page = await searchIssues(database.db.region, {
          ...filter(query),
          sort,
          limit: 7,
          cursor: prev,
        });
        expect(page.hasNext).toBe(true);
        back.unshift(page.issues.map((i) => i.id));
        if (!page.hasPrev) break;
        prev = page.prevCursor;
        expect(back.length).toBeLessThan(20);
      }
      expect(back).toEqual(pages);
    });
  });

  function parseAndMatch(query: string, s: Seed): boolean {
    if (query === 'is:unresolved') return s.status === 'unresolved';
    if (query === 'has:browser') return s.tags.has('browser');
    return true;
  }

  it('an empty page past the end keeps a cursor that turns back to the last issue', async () => {
    const ordered = expected(everything);
    const last = seeds.find((s) => s.id === ordered.at(-1)) as Seed;
    const beyond = await searchIssues(database.db.region, {
      ...filter(''),
      limit: 7,
      cursor: `${last.lastSeen}:${last.id}:0`,
    });
    expect(beyond.issues).toEqual([]);
    expect(beyond.hasNext).toBe(false);
    const back = await searchIssues(database.db.region, {
      ...filter(''),
      limit: 3,
      cursor: beyond.prevCursor,
    });
    expect(back.issues.map((i) => i.id)).toEqual(ordered.slice(-3));
  });

  it('returns the new triage columns on each issue', async () => {
    const page = await searchIssues(database.db.region, { ...filter('assigned:#backend'), limit: 1 });
    expect(page.issues[0]).toMatchObject({
      assigneeTeamId: backend.id,
      assigneeUserId: null,
      isPublic: false,
      priority: null,
    });
  });

  it.each(['abc', '1:2', '1:2:3', '-1:2:0', '1.5:2:0', '1:2:0:0', ':2:0', '99999999999999999:1:0'])(
    'refuses the cursor %j',
    async (cursor) => {
      const search = searchIssues(database.db.region, { ...filter(''), limit: 7, cursor });
      await expect(search).rejects.toBeInstanceOf(AppError);
      await expect(search).rejects.toMatchObject({ status: 400, detail: 'Invalid cursor parameter.' });
    },
  );
});
