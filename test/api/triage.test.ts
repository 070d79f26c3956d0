import { describe, expect, it } from 'vitest';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { backfillLastReleaseSeen } from '../../src/store/migrations/region/20261213T0900-last-release-seen.js';
import { insertMember } from '../../src/store/region/members.js';
import { addTeamMember } from '../../src/store/region/teams.js';
import { TEST_ENGINES } from '../support/engines.js';
import { newEventId } from '../support/envelopes.js';
import { makeProject, makeToken, makeUser } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { type Json, link, qs } from './support/api-client.js';
import { HOUR, ingest, MIN, openIssueApi, wholeSecondNow } from './support/issue-seed.js';

// Daily triage reads: counts and graphs in a window and environment, user searches, an issue's
// events filtered, its users, its trends, and search suggestions. Every expected number is computed
// here from the events the test sent.

interface Sent {
  readonly issue: 'X' | 'Y';
  readonly id: string;
  readonly at: number;
  readonly environment: string;
  readonly release: string;
  readonly browser: string;
  readonly user: Record<string, string>;
  readonly message: string;
}

const ANN = { id: '1001', email: 'ann@example.test', username: 'ann', name: 'Ann Lee' };
const BOB = { id: '1002', email: 'bob@example.test' };
const IP_ONLY = { ip_address: '10.0.0.3' };
const CAT = { email: 'cat@example.test' };

/** The events of the test, as [issue, minutes ago, environment, release, browser, user, message]. */
const PLAN: [Sent['issue'], number, string, string, string, Record<string, string>, string][] = [
  ['X', 10, 'staging', 'web@2.0', 'Chrome', ANN, 'cart total is negative'],
  ['X', 12, 'staging', 'web@2.0', 'Chrome', ANN, 'cart total is negative'],
  ['X', 15, 'staging', 'web@2.0', 'Firefox', ANN, 'cart total is NaN'],
  ['X', 30, 'production', 'web@2.0', 'Firefox', BOB, 'cart total is negative'],
  ['X', 40, 'production', 'web@2.0', 'Chrome', BOB, 'cart total is negative'],
  ['X', 180, 'production', 'web@2.0', 'Chrome', IP_ONLY, 'cart total is negative'],
  ['X', 200, 'production', 'web@2.0', 'Chrome', IP_ONLY, 'cart total is negative'],
  ['X', 2 * 24 * 60, 'staging', 'web@1.0', 'Chrome', ANN, 'cart total is negative'],
  ['X', 3 * 24 * 60, 'production', 'web@1.0', 'Safari', BOB, 'cart total is negative'],
  ['Y', 5, 'production', 'web@2.0', 'Safari', CAT, 'login failed'],
  ['Y', 50, 'production', 'web@2.0', 'Safari', CAT, 'login failed'],
];

async function openTriageWorld(engine: (typeof TEST_ENGINES)[number]) {
  const NOW = wholeSecondNow();
  const api = await openIssueApi(engine, () => NOW);
  const { project, key } = await makeProject(api.h.ctx, api.lab, api.labTeam, 'shop');
  const sent: Sent[] = [];
  // Oldest first, as they would arrive.
  for (const [issue, minutesAgo, environment, release, browser, user, message] of [...PLAN].sort(
    (a, b) => b[1] - a[1],
  )) {
    const s: Sent = {
      issue,
      id: newEventId(),
      at: NOW - minutesAgo * MIN,
      environment,
      release,
      browser,
      user,
      message,
    };
    sent.push(s);
    await ingest(
      api.h,
      { id: project.id, key },
      [
        {
          event_id: s.id,
          timestamp: s.at / 1000,
          platform: 'javascript',
          level: 'error',
          environment,
          release,
          fingerprint: [`triage-${issue}`],
          tags: { browser },
          user,
          exception: { values: [{ type: issue === 'X' ? 'CartError' : 'LoginError', value: message }] },
        },
      ],
      'envelope',
    );
  }
  const listed: Json[] = await api.get('/projects/lab/shop/issues/?query=');
  const idOf = (issue: 'X' | 'Y') =>
    listed.find((i) => (i.title as string).startsWith(issue === 'X' ? 'CartError' : 'LoginError'))
      ?.id as string;
  return { ...api, NOW, project, sent, ids: { X: idOf('X'), Y: idOf('Y') } };
}

type World = Awaited<ReturnType<typeof openTriageWorld>>;

const userKeyOf = (u: Record<string, string>) =>
  u.id
    ? `id:${u.id}`
    : u.email
      ? `email:${u.email}`
      : u.username
        ? `username:${u.username}`
        : `ip:${u.ip_address}`;

describe.each(TEST_ENGINES)('triage reads on %s', (engine) => {
  const w = openedForTests(() => openTriageWorld(engine));
  const of = (world: World, issue: 'X' | 'Y', keep: (s: Sent) => boolean = () => true) =>
    world.sent.filter((s) => s.issue === issue && keep(s));
  const users = (events: readonly Sent[]) => new Set(events.map((s) => userKeyOf(s.user))).size;
  const within = (world: World, ms: number) => (s: Sent) => s.at >= world.NOW - ms;
  const orgList = async (world: World, params: Record<string, string>) => {
    const body: Json[] = await world.get(`/organizations/lab/issues/?${qs({ query: '', ...params })}`);
    return new Map(body.map((i) => [i.id as string, i]));
  };
  const total = (series: [number, number][]) => series.reduce((n, [, c]) => n + c, 0);

  describe('issue list counts', () => {
    it('count and userCount follow the window and the environment; lifetime keeps all time', async () => {
      const world = w;
      const x = of(world, 'X');
      const hour = (await orgList(world, { statsPeriod: '1h' })).get(world.ids.X);
      const inHour = x.filter(within(world, HOUR));
      expect(hour?.count).toBe(String(inHour.length));
      expect(hour?.userCount).toBe(users(inHour));
      expect(hour?.lifetime).toMatchObject({ count: String(x.length), userCount: users(x) });
      expect(hour?.filtered).toBeNull();

      const staging = (await orgList(world, { statsPeriod: '1h', environment: 'staging' })).get(world.ids.X);
      const stagingHour = inHour.filter((s) => s.environment === 'staging');
      expect(stagingHour.length).toBeGreaterThan(0);
      expect(staging?.count).toBe(String(stagingHour.length));
      expect(staging?.userCount).toBe(users(stagingHour));

      const allStaging = (await orgList(world, { environment: 'staging' })).get(world.ids.X);
      expect(allStaging?.count).toBe(String(x.filter((s) => s.environment === 'staging').length));

      const project: Json[] = await world.get('/projects/lab/shop/issues/?query=&environment=staging');
      expect(project.find((i) => i.id === world.ids.X)?.count).toBe(
        String(x.filter((s) => s.environment === 'staging').length),
      );
    });

    it('graphs: auto fits the window and adds up to the count; 24h follows the environment', async () => {
      const world = w;
      const x = of(world, 'X');
      const item = (await orgList(world, { statsPeriod: '1h', groupStatsPeriod: 'auto' })).get(world.ids.X);
      expect(Object.keys(item?.stats)).toEqual(['auto']);
      expect(total(item?.stats.auto)).toBe(x.filter(within(world, HOUR)).length);
      expect(item?.stats.auto.length).toBeLessThanOrEqual(52);

      const day = (await orgList(world, { groupStatsPeriod: '24h', environment: 'production' })).get(
        world.ids.X,
      );
      expect(day?.stats['24h']).toHaveLength(24);
      expect(total(day?.stats['24h'])).toBe(
        x.filter((s) => s.environment === 'production' && s.at > world.NOW - 23 * HOUR - (world.NOW % HOUR))
          .length,
      );
    });

    it('filtered counts the events the query terms match, within the window', async () => {
      const world = w;
      const x = of(world, 'X', within(world, 24 * HOUR));
      const item = (
        await orgList(world, { statsPeriod: '24h', query: 'browser:Chrome', groupStatsPeriod: 'auto' })
      ).get(world.ids.X);
      expect(item?.count).toBe(String(x.length));
      const chrome = x.filter((s) => s.browser === 'Chrome');
      expect(item?.filtered).toMatchObject({ count: String(chrome.length), userCount: users(chrome) });
      expect(total(item?.filtered.stats.auto)).toBe(chrome.length);
    });

    it('rejects a bad groupStatsPeriod', async () => {
      const res = await w.send('GET', '/organizations/lab/issues/?groupStatsPeriod=3d');
      expect(res.statusCode).toBe(400);
      expect(res.json().detail).toMatch(/groupStatsPeriod/);
    });
  });

  describe('user search', () => {
    const search = async (world: World, query: string) => {
      const body: Json[] = await world.get(`/projects/lab/shop/issues/?${qs({ query })}`);
      return body.map((i) => (i.id === world.ids.X ? 'X' : i.id === world.ids.Y ? 'Y' : '?')).sort();
    };

    it('user.email:, user.id:, user.username:, user.ip: find the issues of that user', async () => {
      const world = w;
      const issuesOf = (keep: (u: Record<string, string>) => boolean) =>
        [...new Set(world.sent.filter((s) => keep(s.user)).map((s) => s.issue))].sort();
      expect(await search(world, `user.email:${ANN.email}`)).toEqual(issuesOf((u) => u.email === ANN.email));
      expect(await search(world, `user.email:${CAT.email}`)).toEqual(issuesOf((u) => u.email === CAT.email));
      expect(await search(world, 'user.email:*@example.test')).toEqual(
        issuesOf((u) => u.email !== undefined),
      );
      expect(await search(world, `user.id:${BOB.id}`)).toEqual(issuesOf((u) => u.id === BOB.id));
      expect(await search(world, `user.username:${ANN.username}`)).toEqual(
        issuesOf((u) => u.username === ANN.username),
      );
      expect(await search(world, `user.ip:${IP_ONLY.ip_address}`)).toEqual(
        issuesOf((u) => u.ip_address === IP_ONLY.ip_address),
      );
      expect(await search(world, `!user.email:${CAT.email}`)).toEqual(['X']);
      expect(await search(world, 'user.email:nobody@example.test')).toEqual([]);
      expect(await search(world, `user:id:${ANN.id}`)).toEqual(['X']);
    });

    it('a bad query is a 400 saying what is wrong', async () => {
      const world = w;
      for (const [query, says] of [
        ['user.phone:123', /user\.phone/],
        ['user.email:', /./],
        ['user.email:"ann', /Unterminated quote/],
        ['is:sideways', /"is"/],
        ['user.email:[a,', /Unterminated list/],
      ] as const) {
        for (const url of [
          `/projects/lab/shop/issues/?${qs({ query })}`,
          `/organizations/lab/issues/${world.ids.X}/events/?${qs({ query })}`,
        ]) {
          const res = await world.send('GET', url);
          if (query === 'user.email:') {
            // A key with nothing after it is text, as in Sentry: no error, and no match.
            expect(res.statusCode, url).toBe(200);
            continue;
          }
          expect(res.statusCode, `${url} ${res.body}`).toBe(400);
          expect(res.json().detail, url).toMatch(says);
        }
      }
    });
  });

  describe('issue events', () => {
    const ids = async (world: World, params: Record<string, string>) => {
      const body: Json[] = await world.get(`/organizations/lab/issues/${world.ids.X}/events/?${qs(params)}`);
      return body.map((e) => e.eventID as string).sort();
    };
    const expected = (world: World, keep: (s: Sent) => boolean) =>
      of(world, 'X', keep)
        .map((s) => s.id)
        .sort();

    it('query by tag, environment, release, user and text; environment and window parameters', async () => {
      const world = w;
      expect(await ids(world, { query: 'browser:Chrome' })).toEqual(
        expected(world, (s) => s.browser === 'Chrome'),
      );
      expect(await ids(world, { query: '!browser:Chrome' })).toEqual(
        expected(world, (s) => s.browser !== 'Chrome'),
      );
      expect(await ids(world, { query: 'browser:[Safari,Firefox]' })).toEqual(
        expected(world, (s) => s.browser === 'Safari' || s.browser === 'Firefox'),
      );
      expect(await ids(world, { query: 'environment:staging' })).toEqual(
        expected(world, (s) => s.environment === 'staging'),
      );
      expect(await ids(world, { environment: 'production' })).toEqual(
        expected(world, (s) => s.environment === 'production'),
      );
      expect(await ids(world, { query: 'release:web@1.0' })).toEqual(
        expected(world, (s) => s.release === 'web@1.0'),
      );
      expect(await ids(world, { query: `user.email:${BOB.email}` })).toEqual(
        expected(world, (s) => s.user.email === BOB.email),
      );
      expect(await ids(world, { query: 'NaN' })).toEqual(expected(world, (s) => s.message.includes('NaN')));
      expect(await ids(world, { statsPeriod: '1h', query: 'browser:Chrome has:browser' })).toEqual(
        expected(world, (s) => s.at >= world.NOW - HOUR && s.browser === 'Chrome'),
      );
      const res = await world.send(
        'GET',
        `/organizations/lab/issues/${world.ids.X}/events/?query=is:unresolved`,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().detail).toMatch(/is:/);
    });

    it('pages with cursors, newest first, and carries what a list shows', async () => {
      const world = w;
      const seen: Json[] = [];
      let url = `/organizations/lab/issues/${world.ids.X}/events/?per_page=3&environment=production`;
      for (let pages = 0; pages < 10; pages++) {
        const res = await world.send('GET', url);
        expect(res.statusCode).toBe(200);
        seen.push(...(res.json() as Json[]));
        const next = link(res, 'next');
        if (!next.results) break;
        url = next.path;
      }
      const production = of(world, 'X', (s) => s.environment === 'production').sort((a, b) => b.at - a.at);
      expect(seen.map((e) => e.eventID)).toEqual(production.map((s) => s.id));
      // X-Hits counts every matching event, whatever the page.
      for (const [params, keep] of [
        ['per_page=3&environment=production', (s: Sent) => s.environment === 'production'],
        ['per_page=2&query=browser:Chrome', (s: Sent) => s.browser === 'Chrome'],
        ['', () => true],
      ] as const) {
        const res = await world.send('GET', `/organizations/lab/issues/${world.ids.X}/events/?${params}`);
        expect(res.headers['x-hits'], params).toBe(String(of(world, 'X', keep).length));
      }
      const first = seen[0] as Json;
      const sent = production[0] as Sent;
      expect(first.dateCreated).toBe(new Date(sent.at).toISOString());
      expect(first.message).toBe(sent.message);
      expect(first.user).toMatchObject({ id: sent.user.id ?? null, email: sent.user.email ?? null });
      expect(first.tags).toEqual(
        expect.arrayContaining([
          { key: 'environment', value: sent.environment },
          { key: 'release', value: sent.release },
          { key: 'browser', value: sent.browser },
        ]),
      );
      const full: Json[] = await world.get(
        `/organizations/lab/issues/${world.ids.X}/events/?full=1&per_page=1`,
      );
      expect(full[0]?.entries).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'exception' })]),
      );
    });
  });

  describe('who is affected', () => {
    it('the user tag values carry each user’s fields and counts; the spread names users', async () => {
      const world = w;
      const x = of(world, 'X');
      const values: Json[] = await world.get(`/organizations/lab/issues/${world.ids.X}/tags/user/values/`);
      const byKey = new Map<string, Sent[]>();
      for (const s of x) byKey.set(userKeyOf(s.user), [...(byKey.get(userKeyOf(s.user)) ?? []), s]);
      expect(values.map((v) => v.value).sort()).toEqual([...byKey.keys()].sort());
      for (const v of values) {
        const events = byKey.get(v.value) as Sent[];
        const u = (events[0] as Sent).user;
        expect(v).toMatchObject({
          key: 'user',
          count: events.length,
          id: u.id ?? null,
          email: u.email ?? null,
          username: u.username ?? null,
          ipAddress: u.ip_address ?? null,
          lastSeen: new Date(Math.max(...events.map((s) => s.at))).toISOString(),
        });
      }
      const ann = values.find((v) => v.value === `id:${ANN.id}`);
      expect(ann).toMatchObject({ name: ANN.name, query: `user.id:"${ANN.id}"` });
      expect(values.find((v) => v.value === `id:${BOB.id}`)?.name).toBe(BOB.email);
      expect(values.find((v) => v.value === `ip:${IP_ONLY.ip_address}`)?.name).toBe(IP_ONLY.ip_address);

      const spread: Json[] = await world.get(`/organizations/lab/issues/${world.ids.X}/tags/`);
      const userTag = spread.find((t) => t.key === 'user');
      expect(userTag?.topValues.map((v: Json) => v.name)).toEqual(
        expect.arrayContaining([ANN.name, BOB.email, IP_ONLY.ip_address]),
      );
      const one: Json = await world.get(`/issues/${world.ids.X}/tags/user/`);
      expect(one.topValues.find((v: Json) => v.value === `id:${ANN.id}`)?.email).toBe(ANN.email);
    });
  });

  describe('participants', () => {
    it('whoever changed the status, is assigned or bookmarked, as Sentry users; organization tokens add no one', async () => {
      const world = w;
      const { project, key } = await makeProject(world.h.ctx, world.lab, world.labTeam, 'crew');
      await ingest(
        world.h,
        { id: project.id, key },
        [{ event_id: newEventId(), timestamp: world.NOW / 1000, level: 'error', message: 'crew is short' }],
        'envelope',
      );
      const [listed]: Json[] = await world.get('/projects/lab/crew/issues/?query=');
      const url = `/organizations/lab/issues/${listed?.id}/`;
      const participants = async () => ((await world.get(url)).participants as Json[]).map((p) => p.email);
      expect(await participants()).toEqual([]);

      const dan = await makeUser(world.h.ctx, { email: 'dan@lab.test' });
      const member = await insertMember(world.h.ctx.db.region, {
        organizationId: world.lab.id,
        userId: dan.id,
        email: dan.email,
        role: 'member',
        inviteTokenHash: null,
        inviterId: null,
        now: world.NOW,
      });
      await addTeamMember(world.h.ctx.db.region, world.labTeam.id, member.id, null);
      const danToken = await makeToken(world.h.ctx, dan, ['org:read', 'project:read', 'event:admin']);
      const { token: orgToken } = await createOrgToken(world.h.ctx, {
        organizationId: world.lab.id,
        orgSlug: world.lab.slug,
        name: 'triage bot',
        scopes: ['org:read', 'project:read', 'event:admin'],
        createdById: world.owner.id,
      });

      await world.ok(200, 'PUT', url, { status: 'ignored' }, orgToken);
      await world.ok(200, 'PUT', url, { status: 'unresolved' }, orgToken);
      expect(await participants()).toEqual([]);

      await world.ok(200, 'PUT', url, { isBookmarked: true });
      expect(await participants()).toEqual([world.owner.email]);
      await world.ok(200, 'PUT', url, { status: 'resolved' }, danToken);
      expect(await participants()).toEqual([world.owner.email, dan.email]);

      await world.ok(200, 'PUT', url, { isBookmarked: false });
      expect(await participants()).toEqual([dan.email]);
      await world.ok(200, 'PUT', url, { assignedTo: world.owner.email }, danToken);
      const detail: Json = await world.get(url);
      expect(detail.participants).toEqual([
        expect.objectContaining({
          id: String(world.owner.id),
          email: world.owner.email,
          name: world.owner.name,
        }),
        expect.objectContaining({
          id: String(dan.id),
          email: dan.email,
          username: dan.email,
          avatarUrl: null,
        }),
      ]);
    });
  });

  describe('last release', () => {
    // Events of one issue as [minutes ago, release]: two share a time, the newest names none.
    const EVENTS: [number, string | null][] = [
      [30, 'web@1.0'],
      [10, 'web@2.5'],
      [20, 'web@4.0'],
      [10, 'web@3.0'],
      [1, null],
    ];
    const ORDERS = [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [2, 3, 4, 0, 1],
    ];

    it('is the release of the latest event, ties to the greater version, in any order of arrival and batching', async () => {
      const world = w;
      const named = EVENTS.flatMap(([ago, release]) => (release === null ? [] : [{ ago, release }]));
      const expected = named.sort((a, b) => a.ago - b.ago || (a.release < b.release ? 1 : -1))[0]?.release;
      expect(expected).toBe('web@3.0');
      const seen: string[] = [];
      for (const [n, order] of ORDERS.entries()) {
        for (const batched of [false, true]) {
          const slug = `order-${n}-${batched ? 'batch' : 'single'}`;
          const { project, key } = await makeProject(world.h.ctx, world.lab, world.labTeam, slug);
          const events = order.map((i) => {
            const [ago, release] = EVENTS[i] as [number, string | null];
            return {
              event_id: newEventId(),
              timestamp: (world.NOW - ago * MIN) / 1000,
              level: 'error',
              fingerprint: ['late-release'],
              message: 'late release',
              ...(release === null ? {} : { release }),
            };
          });
          if (batched) await ingest(world.h, { id: project.id, key }, events, 'envelope');
          else for (const e of events) await ingest(world.h, { id: project.id, key }, [e], 'envelope');
          const [listed]: Json[] = await world.get(`/projects/lab/${slug}/issues/?query=`);
          const detail: Json = await world.get(`/organizations/lab/issues/${listed?.id}/`);
          expect(detail.count, slug).toBe(String(EVENTS.length));
          seen.push(`${slug}: ${detail.lastRelease?.version}`);
        }
      }
      expect(seen).toEqual(seen.map((line) => `${line.split(':')[0]}: ${expected}`));
    });

    it('issues from before it was dated get the time of their last release’s newest event', async () => {
      const world = w;
      const region = world.h.ctx.db.region;
      const { project, key } = await makeProject(world.h.ctx, world.lab, world.labTeam, 'undated');
      const sent = [
        [30, 'web@1.0'],
        [20, 'web@1.0'],
        [5, null],
      ] as const;
      await ingest(
        world.h,
        { id: project.id, key },
        sent.map(([ago, release]) => ({
          event_id: newEventId(),
          timestamp: (world.NOW - ago * MIN) / 1000,
          message: 'undated',
          ...(release === null ? {} : { release }),
        })),
        'envelope',
      );
      const undated = () => region.selectFrom('issues').where('project_id', '=', project.id);
      await region
        .updateTable('issues')
        .set({ last_release_seen: null })
        .where('project_id', '=', project.id)
        .execute();
      await backfillLastReleaseSeen(region);
      const [issue] = await undated().select(['last_release', 'last_release_seen']).execute();
      expect(issue).toEqual({ last_release: 'web@1.0', last_release_seen: world.NOW - 20 * MIN });
      // Its events gone (retention), its last seen stands in.
      await region.deleteFrom('events').where('project_id', '=', project.id).execute();
      await region
        .updateTable('issues')
        .set({ last_release_seen: null })
        .where('project_id', '=', project.id)
        .execute();
      await backfillLastReleaseSeen(region);
      const [bare] = await undated().select(['last_release_seen']).execute();
      expect(bare?.last_release_seen).toBe(world.NOW - 5 * MIN);
    });
  });

  describe('trends', () => {
    it('the issue detail graphs (24h hourly, 30d daily) add up to the counts of the same windows', async () => {
      const world = w;
      const x = of(world, 'X');
      const detail: Json = await world.get(`/organizations/lab/issues/${world.ids.X}/`);
      expect(Object.keys(detail.stats).sort()).toEqual(['24h', '30d']);
      const list = (await orgList(world, { statsPeriod: '24h' })).get(world.ids.X);
      expect(total(detail.stats['24h'])).toBe(Number(list?.count));
      expect(total(detail.stats['24h'])).toBe(x.filter(within(world, 24 * HOUR)).length);
      expect(total(detail.stats['30d'])).toBe(x.length);
      const step = (series: [number, number][]) => (series[1]?.[0] ?? 0) - (series[0]?.[0] ?? 0);
      expect(step(detail.stats['24h'])).toBe(3600);
      expect(step(detail.stats['30d'])).toBe(86400);

      const staging: Json = await world.get(`/organizations/lab/issues/${world.ids.X}/?environment=staging`);
      const stagingEvents = x.filter((s) => s.environment === 'staging');
      expect(staging.count).toBe(String(stagingEvents.length));
      expect(total(staging.stats['30d'])).toBe(stagingEvents.length);
    });

    it('events-stats: one series, or one per environment or release, adding up to the count', async () => {
      const world = w;
      const x = of(world, 'X', within(world, 24 * HOUR));
      const base = { query: `issue.id:${world.ids.X}`, interval: '1h', statsPeriod: '24h', yAxis: 'count()' };
      const one: Json = await world.get(`/organizations/lab/events-stats/?${qs(base)}`);
      const counts = (data: [number, { count: number }[]][]) =>
        data.reduce((n, [, [c]]) => n + (c?.count ?? 0), 0);
      expect(counts(one.data)).toBe(x.length);
      expect(one.data[1][0] - one.data[0][0]).toBe(3600);
      const list = (await orgList(world, { statsPeriod: '24h' })).get(world.ids.X);
      expect(counts(one.data)).toBe(Number(list?.count));

      const byEnv: Json = await world.get(
        `/organizations/lab/events-stats/?${qs({ ...base, topEvents: '5', field: ['environment', 'count()'] })}`,
      );
      for (const env of ['staging', 'production']) {
        expect(counts(byEnv[env].data), env).toBe(x.filter((s) => s.environment === env).length);
      }
      const byRelease: Json = await world.get(
        `/organizations/lab/events-stats/?${qs({ ...base, statsPeriod: '30d', interval: '1d', topEvents: '1', field: 'release' })}`,
      );
      const all = of(world, 'X');
      const releases = [...new Set(all.map((s) => s.release))];
      const biggest = releases.sort(
        (a, b) => all.filter((s) => s.release === b).length - all.filter((s) => s.release === a).length,
      )[0] as string;
      expect(counts(byRelease[biggest].data)).toBe(all.filter((s) => s.release === biggest).length);
      expect(counts(byRelease.Other.data)).toBe(all.filter((s) => s.release !== biggest).length);

      const staging: Json = await world.get(
        `/organizations/lab/events-stats/?${qs({ ...base, query: `issue.id:${world.ids.X} browser:Chrome`, environment: 'staging' })}`,
      );
      expect(counts(staging.data)).toBe(
        x.filter((s) => s.environment === 'staging' && s.browser === 'Chrome').length,
      );

      for (const params of [
        { ...base, query: '' },
        { ...base, interval: '1s', statsPeriod: '30d' },
        { ...base, yAxis: 'p95()' },
        { ...base, topEvents: '5', field: 'browser' },
      ]) {
        const res = await world.send('GET', `/organizations/lab/events-stats/?${qs(params)}`);
        expect(res.statusCode, JSON.stringify(params)).toBe(400);
        expect(res.json().detail).toEqual(expect.any(String));
      }
    });
  });

  describe('search suggestions', () => {
    it('tag keys with counts, and values by substring, newest first', async () => {
      const world = w;
      const keys: Json[] = await world.get('/organizations/lab/tags/');
      const browser = keys.find((k) => k.key === 'browser');
      expect(browser).toEqual({ key: 'browser', name: 'browser', totalValues: world.sent.length });
      expect(keys.map((k) => k.key)).toEqual(
        expect.arrayContaining(['environment', 'release', 'user', 'level']),
      );

      const inHour: Json[] = await world.get(
        `/organizations/lab/tags/?statsPeriod=1h&project=${world.project.id}`,
      );
      expect(inHour.find((k) => k.key === 'browser')?.totalValues).toBeGreaterThan(0);

      const values: Json[] = await world.get('/organizations/lab/tags/browser/values/?query=ch');
      const chrome = world.sent.filter((s) => s.browser === 'Chrome');
      expect(values).toEqual([
        expect.objectContaining({ key: 'browser', value: 'Chrome', count: chrome.length }),
      ]);
      const newest: Json[] = await world.get('/organizations/lab/tags/browser/values/');
      const lastOf = (b: string) => Math.max(...world.sent.filter((s) => s.browser === b).map((s) => s.at));
      const browsers = [...new Set(world.sent.map((s) => s.browser))].sort((a, b) => lastOf(b) - lastOf(a));
      expect(newest.map((v) => v.value)).toEqual(browsers);
      const users: Json[] = await world.get(`/organizations/lab/tags/user/values/?${qs({ query: 'cat' })}`);
      expect(users).toEqual([expect.objectContaining({ value: `email:${CAT.email}`, email: CAT.email })]);
      const staging: Json[] = await world.get(
        '/organizations/lab/tags/environment/values/?environment=staging',
      );
      expect(staging.map((v) => v.value).sort()).toEqual(['production', 'staging']);
      const bad = await world.send('GET', '/organizations/lab/tags/browser/values/?sort=-size');
      expect(bad.statusCode).toBe(400);
    });
  });
});
