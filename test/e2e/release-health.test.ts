import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import {
  apiGet,
  DRIVERS,
  makeSdkProject,
  poll,
  type SdkProject,
  SYSTEM_PYTHON,
  waitForDigest,
} from '../support/sdk.js';
import { run, startTestServer, type TestServer } from '../support/server.js';

// Release health from real clients against a listening Errata: @sentry/node in application mode
// (one process session per run, with a user) and in server mode (request sessions sent as session
// aggregates), and Python's sentry_sdk with application sessions and WSGI request aggregates.
// The test counts what it had them send, and reads the same numbers back from the sessions
// endpoint and from the releases' health. Drivers: drivers/node-health.mjs, drivers/python-health.py.

type Status = 'healthy' | 'errored' | 'crashed';
const STATUSES = ['healthy', 'errored', 'crashed', 'abnormal'] as const;

/** One client run: one session of a user (application mode), or request sessions by outcome. */
type Run = { release: string; environment: string } & (
  | { client: 'node' | 'python'; mode: 'process'; outcome: Status; user: string }
  | { client: 'node' | 'python'; mode: 'server'; requests: Record<Status, number> }
);

const V1 = 'health@1.0.0';
const V2 = 'health@2.0.0';
/** Only healthy sessions: no client sends an event naming it. */
const V3 = 'health@3.0.0';
const RUNS: readonly Run[] = [
  { client: 'node', mode: 'process', release: V1, environment: 'production', outcome: 'healthy', user: 'u1' },
  { client: 'node', mode: 'process', release: V1, environment: 'production', outcome: 'healthy', user: 'u2' },
  { client: 'node', mode: 'process', release: V1, environment: 'production', outcome: 'errored', user: 'u3' },
  { client: 'node', mode: 'process', release: V1, environment: 'production', outcome: 'crashed', user: 'u4' },
  // The same user again, crashing this time: counted once, as crashed.
  { client: 'node', mode: 'process', release: V1, environment: 'production', outcome: 'crashed', user: 'u1' },
  {
    client: 'node',
    mode: 'server',
    release: V1,
    environment: 'production',
    requests: { healthy: 5, errored: 2, crashed: 1 },
  },
  { client: 'python', mode: 'process', release: V1, environment: 'staging', outcome: 'healthy', user: 'u2' },
  { client: 'python', mode: 'process', release: V2, environment: 'staging', outcome: 'healthy', user: 'u5' },
  { client: 'python', mode: 'process', release: V2, environment: 'staging', outcome: 'errored', user: 'u6' },
  { client: 'python', mode: 'process', release: V2, environment: 'staging', outcome: 'crashed', user: 'u7' },
  {
    client: 'python',
    mode: 'server',
    release: V2,
    environment: 'staging',
    requests: { healthy: 4, errored: 1, crashed: 2 },
  },
  { client: 'node', mode: 'process', release: V3, environment: 'production', outcome: 'healthy', user: 'u8' },
  {
    client: 'python',
    mode: 'process',
    release: V3,
    environment: 'production',
    outcome: 'healthy',
    user: 'u9',
  },
];

/** What one run sends: sessions by status, and its user's worst status (none in server mode). */
function sentBy(r: Run): { sessions: Record<Status, number>; user?: [string, Status] } {
  if (r.mode === 'process') {
    return { sessions: { healthy: 0, errored: 0, crashed: 0, [r.outcome]: 1 }, user: [r.user, r.outcome] };
  }
  // @sentry/node drops its process session once it serves a request: only requests count.
  return { sessions: { ...r.requests } };
}

const RANK: Record<Status, number> = { healthy: 0, errored: 1, crashed: 2 };

/** The expected numbers of the runs that `keep` selects. */
function expected(keep: (r: Run) => boolean) {
  const sessions: Record<(typeof STATUSES)[number], number> = {
    healthy: 0,
    errored: 0,
    crashed: 0,
    abnormal: 0,
  };
  const users = new Map<string, Status>();
  for (const r of RUNS.filter(keep)) {
    const sent = sentBy(r);
    for (const s of ['healthy', 'errored', 'crashed'] as const) sessions[s] += sent.sessions[s];
    if (sent.user) {
      const [id, status] = sent.user;
      const before = users.get(id);
      if (before === undefined || RANK[status] > RANK[before]) users.set(id, status);
    }
  }
  const total = STATUSES.reduce((n, s) => n + sessions[s], 0);
  const crashedUsers = [...users.values()].filter((s) => s === 'crashed').length;
  const usersBy = (status: string) => [...users.values()].filter((s) => s === status).length;
  return {
    sessions,
    total,
    users: users.size,
    usersBy,
    crashedUsers,
    crashFreeSessions: total === 0 ? null : 1 - sessions.crashed / total,
    crashFreeUsers: users.size === 0 ? null : 1 - crashedUsers / users.size,
  };
}

interface Group {
  by: Record<string, string>;
  totals: Record<string, number | null>;
  series: Record<string, (number | null)[]>;
}
interface SessionsAnswer {
  groups: Group[];
  intervals: string[];
}

const FIELDS = ['sum(session)', 'count_unique(user)', 'crash_free_rate(session)', 'crash_free_rate(user)'];

async function runClient(p: SdkProject, r: Run): Promise<void> {
  const args =
    r.mode === 'process'
      ? [r.client === 'python' ? 'app' : 'process', r.outcome, r.user]
      : [
          r.client === 'python' ? 'wsgi' : 'server',
          String(r.requests.healthy),
          String(r.requests.errored),
          String(r.requests.crashed),
        ];
  const [command, script] =
    r.client === 'node'
      ? [process.execPath, path.join(DRIVERS, 'node-health.mjs')]
      : [SYSTEM_PYTHON, path.join(DRIVERS, 'python-health.py')];
  const result = await run(command, [script, ...args], {
    env: { SENTRY_DSN: p.dsn, DRIVER_RELEASE: r.release, DRIVER_ENVIRONMENT: r.environment },
    timeoutMs: 60_000,
  });
  // A crash ends the process with an error, as it should.
  const crashes = r.mode === 'process' && r.outcome === 'crashed';
  expect(result.code, `${r.client} ${args.join(' ')}:\n${result.stderr}`).toBe(crashes ? 1 : 0);
}

describe.each(TEST_ENGINES)('release health from @sentry/node and sentry_sdk on %s', (engine) => {
  let t: TestServer;
  let p: SdkProject;

  beforeAll(async () => {
    t = await startTestServer(engine);
    p = await makeSdkProject(t, 'health', ['org:read', 'project:read', 'event:read', 'project:releases']);
    // Two at a time: the machine is small, and the clients' sessions are what is measured, not speed.
    const queue = [...RUNS];
    await Promise.all(
      [0, 1].map(async () => {
        for (let r = queue.shift(); r; r = queue.shift()) await runClient(p, r);
      }),
    );
    // Every client closed its SDK (which waits for the answers) or crashed after flushing.
    await waitForDigest(t);
  }, 240_000);
  afterAll(() => t?.close());

  // Two hours, so that sessions sent just before an hour began are still in range just after.
  const sessions = async (params: string) => {
    const { status, body } = await apiGet<SessionsAnswer>(
      t,
      p,
      `organizations/${p.org}/sessions/?${FIELDS.map((f) => `field=${encodeURIComponent(f)}`).join('&')}&statsPeriod=2h&interval=1h&project=${p.projectId}&${params}`,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    return body;
  };

  it('groups sessions, users and crash-free rates by release and environment', async () => {
    const answer = await sessions('groupBy=release&groupBy=environment');
    const pairs = [...new Set(RUNS.map((r) => `${r.release} ${r.environment}`))].sort();
    expect(answer.groups.map((g) => `${g.by.release} ${g.by.environment}`).sort()).toEqual(pairs);
    for (const group of answer.groups) {
      const want = expected((r) => r.release === group.by.release && r.environment === group.by.environment);
      expect(group.totals, `${group.by.release} ${group.by.environment}`).toEqual({
        'sum(session)': want.total,
        'count_unique(user)': want.users,
        'crash_free_rate(session)': want.crashFreeSessions,
        'crash_free_rate(user)': want.crashFreeUsers,
      });
      // The hourly series adds up to the totals.
      expect(group.series['sum(session)']?.reduce((n: number, x) => n + (x ?? 0), 0)).toBe(want.total);
    }
  });

  it('splits each release by session status, users at their worst session', async () => {
    const answer = await sessions('groupBy=release&groupBy=session.status');
    for (const release of [V1, V2, V3]) {
      const want = expected((r) => r.release === release);
      const of = (status: string) =>
        answer.groups.find((g) => g.by.release === release && g.by['session.status'] === status)?.totals;
      for (const status of STATUSES) {
        expect(of(status), `${release} ${status}`).toEqual({
          'sum(session)': want.sessions[status],
          'count_unique(user)': want.usersBy(status),
          // Rates are not split by status (Sentry answers null).
          'crash_free_rate(session)': null,
          'crash_free_rate(user)': null,
        });
      }
    }
  });

  it('answers the whole project in one group, and an environment alone', async () => {
    const [all] = (await sessions('')).groups;
    const want = expected(() => true);
    expect(all?.totals).toEqual({
      'sum(session)': want.total,
      'count_unique(user)': want.users,
      'crash_free_rate(session)': want.crashFreeSessions,
      'crash_free_rate(user)': want.crashFreeUsers,
    });
    const [staging] = (await sessions('environment=staging')).groups;
    expect(staging?.totals['sum(session)']).toBe(expected((r) => r.environment === 'staging').total);
  });

  it('lists every release that has sessions, one that no event named too', async () => {
    const { status, body } = await apiGet<{ version: string }[]>(
      t,
      p,
      `organizations/${p.org}/releases/?project=${p.projectId}`,
    );
    expect(status).toBe(200);
    expect(body.map((r) => r.version).sort()).toEqual([V1, V2, V3]);
  });

  it("puts the same numbers in each release's health, with its adoption", async () => {
    const everything = expected(() => true);
    const pct = (x: number | null) => (x === null ? null : x * 100);
    for (const release of [V1, V2, V3]) {
      const want = expected((r) => r.release === release);
      const { status, body } = await poll(`the health of ${release}`, async () => {
        const answer = await apiGet<{ version: string; projects: Record<string, unknown>[] }>(
          t,
          p,
          `organizations/${p.org}/releases/${encodeURIComponent(release)}/?health=1&summaryStatsPeriod=24h`,
        );
        return answer.status === 404 ? undefined : answer;
      });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.projects).toEqual([
        expect.objectContaining({
          slug: p.project,
          hasHealthData: true,
          healthData: expect.objectContaining({
            totalSessions: want.total,
            totalUsers: want.users,
            sessionsCrashed: want.sessions.crashed,
            sessionsErrored: want.sessions.errored,
            crashFreeSessions: pct(want.crashFreeSessions),
            crashFreeUsers: pct(want.crashFreeUsers),
            totalSessions24h: want.total,
            totalProjectSessions24h: everything.total,
            sessionsAdoption: (want.total / everything.total) * 100,
            adoption: (want.users / everything.users) * 100,
          }),
        }),
      ]);
    }
  });
});
