import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { openedForTests } from '../support/lifecycle.js';
import { type Json, qs } from './support/api-client.js';
import { DAY, except, LABELS, openIssueWorld, WEB } from './support/issue-seed.js';

// Searching, sorting and narrowing acme's seeded issues (support/issue-seed.ts): each search term of
// Sentry's issue search, the sorts, the time and environment windows, and the answers to bad queries.

describe.each(TEST_ENGINES)('issue search on %s', (engine) => {
  const w = openedForTests(() => openIssueWorld(engine));

  describe('search terms', () => {
    it('is: status, assignment and review', async () => {
      expect(await w.search('is:unresolved')).toEqual(except('C', 'E'));
      expect(await w.labels({})).toEqual(except('C', 'E')); // the default query is is:unresolved
      expect(await w.search('is:resolved')).toEqual(['C']);
      expect(await w.search('is:ignored')).toEqual(['E']);
      expect(await w.search('is:archived')).toEqual(['E']);
      expect(await w.search('is:assigned')).toEqual(['A', 'B', 'G']);
      expect(await w.search('is:unassigned')).toEqual(except('A', 'B', 'G'));
      expect(await w.search('is:for_review')).toEqual(except('C', 'E', 'F1'));
      expect(await w.search('!is:unresolved')).toEqual(['C', 'E']);
      expect(await w.search('is:[resolved,ignored]')).toEqual(['C', 'E']);
    });

    it('assigned: me, a member by email, a team, and several at once', async () => {
      expect(await w.search('assigned:me')).toEqual(['A']);
      expect(await w.search('assigned:me', w.miraToken)).toEqual(['G']);
      expect(await w.search('assigned:mira@acme.test')).toEqual(['G']);
      expect(await w.search('assigned:MIRA@acme.test')).toEqual(['G']);
      expect(await w.search('assigned:owner@acme.test')).toEqual(['A']);
      expect(await w.search('assigned:#backend')).toEqual(['B']);
      expect(await w.search('assigned:[me,#backend]')).toEqual(['A', 'B']);
      expect(await w.search('assigned:my_teams', w.miraToken)).toEqual(['B']);
      expect(await w.search('assigned:none')).toEqual(except('A', 'B', 'G'));
      expect(await w.search('!assigned:me')).toEqual(except('A'));
      expect(await w.search('assigned:nobody@acme.test')).toEqual([]);
    });

    it('level:, release:, environment:', async () => {
      expect(await w.search('level:warning')).toEqual(['B']);
      expect(await w.search('level:fatal')).toEqual(['C']);
      expect(await w.search('level:info')).toEqual(['D']);
      expect(await w.search('level:[warning,fatal]')).toEqual(['B', 'C']);
      expect(await w.search('!level:error')).toEqual(['B', 'C', 'D']);
      expect(await w.search('release:web@1.1.0')).toEqual(['B', 'C']);
      expect(await w.search('release:web@1.0.0')).toEqual(['A', 'E']);
      expect(await w.search('release:web@*')).toEqual(['A', 'B', 'C', 'E']);
      expect(await w.search('release:api@2.0.0')).toEqual(['G']);
      expect(await w.search('environment:staging')).toEqual(['B']);
      expect(await w.search('environment:production')).toEqual(except('B'));
      expect(await w.search('!environment:production')).toEqual(['B']);
    });

    it('firstSeen:/lastSeen: relative and absolute, times_seen: comparisons', async () => {
      const recent = ['B', 'D', 'F1', 'F2', 'F3', 'G', 'R'];
      expect(await w.search('firstSeen:-24h')).toEqual(recent);
      expect(await w.search('firstSeen:+24h')).toEqual(except(...recent));
      expect(await w.search('lastSeen:-24h')).toEqual(['A', ...recent].sort());
      expect(await w.search('lastSeen:+24h')).toEqual(['C', 'E', 'F4', 'F5', 'F6']);
      expect(await w.search('age:-24h')).toEqual(recent);
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
      expect(await w.search(`firstSeen:<${iso(w.NOW - 7 * DAY)}`)).toEqual(['A', 'E']);
      expect(await w.search(`firstSeen:>=${iso(w.NOW - 7 * DAY)}`)).toEqual(except('A', 'E'));
      expect(await w.search(`lastSeen:<${iso(w.NOW - 3 * DAY)}Z`)).toEqual(['C', 'E']);
      expect(await w.search(`lastSeen:>${new Date(w.NOW - 3 * DAY).toISOString()}`)).toEqual(
        except('C', 'E'),
      );
      expect(await w.search('times_seen:>3')).toEqual(['A', 'E']);
      expect(await w.search('times_seen:>=3')).toEqual(['A', 'C', 'E']);
      expect(await w.search('times_seen:2')).toEqual(['B', 'G', 'R']);
      expect(await w.search('times_seen:<2')).toEqual(except('A', 'B', 'C', 'E', 'G', 'R'));
      expect(await w.search('timesSeen:<=1')).toEqual(await w.search('times_seen:<2'));
    });

    it('tags: key:value, !key:value, has:, wildcards and lists', async () => {
      expect(await w.search('browser:Chrome')).toEqual(['A', 'E']);
      expect(await w.search('!browser:Chrome')).toEqual(except('A', 'E'));
      expect(await w.search('region:us')).toEqual(['C']);
      expect(await w.search('region:[eu,ap]')).toEqual(['A', 'E']);
      expect(await w.search('browser:Fire*')).toEqual(['B']);
      expect(await w.search('has:browser')).toEqual(['A', 'B', 'E']);
      expect(await w.search('!has:region')).toEqual(except('A', 'C', 'E'));
      expect(await w.search('has:user')).toEqual(['A', 'B', 'C', 'G']);
      expect(await w.search('user:id:u1')).toEqual(['A', 'B']);
      expect(await w.search('tags[region]:eu')).toEqual(['A']);
      expect(await w.search('browser:Chrome region:ap')).toEqual(['E']);
      expect(await w.search('browser:Safari')).toEqual([]);
    });

    it('free text, quoted or not, combined with terms', async () => {
      expect(await w.search('"checkout failed"')).toEqual(['A']);
      expect(await w.search('checkout')).toEqual(['A']);
      expect(await w.search('CHECKOUT')).toEqual(['A']);
      expect(await w.search('"Cache warmed in \\"eu\\" region"')).toEqual(['D']);
      expect(await w.search('"Login slow"')).toEqual(['B']);
      expect(await w.search('is:unresolved "filler number"')).toEqual(
        except('A', 'B', 'C', 'D', 'E', 'G', 'R'),
      );
      expect(await w.search('is:ignored "filler number"')).toEqual([]);
      expect(await w.search('"no such words"')).toEqual([]);
      expect(await w.search('TypeError: checkout')).toEqual(['A']);
    });

    it('each sort orders by its key, newest or most first, and lists every issue', async () => {
      const keys: Record<string, (i: Json) => number> = {
        date: (i) => Date.parse(i.lastSeen),
        new: (i) => Date.parse(i.firstSeen),
        freq: (i) => Number(i.count),
        user: (i) => i.userCount,
      };
      const first: Record<string, string> = { date: 'R', new: 'D', freq: 'A', user: 'A' };
      for (const [sort, key] of Object.entries(keys)) {
        const body: Json[] = await w.get(
          `/organizations/acme/issues/?${qs({ query: '', sort, limit: '100' })}`,
        );
        expect(body.map((i) => w.labelOf.get(i.id)).sort(), sort).toEqual(LABELS);
        for (let n = 1; n < body.length; n++)
          expect(key(body[n - 1] as Json), `${sort} at ${n}`).toBeGreaterThanOrEqual(key(body[n] as Json));
        expect(w.labelOf.get((body[0] as Json).id), sort).toBe(first[sort]);
      }
      const byCount: Json[] = await w.get('/organizations/acme/issues/?query=&sort=freq&limit=3');
      expect(byCount.map((i) => [w.labelOf.get(i.id), i.count])).toEqual([
        ['A', '5'],
        ['E', '4'],
        ['C', '3'],
      ]);
      const byUsers: Json[] = await w.get('/organizations/acme/issues/?query=&sort=user&limit=2');
      expect(byUsers.map((i) => [w.labelOf.get(i.id), i.userCount])).toEqual([
        ['A', 3],
        ['C', 2],
      ]);
      // Sentry's other orders are accepted (and fall back to last seen here).
      for (const sort of ['trends', 'inbox', 'recommended'])
        expect(await w.labels({ query: '', sort }), sort).toEqual(LABELS);
    });

    it('statsPeriod, start/end and environment narrow the list to issues seen then and there', async () => {
      expect(await w.labels({ query: '', statsPeriod: '24h' })).toEqual([
        'A',
        'B',
        'D',
        'F1',
        'F2',
        'F3',
        'G',
        'R',
      ]);
      expect(await w.labels({ query: '', statsPeriod: '90m' })).toEqual(['A', 'D', 'G', 'R']);
      expect(await w.labels({ query: '', statsPeriod: '30d' })).toEqual(LABELS);
      const iso = (ms: number) => new Date(ms).toISOString();
      // Issues whose life overlaps the window: A spans it, C lies inside it.
      expect(await w.labels({ query: '', start: iso(w.NOW - 6 * DAY), end: iso(w.NOW - 3 * DAY) })).toEqual([
        'A',
        'C',
      ]);
      // A was first seen ten days ago, after this window; E lived inside it.
      expect(await w.labels({ query: '', start: iso(w.NOW - 30 * DAY), end: iso(w.NOW - 14 * DAY) })).toEqual(
        ['E'],
      );
      expect(await w.labels({ query: '', start: iso(w.NOW - 30 * DAY), end: iso(w.NOW - 10 * DAY) })).toEqual(
        ['A', 'E'],
      );
      expect(await w.labels({ query: '', environment: 'staging' })).toEqual(['B']);
      expect(await w.labels({ query: '', environment: ['staging', 'production'] })).toEqual(LABELS);
      expect(await w.labels({ query: '', environment: 'production', statsPeriod: '24h' })).toEqual([
        'A',
        'D',
        'F1',
        'F2',
        'F3',
        'G',
        'R',
      ]);
      expect(await w.labels({ query: 'is:unresolved', environment: 'nowhere' })).toEqual([]);
      // groupStatsPeriod asks for the graph: 24 hourly or 14 daily [seconds, count] points.
      const [a24] = (await w.get(
        `/organizations/acme/issues/?${qs({ query: 'checkout', groupStatsPeriod: '24h' })}`,
      )) as Json[];
      expect(a24?.stats['24h']).toHaveLength(24);
      expect(a24?.stats['24h'].reduce((n: number, [, c]: [number, number]) => n + c, 0)).toBe(2);
      const [a14] = (await w.get(
        `/organizations/acme/issues/?${qs({ query: 'checkout', groupStatsPeriod: '14d' })}`,
      )) as Json[];
      expect(a14?.stats['14d']).toHaveLength(14);
      expect(a14?.stats['14d'].reduce((n: number, [, c]: [number, number]) => n + c, 0)).toBe(5);
    });

    it('project ids (and slugs, and -1) choose the projects of an organization list', async () => {
      expect(await w.labels({ query: '', project: String(w.api.id) })).toEqual(['G']);
      expect(await w.labels({ query: '', project: String(w.web.id) })).toEqual(WEB);
      expect(await w.labels({ query: '', project: [String(w.web.id), String(w.api.id)] })).toEqual(LABELS);
      expect(await w.labels({ query: '', project: '-1' })).toEqual(LABELS);
      expect(await w.labels({ query: '', project: 'api' })).toEqual(['G']);
      const other = await w.send('GET', `/organizations/acme/issues/?query=&project=999999`);
      expect(other.statusCode).toBe(403);
      // The project's own list says the same.
      const projectList: Json[] = await w.get('/projects/acme/api/issues/?query=');
      expect(projectList.map((i) => w.labelOf.get(i.id))).toEqual(['G']);
      const webList: Json[] = await w.get('/projects/acme/web/issues/?query=is:resolved');
      expect(webList.map((i) => w.labelOf.get(i.id))).toEqual(['C']);
    });

    it('X-Hits counts every match', async () => {
      const res = await w.send('GET', '/organizations/acme/issues/?query=&limit=2');
      expect(res.headers['x-hits']).toBe(String(LABELS.length));
      expect(res.headers['x-max-hits']).toBe('1000');
      const some = await w.send('GET', '/organizations/acme/issues/?query=browser:Chrome&limit=1');
      expect(some.headers['x-hits']).toBe('2');
    });
  });

  describe('bad input', () => {
    async function bad(params: string, detail: string | RegExp) {
      const res = await w.send('GET', `/organizations/acme/issues/?${params}`);
      expect(res.statusCode, `${params}: ${res.body}`).toBe(400);
      const body = res.json() as Json;
      if (typeof detail === 'string') expect(body.detail, params).toBe(detail);
      else expect(body.detail, params).toMatch(detail);
    }

    it('answers 400 with a Sentry-like detail', async () => {
      await bad(
        `query=${encodeURIComponent('is:nonsense')}`,
        /^Error parsing search query: Invalid value for "is" search/,
      );
      await bad(
        `query=${encodeURIComponent('firstSeen:yesterday')}`,
        /^Error parsing search query: Invalid date for "firstSeen"/,
      );
      await bad(
        `query=${encodeURIComponent('lastSeen:2026-13-45')}`,
        /^Error parsing search query: Invalid date/,
      );
      await bad(
        `query=${encodeURIComponent('times_seen:>ten')}`,
        /^Error parsing search query: Invalid number for "times_seen"/,
      );
      await bad(`query=${encodeURIComponent('times_seen:>>3')}`, /^Error parsing search query: /);
      await bad(
        `query=${encodeURIComponent('"unterminated quote')}`,
        /^Error parsing search query: Unterminated quote/,
      );
      await bad(
        `query=${encodeURIComponent('level:[error,warning')}`,
        /^Error parsing search query: Unterminated list/,
      );
      await bad(`query=${encodeURIComponent('bookmarks:you')}`, /^Error parsing search query: /);
      await bad('query=&cursor=garbage', 'Invalid cursor parameter.');
      await bad('query=&cursor=1:2', 'Invalid cursor parameter.');
      await bad('query=&cursor=0:-1:0', 'Invalid cursor parameter.');
      await bad('query=&sort=loudest', /sort/);
      await bad('query=&statsPeriod=forever', /statsPeriod/);
      await bad('query=&statsPeriod=0d', /statsPeriod/);
      await bad('query=&groupStatsPeriod=7d', /groupStatsPeriod/);
      await bad(`query=&start=${encodeURIComponent('2026-01-01T00:00:00Z')}`, /start and end/);
      await bad('query=&start=yesterday&end=today', /start/);
      await bad('query=&limit=0', 'invalid limit');
      await bad('query=&per_page=500', 'Invalid per_page value. Cannot exceed 100.');
      const project = await w.send(
        'GET',
        `/projects/acme/web/issues/?query=${encodeURIComponent('is:later')}`,
      );
      expect(project.statusCode).toBe(400);
      expect((project.json() as Json).detail).toMatch(/^Error parsing search query: /);
      const bulk = await w.send(
        'PUT',
        `/organizations/acme/issues/?query=${encodeURIComponent('is:later')}`,
        {
          status: 'resolved',
        },
      );
      expect(bulk.statusCode).toBe(400);
    });
  });
});
