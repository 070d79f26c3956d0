import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../src/api/permissions.js';
import { insertMember } from '../../src/store/region/members.js';
import { addTeamMember, insertTeam } from '../../src/store/region/teams.js';
import type { Organization, ProjectKey, Team, User } from '../../src/store/types.js';
import { envelopeOf, postEnvelope, postStore } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
  TEST_URL,
} from '../support/harness.js';

// The issue API over issues made the way production makes them: events posted to ingest (envelope and
// store endpoints), digested by the worker, then searched, sorted, paged, triaged, merged and read back.
// One organization ("acme") holds a fixed set of issues for the read-only searches; the tests that
// change issues each build their own project in a second organization ("lab").

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field, checked by expect().
type Json = Record<string, any>;
/** A parsed body: an object or an array of them. */
// biome-ignore lint/suspicious/noExplicitAny: as Json.
type Body = any;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** One event of a seeded issue: how long before "now" it happened and who it happened to. */
interface SeedEvent {
  readonly ago: number;
  readonly user?: string;
}

/** An issue of the search world: one fingerprint, sent as `events`, all alike but for time and user. */
interface Seed {
  readonly project: 'web' | 'api';
  readonly level: string;
  readonly release?: string;
  readonly environment: string;
  readonly tags?: Record<string, string>;
  /** An exception `Type: value`, or a plain message. */
  readonly exception?: [string, string];
  readonly message?: string;
  readonly events: readonly SeedEvent[];
}

const fillers = Object.fromEntries(
  [1, 2, 3, 4, 5, 6].map((i) => [
    `F${i}`,
    {
      project: 'web',
      level: 'error',
      environment: 'production',
      exception: ['FillerError', `filler number ${i}`],
      events: [{ ago: i * 7 * HOUR }],
    } satisfies Seed,
  ]),
);

const SEEDS: Record<string, Seed> = {
  A: {
    project: 'web',
    level: 'error',
    release: 'web@1.0.0',
    environment: 'production',
    tags: { browser: 'Chrome', region: 'eu' },
    exception: ['TypeError', 'checkout failed for cart'],
    events: [
      { ago: 10 * DAY, user: 'u1' },
      { ago: 6 * DAY, user: 'u2' },
      { ago: 2 * DAY, user: 'u3' },
      { ago: 5 * HOUR, user: 'u1' },
      { ago: 1 * HOUR },
    ],
  },
  B: {
    project: 'web',
    level: 'warning',
    release: 'web@1.1.0',
    environment: 'staging',
    tags: { browser: 'Firefox' },
    message: 'Login slow for user',
    events: [
      { ago: 3 * HOUR, user: 'u1' },
      { ago: 2 * HOUR, user: 'u1' },
    ],
  },
  C: {
    project: 'web',
    level: 'fatal',
    release: 'web@1.1.0',
    environment: 'production',
    tags: { region: 'us' },
    exception: ['PaymentError', 'card declined'],
    events: [
      { ago: 5 * DAY, user: 'u4' },
      { ago: 4.5 * DAY, user: 'u5' },
      { ago: 4 * DAY, user: 'u4' },
    ],
  },
  D: {
    project: 'web',
    level: 'info',
    environment: 'production',
    message: 'Cache warmed in "eu" region',
    events: [{ ago: 30 * MIN }],
  },
  E: {
    project: 'web',
    level: 'error',
    release: 'web@1.0.0',
    environment: 'production',
    tags: { browser: 'Chrome', region: 'ap' },
    exception: ['TimeoutError', 'db timeout'],
    events: [{ ago: 20 * DAY }, { ago: 18 * DAY }, { ago: 16 * DAY }, { ago: 15 * DAY }],
  },
  R: {
    project: 'web',
    level: 'error',
    environment: 'production',
    exception: ['RetryError', 'queue stalled'],
    events: [{ ago: 12 * HOUR }],
  },
  G: {
    project: 'api',
    level: 'error',
    release: 'api@2.0.0',
    environment: 'production',
    exception: ['ApiError', 'upstream 502'],
    events: [{ ago: 1 * HOUR, user: 'u9' }, { ago: 50 * MIN }],
  },
  ...fillers,
};

const LABELS = Object.keys(SEEDS).sort();
const WEB = LABELS.filter((l) => SEEDS[l]?.project === 'web');
const except = (...labels: string[]) => LABELS.filter((l) => !labels.includes(l));

function eventOf(label: string, seed: Seed, at: number, user: string | undefined, eventId: string) {
  return {
    event_id: eventId,
    timestamp: at / 1000,
    platform: 'node',
    level: seed.level,
    environment: seed.environment,
    fingerprint: [`seed-${label}`],
    ...(seed.release ? { release: seed.release } : {}),
    ...(seed.tags ? { tags: seed.tags } : {}),
    ...(user ? { user: { id: user } } : {}),
    ...(seed.message ? { message: seed.message } : {}),
    ...(seed.exception
      ? { exception: { values: [{ type: seed.exception[0], value: seed.exception[1] }] } }
      : {}),
  };
}

/** Reads one link of a `Link` header: its path (without the base URL), `results` and cursor. */
function link(res: LightMyRequestResponse, rel: 'previous' | 'next') {
  const header = String(res.headers.link);
  const part = header.split(', ').find((p) => p.includes(`rel="${rel}"`)) as string;
  const match = /^<([^>]+)>; rel="\w+"; results="(true|false)"; cursor="([^"]+)"$/.exec(part);
  expect(match, header).not.toBeNull();
  const [, url, results, cursor] = match as unknown as [string, string, string, string];
  expect(url.startsWith(TEST_URL), url).toBe(true);
  return { path: url.slice(TEST_URL.length), results: results === 'true', cursor };
}

describe.each(TEST_ENGINES)('issues API on %s', (engine) => {
  let h: Harness;
  // The services' clock: fixed, so that "-24h" and ignore durations are exact; moved by a few tests.
  const NOW = Math.floor(Date.now() / 1000) * 1000;
  let clock = NOW;

  let owner: User;
  let ownerToken: string;
  let mira: User;
  let miraToken: string;
  let acme: Organization;
  let backend: Team;
  let web: { id: number; key: ProjectKey };
  let api: { id: number; key: ProjectKey };
  /** label → issue id (string, as the API writes it); and back. */
  const ids: Record<string, string> = {};
  const labelOf = new Map<string, string>();
  /** label → its events' ids, oldest first. */
  const eventIds: Record<string, string[]> = {};

  let lab: Organization;
  let labTeam: Team;
  let seq = 0;

  async function send(method: Method, url: string, payload?: unknown, token = ownerToken) {
    return h.request({
      method,
      url: url.startsWith('/api/') ? url : `/api/0${url}`,
      token,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
  }

  async function ok(
    status: number,
    method: Method,
    url: string,
    payload?: unknown,
    token?: string,
  ): Promise<Body> {
    const res = await send(method, url, payload, token);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.body === '' ? undefined : res.json();
  }

  const get = (url: string, token?: string) => ok(200, 'GET', url, undefined, token);

  function qs(params: Record<string, string | readonly string[]>): string {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) search.append(k, one);
    return search.toString();
  }

  /** The labels of every issue an organization-level list returns (one page of 100 is enough here). */
  async function labels(params: Record<string, string | readonly string[]>, token?: string) {
    const body: Json[] = await get(`/organizations/acme/issues/?${qs({ limit: '100', ...params })}`, token);
    return body.map((i) => labelOf.get(i.id) ?? `?${i.id}`).sort();
  }

  const search = (query: string, token?: string) => labels({ query }, token);

  async function ingest(projectId: number, key: ProjectKey, events: object[], via: 'envelope' | 'store') {
    for (const event of events) {
      const res =
        via === 'store'
          ? await postStore(h, projectId, key.publicKey, event)
          : await postEnvelope(h, projectId, key.publicKey, envelopeOf([{ type: 'event', payload: event }]));
      expect(res.statusCode, res.body).toBe(200);
    }
    await h.worker.drain();
  }

  async function sendSeed(label: string, at: number, user?: string) {
    const seed = SEEDS[label] as Seed;
    const target = seed.project === 'web' ? web : api;
    const eventId = randomUUID().replace(/-/g, '');
    eventIds[label] = [...(eventIds[label] ?? []), eventId];
    await ingest(
      target.id,
      target.key,
      [eventOf(label, seed, at, user, eventId)],
      // Both ingest endpoints: A, B and C as python's SDK sends them, the rest as envelopes.
      label < 'D' ? 'store' : 'envelope',
    );
  }

  beforeAll(async () => {
    h = await createHarness(engine, {}, { now: () => clock });
    owner = await makeUser(h.ctx, { email: 'owner@acme.test' });
    mira = await makeUser(h.ctx, { email: 'mira@acme.test' });
    ownerToken = await makeToken(h.ctx, owner, ['org:admin', 'project:admin', 'event:admin', 'team:admin']);
    miraToken = await makeToken(h.ctx, mira, ['org:read', 'project:read', 'event:admin']);
    const made = await makeOrg(h.ctx, owner, 'acme');
    acme = made.org;
    const region = h.ctx.db.region;
    backend = await insertTeam(region, {
      organizationId: acme.id,
      slug: 'backend',
      name: 'Backend',
      now: NOW,
    });
    const member = await insertMember(region, {
      organizationId: acme.id,
      userId: mira.id,
      email: mira.email,
      role: 'member',
      inviteTokenHash: null,
      inviterId: null,
      now: NOW,
    });
    await addTeamMember(region, backend.id, member.id, null);
    const w = await makeProject(h.ctx, acme, made.team, 'web');
    const a = await makeProject(h.ctx, acme, made.team, 'api');
    web = { id: w.project.id, key: w.key };
    api = { id: a.project.id, key: a.key };

    // Oldest events first, across issues, so that each issue's short id follows its first event.
    const all = Object.entries(SEEDS).flatMap(([label, seed]) => seed.events.map((e) => ({ label, ...e })));
    all.sort((x, y) => y.ago - x.ago);
    for (const e of all) await sendSeed(e.label, NOW - e.ago, e.user);

    const listed: Json[] = await get('/organizations/acme/issues/?query=&limit=100');
    for (const issue of listed) {
      const label = Object.keys(SEEDS).find((l) => {
        const s = SEEDS[l] as Seed;
        return issue.title === (s.exception ? `${s.exception[0]}: ${s.exception[1]}` : s.message);
      });
      expect(label, issue.title).toBeDefined();
      ids[label as string] = issue.id;
      labelOf.set(issue.id, label as string);
    }
    expect(Object.keys(ids).sort()).toEqual(LABELS);

    // Triage, all through the API: C resolved, E ignored for good, F1 ignored then back (substatus
    // "ongoing", so out of "for review"), R resolved then seen again (regressed), and assignees.
    const put = (label: string, body: Json, token = ownerToken) =>
      ok(200, 'PUT', `/organizations/acme/issues/${ids[label]}/`, body, token);
    await put('C', { status: 'resolved' });
    await put('E', { status: 'ignored' });
    await put('F1', { status: 'ignored' });
    await put('F1', { status: 'unresolved' });
    await put('R', { status: 'resolved' });
    await sendSeed('R', NOW);
    await put('A', { assignedTo: `user:${owner.id}` });
    await put('B', { assignedTo: `team:${backend.id}` });
    await put('G', { assignedTo: mira.email });

    ({ org: lab, team: labTeam } = await makeOrg(h.ctx, owner, 'lab'));
  });
  afterAll(() => h?.close());

  describe('search terms', () => {
    it('is: status, assignment and review', async () => {
      expect(await search('is:unresolved')).toEqual(except('C', 'E'));
      expect(await labels({})).toEqual(except('C', 'E')); // the default query is is:unresolved
      expect(await search('is:resolved')).toEqual(['C']);
      expect(await search('is:ignored')).toEqual(['E']);
      expect(await search('is:archived')).toEqual(['E']);
      expect(await search('is:assigned')).toEqual(['A', 'B', 'G']);
      expect(await search('is:unassigned')).toEqual(except('A', 'B', 'G'));
      expect(await search('is:for_review')).toEqual(except('C', 'E', 'F1'));
      expect(await search('!is:unresolved')).toEqual(['C', 'E']);
      expect(await search('is:[resolved,ignored]')).toEqual(['C', 'E']);
    });

    it('assigned: me, a member by email, a team, and several at once', async () => {
      expect(await search('assigned:me')).toEqual(['A']);
      expect(await search('assigned:me', miraToken)).toEqual(['G']);
      expect(await search('assigned:mira@acme.test')).toEqual(['G']);
      expect(await search('assigned:MIRA@acme.test')).toEqual(['G']);
      expect(await search('assigned:owner@acme.test')).toEqual(['A']);
      expect(await search('assigned:#backend')).toEqual(['B']);
      expect(await search('assigned:[me,#backend]')).toEqual(['A', 'B']);
      expect(await search('assigned:my_teams', miraToken)).toEqual(['B']);
      expect(await search('assigned:none')).toEqual(except('A', 'B', 'G'));
      expect(await search('!assigned:me')).toEqual(except('A'));
      expect(await search('assigned:nobody@acme.test')).toEqual([]);
    });

    it('level:, release:, environment:', async () => {
      expect(await search('level:warning')).toEqual(['B']);
      expect(await search('level:fatal')).toEqual(['C']);
      expect(await search('level:info')).toEqual(['D']);
      expect(await search('level:[warning,fatal]')).toEqual(['B', 'C']);
      expect(await search('!level:error')).toEqual(['B', 'C', 'D']);
      expect(await search('release:web@1.1.0')).toEqual(['B', 'C']);
      expect(await search('release:web@1.0.0')).toEqual(['A', 'E']);
      expect(await search('release:web@*')).toEqual(['A', 'B', 'C', 'E']);
      expect(await search('release:api@2.0.0')).toEqual(['G']);
      expect(await search('environment:staging')).toEqual(['B']);
      expect(await search('environment:production')).toEqual(except('B'));
      expect(await search('!environment:production')).toEqual(['B']);
    });

    it('firstSeen:/lastSeen: relative and absolute, times_seen: comparisons', async () => {
      const recent = ['B', 'D', 'F1', 'F2', 'F3', 'G', 'R'];
      expect(await search('firstSeen:-24h')).toEqual(recent);
      expect(await search('firstSeen:+24h')).toEqual(except(...recent));
      expect(await search('lastSeen:-24h')).toEqual(['A', ...recent].sort());
      expect(await search('lastSeen:+24h')).toEqual(['C', 'E', 'F4', 'F5', 'F6']);
      expect(await search('age:-24h')).toEqual(recent);
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
      expect(await search(`firstSeen:<${iso(NOW - 7 * DAY)}`)).toEqual(['A', 'E']);
      expect(await search(`firstSeen:>=${iso(NOW - 7 * DAY)}`)).toEqual(except('A', 'E'));
      expect(await search(`lastSeen:<${iso(NOW - 3 * DAY)}Z`)).toEqual(['C', 'E']);
      expect(await search(`lastSeen:>${new Date(NOW - 3 * DAY).toISOString()}`)).toEqual(except('C', 'E'));
      expect(await search('times_seen:>3')).toEqual(['A', 'E']);
      expect(await search('times_seen:>=3')).toEqual(['A', 'C', 'E']);
      expect(await search('times_seen:2')).toEqual(['B', 'G', 'R']);
      expect(await search('times_seen:<2')).toEqual(except('A', 'B', 'C', 'E', 'G', 'R'));
      expect(await search('timesSeen:<=1')).toEqual(await search('times_seen:<2'));
    });

    it('tags: key:value, !key:value, has:, wildcards and lists', async () => {
      expect(await search('browser:Chrome')).toEqual(['A', 'E']);
      expect(await search('!browser:Chrome')).toEqual(except('A', 'E'));
      expect(await search('region:us')).toEqual(['C']);
      expect(await search('region:[eu,ap]')).toEqual(['A', 'E']);
      expect(await search('browser:Fire*')).toEqual(['B']);
      expect(await search('has:browser')).toEqual(['A', 'B', 'E']);
      expect(await search('!has:region')).toEqual(except('A', 'C', 'E'));
      expect(await search('has:user')).toEqual(['A', 'B', 'C', 'G']);
      expect(await search('user:id:u1')).toEqual(['A', 'B']);
      expect(await search('tags[region]:eu')).toEqual(['A']);
      expect(await search('browser:Chrome region:ap')).toEqual(['E']);
      expect(await search('browser:Safari')).toEqual([]);
    });

    it('free text, quoted or not, combined with terms', async () => {
      expect(await search('"checkout failed"')).toEqual(['A']);
      expect(await search('checkout')).toEqual(['A']);
      expect(await search('CHECKOUT')).toEqual(['A']);
      expect(await search('"Cache warmed in \\"eu\\" region"')).toEqual(['D']);
      expect(await search('"Login slow"')).toEqual(['B']);
      expect(await search('is:unresolved "filler number"')).toEqual(
        except('A', 'B', 'C', 'D', 'E', 'G', 'R'),
      );
      expect(await search('is:ignored "filler number"')).toEqual([]);
      expect(await search('"no such words"')).toEqual([]);
      expect(await search('TypeError: checkout')).toEqual(['A']);
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
        const body: Json[] = await get(
          `/organizations/acme/issues/?${qs({ query: '', sort, limit: '100' })}`,
        );
        expect(body.map((i) => labelOf.get(i.id)).sort(), sort).toEqual(LABELS);
        for (let n = 1; n < body.length; n++)
          expect(key(body[n - 1] as Json), `${sort} at ${n}`).toBeGreaterThanOrEqual(key(body[n] as Json));
        expect(labelOf.get((body[0] as Json).id), sort).toBe(first[sort]);
      }
      const byCount: Json[] = await get('/organizations/acme/issues/?query=&sort=freq&limit=3');
      expect(byCount.map((i) => [labelOf.get(i.id), i.count])).toEqual([
        ['A', '5'],
        ['E', '4'],
        ['C', '3'],
      ]);
      const byUsers: Json[] = await get('/organizations/acme/issues/?query=&sort=user&limit=2');
      expect(byUsers.map((i) => [labelOf.get(i.id), i.userCount])).toEqual([
        ['A', 3],
        ['C', 2],
      ]);
      // Sentry's other orders are accepted (and fall back to last seen here).
      for (const sort of ['trends', 'inbox', 'recommended'])
        expect(await labels({ query: '', sort }), sort).toEqual(LABELS);
    });

    it('statsPeriod, start/end and environment narrow the list to issues seen then and there', async () => {
      expect(await labels({ query: '', statsPeriod: '24h' })).toEqual([
        'A',
        'B',
        'D',
        'F1',
        'F2',
        'F3',
        'G',
        'R',
      ]);
      expect(await labels({ query: '', statsPeriod: '90m' })).toEqual(['A', 'D', 'G', 'R']);
      expect(await labels({ query: '', statsPeriod: '30d' })).toEqual(LABELS);
      const iso = (ms: number) => new Date(ms).toISOString();
      // Issues whose life overlaps the window: A spans it, C lies inside it.
      expect(await labels({ query: '', start: iso(NOW - 6 * DAY), end: iso(NOW - 3 * DAY) })).toEqual([
        'A',
        'C',
      ]);
      // A was first seen ten days ago, after this window; E lived inside it.
      expect(await labels({ query: '', start: iso(NOW - 30 * DAY), end: iso(NOW - 14 * DAY) })).toEqual([
        'E',
      ]);
      expect(await labels({ query: '', start: iso(NOW - 30 * DAY), end: iso(NOW - 10 * DAY) })).toEqual([
        'A',
        'E',
      ]);
      expect(await labels({ query: '', environment: 'staging' })).toEqual(['B']);
      expect(await labels({ query: '', environment: ['staging', 'production'] })).toEqual(LABELS);
      expect(await labels({ query: '', environment: 'production', statsPeriod: '24h' })).toEqual([
        'A',
        'D',
        'F1',
        'F2',
        'F3',
        'G',
        'R',
      ]);
      expect(await labels({ query: 'is:unresolved', environment: 'nowhere' })).toEqual([]);
      // groupStatsPeriod asks for the graph: 24 hourly or 14 daily [seconds, count] points.
      const [a24] = (await get(
        `/organizations/acme/issues/?${qs({ query: 'checkout', groupStatsPeriod: '24h' })}`,
      )) as Json[];
      expect(a24?.stats['24h']).toHaveLength(24);
      expect(a24?.stats['24h'].reduce((n: number, [, c]: [number, number]) => n + c, 0)).toBe(2);
      const [a14] = (await get(
        `/organizations/acme/issues/?${qs({ query: 'checkout', groupStatsPeriod: '14d' })}`,
      )) as Json[];
      expect(a14?.stats['14d']).toHaveLength(14);
      expect(a14?.stats['14d'].reduce((n: number, [, c]: [number, number]) => n + c, 0)).toBe(5);
    });

    it('project ids (and slugs, and -1) choose the projects of an organization list', async () => {
      expect(await labels({ query: '', project: String(api.id) })).toEqual(['G']);
      expect(await labels({ query: '', project: String(web.id) })).toEqual(WEB);
      expect(await labels({ query: '', project: [String(web.id), String(api.id)] })).toEqual(LABELS);
      expect(await labels({ query: '', project: '-1' })).toEqual(LABELS);
      expect(await labels({ query: '', project: 'api' })).toEqual(['G']);
      const other = await send('GET', `/organizations/acme/issues/?query=&project=999999`);
      expect(other.statusCode).toBe(403);
      // The project's own list says the same.
      const projectList: Json[] = await get('/projects/acme/api/issues/?query=');
      expect(projectList.map((i) => labelOf.get(i.id))).toEqual(['G']);
      const webList: Json[] = await get('/projects/acme/web/issues/?query=is:resolved');
      expect(webList.map((i) => labelOf.get(i.id))).toEqual(['C']);
    });

    it('X-Hits counts every match', async () => {
      const res = await send('GET', '/organizations/acme/issues/?query=&limit=2');
      expect(res.headers['x-hits']).toBe(String(LABELS.length));
      expect(res.headers['x-max-hits']).toBe('1000');
      const some = await send('GET', '/organizations/acme/issues/?query=browser:Chrome&limit=1');
      expect(some.headers['x-hits']).toBe('2');
    });
  });

  describe('pagination', () => {
    /** Follows `rel="next"` from the first page until `results="false"`, returning every page's ids. */
    async function walk(firstPath: string) {
      const pages: string[][] = [];
      let path = firstPath;
      for (let guard = 0; guard < 50; guard++) {
        const res = await send('GET', path);
        expect(res.statusCode, res.body).toBe(200);
        pages.push((res.json() as Json[]).map((i) => i.id));
        if (guard === 0) expect(link(res, 'previous').results).toBe(false);
        const next = link(res, 'next');
        if (!next.results) return { pages, last: res };
        expect(next.path).toContain(`cursor=${next.cursor}`);
        path = next.path;
      }
      throw new Error('pagination did not end');
    }

    it('every sort, followed by Link rel="next" with a small limit, lists each issue exactly once', async () => {
      for (const sort of ['date', 'new', 'freq', 'user']) {
        for (const size of ['limit=3', 'per_page=2']) {
          const { pages } = await walk(`/api/0/organizations/acme/issues/?query=&sort=${sort}&${size}`);
          const seen = pages.flat();
          expect(new Set(seen).size, `${sort} ${size}: ${seen}`).toBe(seen.length);
          expect(seen.map((id) => labelOf.get(id)).sort(), `${sort} ${size}`).toEqual(LABELS);
          expect(pages.slice(0, -1).every((p) => p.length === Number(size.split('=')[1]))).toBe(true);
          // One request for the whole list gives the same order.
          const whole: Json[] = await get(`/organizations/acme/issues/?query=&sort=${sort}&limit=100`);
          expect(seen, sort).toEqual(whole.map((i) => i.id));
        }
      }
    });

    it('a filtered list pages the same way, and previous links lead back', async () => {
      const { pages, last } = await walk(
        '/api/0/organizations/acme/issues/?query=is:unresolved&sort=freq&limit=4',
      );
      expect(
        pages
          .flat()
          .map((id) => labelOf.get(id))
          .sort(),
      ).toEqual(except('C', 'E'));
      const back = link(last, 'previous');
      expect(back.results).toBe(true);
      const previous = await send('GET', back.path);
      expect((previous.json() as Json[]).map((i) => i.id)).toEqual(pages.at(-2));
      // The query string is kept in the links.
      expect(back.path).toContain('query=is%3Aunresolved');
      expect(back.path).toContain('sort=freq');
    });

    it('event and tag-value lists page with cursors too', async () => {
      const seen: string[] = [];
      let path = `/api/0/organizations/acme/issues/${ids.A}/events/?per_page=2`;
      for (let guard = 0; guard < 10; guard++) {
        const res = await send('GET', path);
        seen.push(...(res.json() as Json[]).map((e) => e.eventID));
        const next = link(res, 'next');
        if (!next.results) break;
        path = next.path;
      }
      expect(seen.sort()).toEqual([...(eventIds.A as string[])].sort());
      const first = await send('GET', `/api/0/issues/${ids.A}/tags/user/values/?per_page=1`);
      expect(first.json()).toHaveLength(1);
      expect(link(first, 'next').results).toBe(true);
    });
  });

  describe('bad input', () => {
    async function bad(params: string, detail: string | RegExp) {
      const res = await send('GET', `/organizations/acme/issues/?${params}`);
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
      const project = await send('GET', `/projects/acme/web/issues/?query=${encodeURIComponent('is:later')}`);
      expect(project.statusCode).toBe(400);
      expect((project.json() as Json).detail).toMatch(/^Error parsing search query: /);
      const bulk = await send('PUT', `/organizations/acme/issues/?query=${encodeURIComponent('is:later')}`, {
        status: 'resolved',
      });
      expect(bulk.statusCode).toBe(400);
    });

    it('a well-formed cursor from another list is only a position: no error, no duplicates', async () => {
      // Sentry's cursors are opaque `value:offset:is_prev` strings; one taken from an offset-paged list
      // (events) is well formed, so it selects a position rather than failing.
      const events = await send('GET', `/api/0/organizations/acme/issues/${ids.A}/events/?per_page=1`);
      const foreign = link(events, 'next').cursor;
      const res = await send('GET', `/organizations/acme/issues/?query=&limit=100&cursor=${foreign}`);
      expect(res.statusCode).toBe(200);
      const listed = (res.json() as Json[]).map((i) => i.id);
      expect(new Set(listed).size).toBe(listed.length);
    });
  });

  describe('issue detail, short ids and top-level paths', () => {
    it('reads one issue by id under the organization, at the top level, and by short id', async () => {
      const byOrg = await get(`/organizations/acme/issues/${ids.A}/`);
      const top = await get(`/issues/${ids.A}/`);
      expect(top).toEqual(byOrg);
      expect(byOrg).toMatchObject({
        id: ids.A,
        title: 'TypeError: checkout failed for cart',
        level: 'error',
        status: 'unresolved',
        count: '5',
        userCount: 3,
        firstRelease: { version: 'web@1.0.0' },
        lastRelease: { version: 'web@1.0.0' },
        project: { id: String(web.id), slug: 'web', name: 'web' },
        assignedTo: { type: 'user', id: String(owner.id), email: 'owner@acme.test' },
      });
      expect(byOrg.firstSeen).toBe(new Date(NOW - 10 * DAY).toISOString());
      expect(byOrg.lastSeen).toBe(new Date(NOW - HOUR).toISOString());
      expect(byOrg.lastSeen).toMatch(ISO);
      const short = byOrg.shortId as string;
      expect(short).toMatch(/^WEB-[0-9A-Z]+$/);
      expect((await get(`/organizations/acme/issues/${short}/`)).id).toBe(ids.A);
      expect((await get(`/organizations/acme/issues/${short.toLowerCase()}/`)).id).toBe(ids.A);
      // Short ids count the project's issues in the order they were made: E (20 days ago), then A.
      expect(short).toBe('WEB-2');
      expect((await get('/organizations/acme/issues/WEB-1/')).id).toBe(ids.E);
      expect((await get('/organizations/acme/issues/WEB-2/')).id).toBe(ids.A);
      expect((await get(`/organizations/acme/issues/${(await get(`/issues/${ids.G}/`)).shortId}/`)).id).toBe(
        ids.G,
      );
      for (const missing of [
        '/organizations/acme/issues/WEB-ZZZ/',
        '/organizations/acme/issues/API-1X/',
        '/issues/999999/',
      ])
        expect((await send('GET', missing)).statusCode, missing).toBe(404);
      // An issue of acme is not found under another organization.
      expect((await send('GET', `/organizations/lab/issues/${ids.A}/`)).statusCode).toBe(404);
      expect((await send('GET', `/organizations/lab/issues/WEB-1/`)).statusCode).toBe(404);
    });

    it('the detail carries tag totals, releases and the user report count', async () => {
      const detail = await get(`/issues/${ids.A}/`);
      const tags = Object.fromEntries((detail.tags as Json[]).map((t) => [t.key, t.totalValues]));
      expect(tags).toMatchObject({ browser: 5, region: 5, environment: 5, release: 5, level: 5, user: 4 });
      expect(detail.userReportCount).toBe(0);
      const b = await get(`/issues/${ids.B}/`);
      expect(b.firstRelease).toEqual({ version: 'web@1.1.0' });
      expect(b.assignedTo).toEqual({ type: 'team', id: String(backend.id), name: 'backend' });
      expect((await get(`/issues/${ids.D}/`)).firstRelease).toBeNull();
    });
  });

  describe('events of an issue', () => {
    it('lists events newest first, with entries when full=true', async () => {
      const summary: Json[] = await get(`/organizations/acme/issues/${ids.A}/events/`);
      expect(summary.map((e) => e.eventID)).toEqual([...(eventIds.A as string[])].reverse());
      expect(summary[0]).not.toHaveProperty('entries');
      expect(summary[0]).toMatchObject({ groupID: ids.A, projectID: String(web.id), 'event.type': 'error' });
      const full: Json[] = await get(`/issues/${ids.A}/events/?full=true`);
      expect(full.map((e) => e.eventID)).toEqual(summary.map((e) => e.eventID));
      for (const e of full) {
        expect(e.entries.map((x: Json) => x.type)).toContain('exception');
        expect(e.release).toEqual({ version: 'web@1.0.0' });
        expect(e.environment).toBe('production');
      }
      expect(full[0]?.tags).toContainEqual({ key: 'browser', value: 'Chrome' });
      expect(full.map((e) => e.dateCreated)).toEqual(
        [10 * DAY, 6 * DAY, 2 * DAY, 5 * HOUR, HOUR]
          .map((ago) => new Date(NOW - ago).toISOString())
          .reverse(),
      );
      expect(full[1]?.user).toMatchObject({ id: 'u1' });
      expect(full[0]?.user).toBeNull();
    });

    it('latest, oldest and recommended, and older/newer navigation', async () => {
      const events = eventIds.A as string[];
      const latest = await get(`/organizations/acme/issues/${ids.A}/events/latest/`);
      const oldest = await get(`/issues/${ids.A}/events/oldest/`);
      const recommended = await get(`/issues/${ids.A}/events/recommended/`);
      expect(latest.eventID).toBe(events.at(-1));
      expect(oldest.eventID).toBe(events[0]);
      expect(events).toContain(recommended.eventID);
      expect(latest.nextEventID).toBeNull();
      expect(oldest.previousEventID).toBeNull();
      const walked = [oldest.eventID];
      let current = oldest;
      while (current.nextEventID) {
        current = await get(`/organizations/acme/issues/${ids.A}/events/${current.nextEventID}/`);
        expect(current.previousEventID).toBe(walked.at(-1));
        walked.push(current.eventID);
      }
      expect(walked).toEqual(events);
      // A dashed event id is the same event; one of another issue is not found under this one.
      const dashed = (events[2] as string).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      expect((await get(`/issues/${ids.A}/events/${dashed}/`)).eventID).toBe(events[2]);
      expect((await send('GET', `/issues/${ids.A}/events/${eventIds.B?.[0]}/`)).statusCode).toBe(404);
      expect((await send('GET', `/issues/${ids.A}/events/not-an-id/`)).statusCode).toBe(404);
    });

    it('project events list and detail, and event id resolution', async () => {
      const all: string[] = [];
      let path = '/api/0/projects/acme/web/events/?per_page=10';
      for (let guard = 0; guard < 10; guard++) {
        const res = await send('GET', path);
        expect(res.statusCode).toBe(200);
        all.push(...(res.json() as Json[]).map((e) => e.eventID));
        const next = link(res, 'next');
        if (!next.results) break;
        path = next.path;
      }
      const webEvents = WEB.flatMap((l) => eventIds[l] as string[]);
      expect(all.sort()).toEqual(webEvents.sort());
      const some = eventIds.C?.[1] as string;
      const detail = await get(`/projects/acme/web/events/${some}/`);
      expect(detail).toMatchObject({
        eventID: some,
        groupID: ids.C,
        projectID: String(web.id),
        title: 'PaymentError: card declined',
      });
      expect(detail.previousEventID).toBe(eventIds.C?.[0]);
      expect(detail.nextEventID).toBe(eventIds.C?.[2]);
      expect((await send('GET', `/projects/acme/api/events/${some}/`)).statusCode).toBe(404);
      const resolved = await get(`/organizations/acme/eventids/${some}/`);
      expect(resolved).toMatchObject({
        organizationSlug: 'acme',
        projectSlug: 'web',
        groupId: ids.C,
        eventId: some,
      });
      expect(resolved.event.eventID).toBe(some);
      const g = await get(`/organizations/acme/eventids/${eventIds.G?.[0]}/`);
      expect(g).toMatchObject({ projectSlug: 'api', groupId: ids.G });
      expect((await send('GET', `/organizations/acme/eventids/${'0'.repeat(32)}/`)).statusCode).toBe(404);
      expect((await send('GET', `/organizations/lab/eventids/${some}/`)).statusCode).toBe(404);
    });
  });

  describe('tags and hashes', () => {
    it('lists tag keys with their distribution, one key, and its values with counts', async () => {
      const tags: Json[] = await get(`/organizations/acme/issues/${ids.A}/tags/`);
      const byKey = Object.fromEntries(tags.map((t) => [t.key, t]));
      expect(Object.keys(byKey).sort()).toEqual([
        'browser',
        'environment',
        'level',
        'region',
        'release',
        'user',
      ]);
      expect(byKey.user).toMatchObject({ key: 'user', name: 'user', totalValues: 4, uniqueValues: 3 });
      expect(byKey.user.topValues.map((v: Json) => [v.value, v.count])).toEqual([
        ['id:u1', 2],
        ['id:u2', 1],
        ['id:u3', 1],
      ]);
      expect(byKey.browser.topValues).toEqual([
        {
          key: 'browser',
          name: 'Chrome',
          value: 'Chrome',
          count: 5,
          firstSeen: new Date(NOW - 10 * DAY).toISOString(),
          lastSeen: new Date(NOW - HOUR).toISOString(),
          query: 'browser:"Chrome"',
        },
      ]);
      const one = await get(`/issues/${ids.A}/tags/user/`);
      expect(one).toEqual(byKey.user);
      const values: Json[] = await get(`/issues/${ids.A}/tags/user/values/`);
      expect(values.map((v) => [v.value, v.count])).toEqual([
        ['id:u1', 2],
        ['id:u2', 1],
        ['id:u3', 1],
      ]);
      expect(values[0]?.lastSeen).toBe(new Date(NOW - 5 * HOUR).toISOString());
      const c: Json[] = await get(`/issues/${ids.C}/tags/user/values/`);
      expect(c.map((v) => [v.value, v.count])).toEqual([
        ['id:u4', 2],
        ['id:u5', 1],
      ]);
      expect((await send('GET', `/issues/${ids.A}/tags/nope/`)).statusCode).toBe(404);
      expect(await get(`/issues/${ids.A}/tags/nope/values/`)).toEqual([]);
    });

    it('lists the hashes of an issue with its latest event', async () => {
      const hashes: Json[] = await get(`/organizations/acme/issues/${ids.A}/hashes/`);
      expect(hashes.length).toBeGreaterThan(0);
      for (const hash of hashes) {
        expect(hash.id).toMatch(/^[0-9a-f]{32}$/);
        expect(hash.latestEvent.eventID).toBe(eventIds.A?.at(-1));
      }
      const latest = await get(`/issues/${ids.A}/events/latest/`);
      expect(hashes.map((x) => x.id)).toEqual(expect.arrayContaining(latest.fingerprints));
    });
  });

  describe('changes', () => {
    /** A fresh project in "lab" with one issue per fingerprint, each sent `count` times. */
    async function labProject<K extends string>(
      fingerprints: Record<K, { count?: number; level?: string; users?: string[] }>,
    ) {
      const slug = `p${++seq}`;
      const { project, key } = await makeProject(h.ctx, lab, labTeam, slug);
      const sent: Record<string, string[]> = {};
      const sendTo = async (fp: string, user?: string, level = 'error') => {
        const eventId = randomUUID().replace(/-/g, '');
        sent[fp] = [...(sent[fp] ?? []), eventId];
        await ingest(
          project.id,
          key,
          [
            {
              event_id: eventId,
              timestamp: clock / 1000 - 1,
              level,
              fingerprint: [fp],
              environment: 'production',
              tags: { fp },
              ...(user ? { user: { id: user } } : {}),
              exception: { values: [{ type: 'LabError', value: `${slug} ${fp}` }] },
            },
          ],
          'envelope',
        );
      };
      for (const fp of Object.keys(fingerprints) as K[]) {
        const spec = fingerprints[fp];
        for (let n = 0; n < (spec.count ?? 1); n++) await sendTo(fp, spec.users?.[n], spec.level);
      }
      const listed: Json[] = await get(`/projects/lab/${slug}/issues/?query=`);
      const issue = Object.fromEntries(
        Object.keys(fingerprints).map((fp) => [
          fp,
          listed.find((i) => i.title === `LabError: ${slug} ${fp}`)?.id as string,
        ]),
      ) as Record<K, string>;
      return { project, slug, issue, sent, send: sendTo };
    }

    const detail = (id: string, token?: string) => get(`/organizations/lab/issues/${id}/`, token);

    it('resolves, unresolves and ignores one issue, and a timed ignore ends after its minutes', async () => {
      const p = await labProject({ a: {} });
      const id = p.issue.a;
      let body = await ok(200, 'PUT', `/organizations/lab/issues/${id}/`, { status: 'resolved' });
      expect(body).toMatchObject({ id, status: 'resolved', statusDetails: {} });
      expect((await detail(id)).status).toBe('resolved');
      body = await ok(200, 'PUT', `/issues/${id}/`, { status: 'unresolved' });
      expect(body).toMatchObject({ status: 'unresolved', substatus: 'ongoing' });
      body = await ok(200, 'PUT', `/organizations/lab/issues/${id}/`, {
        status: 'ignored',
        statusDetails: { ignoreDuration: 30 },
      });
      expect(body).toMatchObject({
        status: 'ignored',
        substatus: 'archived_until_condition_met',
        statusDetails: { ignoreUntil: new Date(clock + 30 * MIN).toISOString() },
      });
      // Top-level ignoreDuration works the same.
      body = await ok(200, 'PUT', `/organizations/lab/issues/${id}/`, {
        status: 'ignored',
        ignoreDuration: 30,
      });
      expect(body.statusDetails).toEqual({ ignoreUntil: new Date(clock + 30 * MIN).toISOString() });
      await p.send('a');
      expect((await detail(id)).status).toBe('ignored');
      const before = clock;
      clock += 31 * MIN;
      try {
        await p.send('a');
        const woke = await detail(id);
        expect([woke.status, woke.statusDetails]).toEqual(['unresolved', {}]);
        expect(woke.count).toBe('3');
      } finally {
        clock = before;
      }
      // 'muted' is Sentry's older name for ignored; for ever when no condition is given.
      body = await ok(200, 'PUT', `/issues/${id}/`, { status: 'muted' });
      expect(body).toMatchObject({ status: 'ignored', substatus: 'archived_forever', statusDetails: {} });
      await p.send('a');
      expect((await detail(id)).status).toBe('ignored');
    });

    it('an issue ignored until N more events wakes on the N-th, through ingest', async () => {
      const p = await labProject({ a: { count: 2 } });
      const id = p.issue.a;
      const body = await ok(200, 'PUT', `/organizations/lab/issues/${id}/`, {
        status: 'ignored',
        statusDetails: { ignoreCount: 3 },
      });
      expect(body).toMatchObject({ status: 'ignored', statusDetails: { ignoreCount: 3 } });
      await p.send('a');
      await p.send('a');
      let now = await detail(id);
      expect([now.status, now.count, now.statusDetails]).toEqual(['ignored', '4', { ignoreCount: 3 }]);
      await p.send('a');
      now = await detail(id);
      expect([now.status, now.substatus, now.count]).toEqual(['unresolved', 'escalating', '5']);
      expect(
        (await get(`/projects/lab/${p.slug}/issues/?query=is:unresolved`)).map((i: Json) => i.id),
      ).toEqual([id]);
    });

    it('an issue ignored until N more users wakes on the N-th new user, not on repeat users', async () => {
      const p = await labProject({ a: { count: 1, users: ['x1'] } });
      const id = p.issue.a;
      const body = await ok(200, 'PUT', `/issues/${id}/`, {
        status: 'ignored',
        statusDetails: { ignoreUserCount: 2 },
      });
      expect(body.statusDetails).toEqual({ ignoreUserCount: 2 });
      await p.send('a', 'x1');
      await p.send('a', 'x2');
      await p.send('a');
      await p.send('a', 'x2');
      expect((await detail(id)).status).toBe('ignored');
      await p.send('a', 'x3');
      const now = await detail(id);
      expect([now.status, now.userCount]).toEqual(['unresolved', 3]);
    });

    it('assigns to a member (by id or email) and to a team, and clears', async () => {
      const p = await labProject({ a: {} });
      const id = p.issue.a;
      const put = (assignedTo: string | null) =>
        ok(200, 'PUT', `/organizations/lab/issues/${id}/`, { assignedTo });
      expect((await put(`user:${owner.id}`)).assignedTo).toEqual({
        type: 'user',
        id: String(owner.id),
        name: owner.name,
        email: 'owner@acme.test',
      });
      expect((await get(`/projects/lab/${p.slug}/issues/?query=assigned:me`)).map((i: Json) => i.id)).toEqual(
        [id],
      );
      expect((await put('owner@acme.test')).assignedTo.id).toBe(String(owner.id));
      expect((await put(`team:${labTeam.id}`)).assignedTo).toEqual({
        type: 'team',
        id: String(labTeam.id),
        name: labTeam.slug,
      });
      expect(
        (
          await get(
            `/projects/lab/${p.slug}/issues/?query=${encodeURIComponent(`assigned:#${labTeam.slug}`)}`,
          )
        ).map((i: Json) => i.id),
      ).toEqual([id]);
      expect((await put('')).assignedTo).toBeNull();
      expect(await get(`/projects/lab/${p.slug}/issues/?query=is:assigned`)).toEqual([]);
      await put(`team:${labTeam.slug}`);
      expect((await put(null)).assignedTo).toBeNull();
      // Mira is no member of lab; acme's team is not lab's.
      const notMember = await send('PUT', `/organizations/lab/issues/${id}/`, {
        assignedTo: `user:${mira.id}`,
      });
      expect(notMember.statusCode).toBe(400);
      expect((notMember.json() as Json).assignedTo).toEqual(['Cannot assign to non-team member']);
      const otherTeam = await send('PUT', `/issues/${id}/`, { assignedTo: `team:${backend.id}` });
      expect(otherTeam.statusCode).toBe(400);
      expect((await detail(id)).assignedTo).toBeNull();
    });

    it('hasSeen and isBookmarked belong to each user', async () => {
      const put = (label: string, body: Json, token?: string) =>
        ok(200, 'PUT', `/organizations/acme/issues/${ids[label]}/`, body, token);
      const d = await put('D', { hasSeen: true, isBookmarked: true });
      expect([d.hasSeen, d.isBookmarked]).toEqual([true, true]);
      const asMira = await get(`/issues/${ids.D}/`, miraToken);
      expect([asMira.hasSeen, asMira.isBookmarked]).toEqual([false, false]);
      expect(await search('bookmarks:me')).toEqual(['D']);
      expect(await search('bookmarks:me', miraToken)).toEqual([]);
      await put('F6', { isBookmarked: true }, miraToken);
      expect(await search('bookmarks:me', miraToken)).toEqual(['F6']);
      expect(await search('bookmarks:me')).toEqual(['D']);
      const listed: Json[] = await get('/organizations/acme/issues/?query=level:info');
      expect([listed[0]?.hasSeen, listed[0]?.isBookmarked]).toEqual([true, true]);
      const listedForMira: Json[] = await get('/organizations/acme/issues/?query=level:info', miraToken);
      expect([listedForMira[0]?.hasSeen, listedForMira[0]?.isBookmarked]).toEqual([false, false]);
      const undone = await put('D', { hasSeen: false, isBookmarked: false });
      expect([undone.hasSeen, undone.isBookmarked]).toEqual([false, false]);
      await put('F6', { isBookmarked: false }, miraToken);
      expect(await search('bookmarks:me')).toEqual([]);
      expect(await search('bookmarks:me', miraToken)).toEqual([]);
    });

    it('bulk PUT by ids and by query, on organization and project lists', async () => {
      const p = await labProject({ a: {}, b: { level: 'warning' }, c: { level: 'warning' }, d: {} });
      const { a, b, c, d } = p.issue;
      const byIds = await ok(200, 'PUT', `/organizations/lab/issues/?id=${a}&id=${d}`, { status: 'ignored' });
      expect(byIds).toMatchObject({ status: 'ignored', substatus: 'archived_forever', statusDetails: {} });
      expect((await detail(a)).status).toBe('ignored');
      expect((await detail(d)).status).toBe('ignored');
      expect((await detail(b)).status).toBe('unresolved');
      const byQuery = await ok(
        200,
        'PUT',
        `/organizations/lab/issues/?${qs({ query: 'level:warning', project: String(p.project.id) })}`,
        { status: 'resolved' },
      );
      expect(byQuery.status).toBe('resolved');
      expect([(await detail(b)).status, (await detail(c)).status]).toEqual(['resolved', 'resolved']);
      expect([(await detail(a)).status, (await detail(d)).status]).toEqual(['ignored', 'ignored']);
      // The project list takes ?id= and sentry-cli's ?status=.
      await ok(200, 'PUT', `/projects/lab/${p.slug}/issues/?id=${a}`, { status: 'unresolved' });
      expect((await detail(a)).status).toBe('unresolved');
      await ok(200, 'PUT', `/projects/lab/${p.slug}/issues/?status=resolved`, { status: 'unresolved' });
      expect([(await detail(b)).status, (await detail(c)).status]).toEqual(['unresolved', 'unresolved']);
      expect((await detail(d)).status).toBe('ignored');
      await ok(200, 'PUT', `/organizations/lab/issues/?id=${a}&id=${b}`, {
        assignedTo: `user:${owner.id}`,
        isBookmarked: true,
      });
      expect((await detail(b)).assignedTo.id).toBe(String(owner.id));
      expect((await detail(a)).isBookmarked).toBe(true);
      // Nothing matches: 204, nothing changes; acme's issues are not lab's.
      const none = await send(
        'PUT',
        `/organizations/lab/issues/?query=${encodeURIComponent('level:fatal')}`,
        { status: 'resolved' },
      );
      expect(none.statusCode).toBe(204);
      const foreign = await send('PUT', `/organizations/lab/issues/?id=${ids.A}`, { status: 'resolved' });
      expect(foreign.statusCode).toBe(204);
      expect((await get(`/issues/${ids.A}/`)).status).toBe('unresolved');
    });

    it('bulk DELETE by ids and by query', async () => {
      const p = await labProject({ a: {}, b: {}, c: { level: 'warning' }, d: {} });
      const { a, b, c, d } = p.issue;
      const res = await send('DELETE', `/organizations/lab/issues/?id=${a}&id=${b}`);
      expect(res.statusCode).toBe(204);
      for (const gone of [a, b]) expect((await send('GET', `/issues/${gone}/`)).statusCode).toBe(404);
      expect((await detail(c)).id).toBe(c);
      const byQuery = await send('DELETE', `/projects/lab/${p.slug}/issues/?query=level:warning`);
      expect(byQuery.statusCode).toBe(204);
      expect((await send('GET', `/issues/${c}/`)).statusCode).toBe(404);
      expect((await get(`/projects/lab/${p.slug}/issues/?query=`)).map((i: Json) => i.id)).toEqual([d]);
      // A deleted issue's events go with it; its fingerprint makes a new issue.
      expect((await send('GET', `/projects/lab/${p.slug}/events/${p.sent.a?.[0]}/`)).statusCode).toBe(404);
      await p.send('a');
      const again: Json[] = await get(`/projects/lab/${p.slug}/issues/?query=`);
      expect(again).toHaveLength(2);
      expect(again.map((i) => i.id)).not.toContain(a);
    });

    it('merges several issues: events, counts, users and tags move to the parent', async () => {
      const p = await labProject({
        big: { count: 3, users: ['m1', 'm2', 'm1'] },
        mid: { count: 2, users: ['m2', 'm3'] },
        small: { count: 1, users: ['m4'] },
        other: {},
      });
      const { big, mid, small, other } = p.issue;
      const merged = await ok(200, 'PUT', `/organizations/lab/issues/?id=${big}&id=${mid}&id=${small}`, {
        merge: 1,
      });
      expect(merged.merge.parent).toBe(big);
      expect([...merged.merge.children].sort()).toEqual([mid, small].sort());
      for (const child of [mid, small]) {
        expect((await send('GET', `/issues/${child}/`)).statusCode).toBe(404);
        expect((await send('GET', `/organizations/lab/issues/${child}/events/`)).statusCode).toBe(404);
      }
      const parent = await detail(big);
      expect([parent.count, parent.userCount]).toEqual(['6', 4]);
      const events: Json[] = await get(`/issues/${big}/events/`);
      expect(events.map((e) => e.eventID).sort()).toEqual(
        [...(p.sent.big as string[]), ...(p.sent.mid as string[]), ...(p.sent.small as string[])].sort(),
      );
      for (const e of events) expect(e.groupID).toBe(big);
      const fpValues: Json[] = await get(`/issues/${big}/tags/fp/values/`);
      expect(fpValues.map((v) => [v.value, v.count])).toEqual([
        ['big', 3],
        ['mid', 2],
        ['small', 1],
      ]);
      const users: Json[] = await get(`/issues/${big}/tags/user/values/`);
      expect(users.map((v) => v.value).sort()).toEqual(['id:m1', 'id:m2', 'id:m3', 'id:m4']);
      expect((await get(`/issues/${big}/hashes/`)).length).toBeGreaterThanOrEqual(3);
      // The event id resolves to the parent now.
      expect((await get(`/organizations/lab/eventids/${p.sent.small?.[0]}/`)).groupId).toBe(big);
      // A new event with a child's fingerprint lands in the parent.
      await p.send('small', 'm5');
      const after = await detail(big);
      expect([after.count, after.userCount]).toEqual(['7', 5]);
      const listed: Json[] = await get(`/projects/lab/${p.slug}/issues/?query=`);
      expect(listed.map((i) => i.id).sort()).toEqual([big, other].sort());
      // Merging needs two issues of one project.
      const lonely = await send('PUT', `/organizations/lab/issues/?id=${other}`, { merge: 1 });
      expect(lonely.statusCode).toBe(400);
      const onDetail = await send('PUT', `/issues/${other}/`, { merge: 1 });
      expect(onDetail.statusCode).toBe(400);
      const q = await labProject({ z: {} });
      const across = await send('PUT', `/organizations/lab/issues/?id=${other}&id=${q.issue.z}`, {
        merge: 1,
      });
      expect(across.statusCode).toBe(400);
    });

    it('updates and deletes one issue at the top level and by short id', async () => {
      const p = await labProject({ a: {}, b: {} });
      const { a, b } = p.issue;
      const short = (await detail(a)).shortId as string;
      expect(short.startsWith(`${p.slug.toUpperCase()}-`)).toBe(true);
      const bySlug = await ok(200, 'PUT', `/organizations/lab/issues/${short}/`, {
        status: 'resolved',
        priority: 'low',
      });
      expect(bySlug).toMatchObject({ id: a, status: 'resolved', priority: 'low' });
      const top = await ok(200, 'PUT', `/issues/${a}/`, { isPublic: true });
      expect(top).toMatchObject({ status: 'resolved', isPublic: true, priority: 'low' });
      const gone = await send('DELETE', `/issues/${a}/`);
      expect(gone.statusCode).toBe(202);
      expect((await send('GET', `/issues/${a}/`)).statusCode).toBe(404);
      expect((await send('GET', `/organizations/lab/issues/${short}/`)).statusCode).toBe(404);
      const shortB = (await detail(b)).shortId as string;
      expect((await send('DELETE', `/organizations/lab/issues/${shortB}/`)).statusCode).toBe(202);
      expect((await send('GET', `/organizations/lab/issues/${b}/`)).statusCode).toBe(404);
      expect((await send('DELETE', `/issues/${b}/`)).statusCode).toBe(404);
    });
  });
});
