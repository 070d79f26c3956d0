import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { postEnvelope } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';

// Release health through the API: the test sends individual session updates (out of order, some
// twice) and server-mode aggregates, works out from what it sent what each session and user came
// to, and reads the same numbers back from the sessions endpoint and the releases' healthData.

const HOUR = 3_600_000;
type Status = 'ok' | 'exited' | 'crashed' | 'abnormal';
interface Update {
  readonly project: 'web' | 'api';
  readonly sid: string;
  readonly release: string;
  readonly environment: string;
  readonly hoursAgo: number;
  readonly seq: number;
  readonly status: Status;
  readonly errors?: number;
  readonly did?: string;
}
interface Aggregate {
  readonly project: 'web' | 'api';
  readonly release: string;
  readonly environment: string;
  readonly hoursAgo: number;
  readonly exited?: number;
  readonly errored?: number;
  readonly crashed?: number;
  readonly abnormal?: number;
  readonly did?: string;
}

const s = (project: Update['project'], sid: string, rest: Omit<Update, 'project' | 'sid'>): Update => ({
  project,
  sid: `00000000-0000-4000-8000-${sid.padStart(12, '0')}`,
  ...rest,
});
const WEB1 = { release: 'web@1.0.0', environment: 'production' };
const UPDATES: Update[] = [
  s('web', '1', { ...WEB1, hoursAgo: 3, seq: 1, status: 'ok', did: 'u1' }),
  s('web', '1', { ...WEB1, hoursAgo: 3, seq: 2, status: 'exited', did: 'u1' }),
  s('web', '2', { ...WEB1, hoursAgo: 3, seq: 3, status: 'exited', errors: 1, did: 'u2' }),
  s('web', '2', { ...WEB1, hoursAgo: 3, seq: 1, status: 'ok', did: 'u2' }),
  s('web', '2', { ...WEB1, hoursAgo: 3, seq: 2, status: 'ok', errors: 1, did: 'u2' }),
  s('web', '3', { ...WEB1, hoursAgo: 2, seq: 1, status: 'crashed', errors: 1, did: 'u2' }),
  s('web', '4', { ...WEB1, hoursAgo: 2, seq: 1, status: 'ok' }),
  s('web', '4', { ...WEB1, hoursAgo: 2, seq: 2, status: 'abnormal' }),
  s('web', '1', { ...WEB1, hoursAgo: 3, seq: 2, status: 'exited', did: 'u1' }),
  s('web', '5', { ...WEB1, hoursAgo: 1, seq: 1, status: 'ok', did: 'u1' }),
  s('api', '6', {
    release: 'api@1.0.0',
    environment: 'production',
    hoursAgo: 1,
    seq: 1,
    status: 'crashed',
    did: 'u1',
  }),
];
const AGGREGATES: Aggregate[] = [
  {
    project: 'web',
    release: 'web@2.0.0',
    environment: 'staging',
    hoursAgo: 1,
    exited: 5,
    errored: 2,
    crashed: 1,
  },
  { project: 'web', release: 'web@2.0.0', environment: 'staging', hoursAgo: 1, exited: 1, did: 'u3' },
];

type Outcome = 'healthy' | 'errored' | 'crashed' | 'abnormal';
interface Counted {
  project: string;
  release: string;
  environment: string;
  hoursAgo: number;
  outcome: Outcome;
  did?: string;
}

/** What the test sent, one entry per session: its last update by seq, errored when it ever had errors. */
function expectedSessions(): Counted[] {
  const bySid = new Map<string, Update[]>();
  for (const u of UPDATES) bySid.set(u.sid, [...(bySid.get(u.sid) ?? []), u]);
  const out: Counted[] = [];
  for (const updates of bySid.values()) {
    const last = [...updates].sort((a, b) => b.seq - a.seq)[0] as Update;
    const errors = updates.some((u) => (u.errors ?? 0) > 0);
    const outcome: Outcome =
      last.status === 'crashed' || last.status === 'abnormal' ? last.status : errors ? 'errored' : 'healthy';
    out.push({
      ...last,
      outcome,
      ...(updates.find((u) => u.did)?.did ? { did: updates.find((u) => u.did)?.did } : {}),
    });
  }
  for (const a of AGGREGATES) {
    for (const outcome of ['exited', 'errored', 'crashed', 'abnormal'] as const) {
      for (let i = 0; i < (a[outcome] ?? 0); i++) {
        out.push({
          ...a,
          outcome: outcome === 'exited' ? 'healthy' : outcome,
          ...(a.did ? { did: a.did } : {}),
        });
      }
    }
  }
  return out;
}

const RANK: Record<Outcome, number> = { healthy: 0, errored: 1, abnormal: 2, crashed: 3 };
/** Distinct users of these sessions, each at its worst outcome. */
function users(sessions: readonly Counted[]): Map<string, Outcome> {
  const worst = new Map<string, Outcome>();
  for (const c of sessions) {
    if (!c.did) continue;
    const seen = worst.get(c.did);
    if (!seen || RANK[c.outcome] > RANK[seen]) worst.set(c.did, c.outcome);
  }
  return worst;
}
const crashFree = (crashed: number, total: number) => (total === 0 ? null : 1 - crashed / total);

describe.each(TEST_ENGINES)('release health on %s', (engine) => {
  let h: Harness;
  let token: string;
  const ids: Record<string, number> = {};
  const now = Date.now();

  beforeAll(async () => {
    h = await createHarness(engine);
    const owner = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, owner, 'healthy');
    const keys: Record<string, string> = {};
    for (const slug of ['web', 'api']) {
      const made = await makeProject(h.ctx, org, team, slug);
      ids[slug] = made.project.id;
      keys[slug] = made.key.publicKey;
    }
    token = await makeToken(h.ctx, owner, ['org:read', 'project:read', 'project:write']);
    for (const slug of ['web', 'api']) {
      await get('/organizations/healthy/releases/', 'POST', {
        version: `${slug}@1.0.0`,
        projects: [slug],
      });
    }
    await get('/organizations/healthy/releases/', 'POST', { version: 'web@2.0.0', projects: ['web'] });
    const started = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString();
    for (const u of UPDATES) {
      const payload = {
        sid: u.sid,
        init: u.seq === 1,
        seq: u.seq,
        started: started(u.hoursAgo),
        timestamp: new Date(now - u.hoursAgo * HOUR + u.seq * 1000).toISOString(),
        status: u.status,
        errors: u.errors ?? 0,
        ...(u.did ? { did: u.did } : {}),
        attrs: { release: u.release, environment: u.environment },
      };
      const body = serializeEnvelope({ headers: {}, items: [{ headers: { type: 'session' }, payload }] });
      expect(
        (await postEnvelope(h, ids[u.project] as number, keys[u.project] as string, body)).statusCode,
      ).toBe(200);
    }
    for (const a of AGGREGATES) {
      const { project, release, environment, hoursAgo, ...counts } = a;
      const payload = {
        aggregates: [{ started: started(hoursAgo), ...counts }],
        attrs: { release, environment },
      };
      const body = serializeEnvelope({ headers: {}, items: [{ headers: { type: 'sessions' }, payload }] });
      expect((await postEnvelope(h, ids[project] as number, keys[project] as string, body)).statusCode).toBe(
        200,
      );
    }
    await h.worker.drain();
  });
  afterAll(() => h?.close());

  async function get(url: string, method: 'GET' | 'POST' = 'GET', payload?: object) {
    return h.request({ method, url: `/api/0${url}`, token, ...(payload ? { payload } : {}) });
  }
  const FIELDS =
    'field=sum(session)&field=count_unique(user)&field=crash_free_rate(session)&field=crash_free_rate(user)';
  const sessions = async (params: string) => {
    const res = await get(`/organizations/healthy/sessions/?${FIELDS}&${params}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('answers totals and hourly series over every project, each session once and users unique', async () => {
    const sent = expectedSessions();
    const body = await sessions('statsPeriod=24h&interval=1h');
    expect(body.intervals).toHaveLength(24);
    expect(Date.parse(body.start) % HOUR).toBe(0);
    expect(Date.parse(body.intervals[1]) - Date.parse(body.intervals[0])).toBe(HOUR);
    const userMap = users(sent);
    const crashedUsers = [...userMap.values()].filter((o) => o === 'crashed').length;
    expect(body.groups).toEqual([
      {
        by: {},
        totals: {
          'sum(session)': sent.length,
          'count_unique(user)': userMap.size,
          'crash_free_rate(session)': crashFree(
            sent.filter((c) => c.outcome === 'crashed').length,
            sent.length,
          ),
          'crash_free_rate(user)': crashFree(crashedUsers, userMap.size),
        },
        series: expect.any(Object),
      },
    ]);
    const series = body.groups[0].series;
    expect(series['sum(session)'].reduce((a: number, b: number) => a + b, 0)).toBe(sent.length);
    // A user seen in two hours counts in each hour, and once in the totals.
    const perHour = new Map<number, Counted[]>();
    for (const c of sent) perHour.set(c.hoursAgo, [...(perHour.get(c.hoursAgo) ?? []), c]);
    const slotOf = (hoursAgo: number) =>
      body.intervals.findLastIndex((t: string) => Date.parse(t) <= now - hoursAgo * HOUR);
    for (const [hoursAgo, list] of perHour) {
      expect(series['sum(session)'][slotOf(hoursAgo)]).toBe(list.length);
      expect(series['count_unique(user)'][slotOf(hoursAgo)]).toBe(users(list).size);
    }
    expect(series['crash_free_rate(session)'][0]).toBeNull();
  });

  it('groups by release and session status, and filters by project, environment and release:', async () => {
    const sent = expectedSessions();
    const body = await sessions('statsPeriod=1d&groupBy=release&groupBy=session.status&project=web');
    const web = sent.filter((c) => c.project === 'web');
    const want = ['web@1.0.0', 'web@2.0.0'].flatMap((release) =>
      (['abnormal', 'crashed', 'errored', 'healthy'] as const).map((status) => {
        const these = web.filter((c) => c.release === release && c.outcome === status);
        const all = web.filter((c) => c.release === release);
        const userCount = [...users(all).values()].filter((o) => o === status).length;
        return {
          by: { release, 'session.status': status },
          totals: {
            'sum(session)': these.length,
            'count_unique(user)': userCount,
            'crash_free_rate(session)': null,
            'crash_free_rate(user)': null,
          },
        };
      }),
    );
    expect(body.groups.map(({ series: _, ...g }: { series: unknown }) => g)).toEqual(
      want.sort((a, b) => (JSON.stringify(a.by) < JSON.stringify(b.by) ? -1 : 1)),
    );

    const filtered = await sessions(
      'statsPeriod=1d&groupBy=project&environment=production&query=release:web@1.0.0',
    );
    const web1 = sent.filter((c) => c.release === 'web@1.0.0');
    expect(filtered.groups).toMatchObject([
      {
        by: { project: ids.web },
        totals: { 'sum(session)': web1.length, 'count_unique(user)': users(web1).size },
      },
    ]);
    const ordered = await sessions(
      'statsPeriod=1d&groupBy=environment&orderBy=-sum(session)&includeSeries=0',
    );
    expect(ordered.groups.map((g: { by: { environment: string } }) => g.by.environment)).toEqual([
      'staging',
      'production',
    ]);
    expect(ordered.intervals).toEqual([]);
  });

  it('puts healthData on releases when asked for, hasHealthData always', async () => {
    const sent = expectedSessions();
    const plain = (await get('/organizations/healthy/releases/web@1.0.0/')).json();
    expect(plain.projects).toEqual([expect.objectContaining({ slug: 'web', hasHealthData: true })]);
    expect(plain.projects[0].healthData).toBeUndefined();

    const res = await get('/organizations/healthy/releases/?health=1&project=web&summaryStatsPeriod=24h');
    expect(res.statusCode).toBe(200);
    const byVersion = new Map(res.json().map((r: { version: string }) => [r.version, r]));
    const web = sent.filter((c) => c.project === 'web');
    for (const version of ['web@1.0.0', 'web@2.0.0']) {
      const these = web.filter((c) => c.release === version);
      const u = users(these);
      const crashed = these.filter((c) => c.outcome === 'crashed').length;
      const crashedUsers = [...u.values()].filter((o) => o === 'crashed').length;
      const pct = (x: number | null) => (x === null ? null : x * 100);
      expect((byVersion.get(version) as { projects: unknown[] }).projects[0]).toMatchObject({
        hasHealthData: true,
        healthData: {
          totalSessions: these.length,
          totalUsers: u.size,
          sessionsCrashed: crashed,
          crashFreeSessions: pct(crashFree(crashed, these.length)),
          crashFreeUsers: pct(crashFree(crashedUsers, u.size)),
          sessionsAdoption: (these.length / web.length) * 100,
          adoption: (u.size / users(web).size) * 100,
          stats: { '24h': expect.any(Array) },
        },
      });
    }
  });

  it.each([
    ['field=count()', 'Invalid field: "count()"'],
    ['field=sum(session)&groupBy=browser', 'Invalid groupBy: "browser"'],
    ['', 'Request is missing a "field"'],
    [
      'field=sum(session)&interval=30m',
      'The interval has to be a multiple of the minimum interval of one hour.',
    ],
    ['field=sum(session)&interval=5h', 'The interval should divide one day without a remainder.'],
    ['field=sum(session)&interval=2d', 'The interval has to be less than one day.'],
    ['field=sum(session)&statsPeriod=90d&interval=1h', /too many results/],
    ['field=sum(session)&query=transaction:foo', /^Invalid query field: "transaction"/],
    ['field=sum(session)&orderBy=-count_unique(user)', "'orderBy' must be one of the provided 'fields'"],
    ['field=sum(session)&statsPeriod=soon', /^Invalid statsPeriod/],
  ])('refuses %s with a 400', async (params, detail) => {
    const res = await get(`/organizations/healthy/sessions/?${params}`);
    expect(res.statusCode).toBe(400);
    if (typeof detail === 'string') expect(res.json()).toEqual({ detail });
    else expect(res.json().detail).toMatch(detail);
  });

  it('refuses a bad health period on releases', async () => {
    const res = await get('/organizations/healthy/releases/?health=1&summaryStatsPeriod=3y');
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/^summaryStatsPeriod must be one of/);
  });
});
