import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMember } from '../../src/store/region/members.js';
import { addTeamMember } from '../../src/store/region/teams.js';
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
import {
  failed,
  percentile,
  rootDurationMs,
  type SentTransaction,
  spanStreamEnvelope,
  storedDurationMs,
  transactionEnvelope,
} from '../support/traces.js';

// The spans and transactions datasets of the events endpoint, and their functions: transactions
// sent both as transaction events and as v2 span streams, in two projects of two teams, then
// counted, timed (p50/p95/avg/…), failure-rated, filtered, sorted and paged, every number checked
// against one the test computes from what it sent.

type Form = 'event' | 'stream';
interface Sent extends SentTransaction {
  readonly project: 'web' | 'api';
  readonly form: Form;
}

let clock = 0;
/** Transactions `secondsAgo` before the test's start, one a second apart. */
function tx(
  project: Sent['project'],
  form: Form,
  name: string,
  durationMs: number,
  extra: Partial<SentTransaction> = {},
): Omit<Sent, 'start'> & { secondsAgo: number } {
  clock += 1;
  return {
    project,
    form,
    name,
    op: name.startsWith('job') ? 'queue.task' : 'http.server',
    durationMs,
    environment: 'production',
    release: 'shop@1.0.0',
    secondsAgo: 600 - clock,
    ...extra,
  };
}

const child = (op: string, description: string, offsetMs: number, durationMs: number) => ({
  op,
  description,
  offsetMs,
  durationMs,
});

const PLAN = [
  tx('web', 'event', 'GET /users', 12.5, { children: [child('db.query', 'select users', 1, 8.25)] }),
  tx('web', 'stream', 'GET /users', 40, { children: [child('db.query', 'select users', 2, 30)] }),
  tx('web', 'event', 'GET /users', 41.25, { status: 'internal_error' }),
  tx('web', 'stream', 'GET /users', 100, {
    status: 'error',
    children: [child('http.client', 'GET auth', 5, 90)],
  }),
  tx('web', 'event', 'GET /users', 250.75, { status: 'cancelled' }),
  tx('web', 'stream', 'GET /users', 1000, { environment: 'staging' }),
  tx('web', 'event', 'POST /orders', 300, {
    status: 'deadline_exceeded',
    release: 'shop@2.0.0',
    children: [child('db.query', 'insert order', 10, 120.5), child('http.client', 'POST pay', 140, 150)],
  }),
  tx('web', 'stream', 'POST /orders', 1500.5, { release: 'shop@2.0.0' }),
  tx('web', 'event', 'POST /orders', 75, { status: undefined }),
  tx('api', 'event', 'job.process', 5, { children: [child('cache.get', 'get cart', 0.5, 1.5)] }),
  tx('api', 'stream', 'job.process', 7.5),
  tx('api', 'event', 'job.process', 2000, { status: 'unknown' }),
];

/**
 * A transaction's status as the transactions dataset shows it: a span stream always says one
 * (`ok` unless told), a transaction event without one is `unknown`.
 */
const statusOf = (t: Sent) => t.status ?? (t.form === 'stream' ? 'ok' : 'unknown');

/** The duration the server stores for a child, from what was sent. */
const childDurationMs = (t: Sent, c: NonNullable<SentTransaction['children']>[number]) =>
  storedDurationMs(t.start + c.offsetMs / 1000, t.start + c.offsetMs / 1000 + c.durationMs / 1000);

describe.each(TEST_ENGINES)('spans and transactions through the events endpoint on %s', (engine) => {
  let h: Harness;
  let token: string;
  let memberToken: string;
  let foreignToken: string;
  let sent: Sent[];
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    h = await createHarness(engine);
    const owner = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, owner, 'traced');
    const keys: Record<string, string> = {};
    const web = await makeProject(h.ctx, org, team, 'web');
    token = await makeToken(h.ctx, owner, ['org:read', 'org:write', 'team:write']);
    // The api project belongs to a team of its own, and a member of that team only (with closed
    // membership) reaches only that project.
    const apiTeam = await h.request({
      method: 'POST',
      url: '/api/0/organizations/traced/teams/',
      token,
      payload: { slug: 'api-team' },
    });
    expect(apiTeam.statusCode, apiTeam.body).toBe(201);
    const api = await makeProject(h.ctx, org, { ...team, id: Number(apiTeam.json().id) }, 'api');
    for (const [slug, made] of [
      ['web', web],
      ['api', api],
    ] as const) {
      ids[slug] = made.project.id;
      keys[slug] = made.key.publicKey;
    }
    const closed = await h.request({
      method: 'PUT',
      url: '/api/0/organizations/traced/',
      token,
      payload: { openMembership: false },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const memberUser = await makeUser(h.ctx);
    const member = await insertMember(h.ctx.db.region, {
      organizationId: org.id,
      userId: memberUser.id,
      email: memberUser.email,
      role: 'member',
      inviteTokenHash: null,
      inviterId: null,
      now: h.ctx.now(),
    });
    await addTeamMember(h.ctx.db.region, Number(apiTeam.json().id), member.id, null);
    memberToken = await makeToken(h.ctx, memberUser, ['org:read']);
    const stranger = await makeUser(h.ctx);
    await makeOrg(h.ctx, stranger, 'elsewhere');
    foreignToken = await makeToken(h.ctx, stranger, ['org:read']);

    const now = h.ctx.now();
    sent = PLAN.map(({ secondsAgo, ...t }) => ({ ...t, start: (now - secondsAgo * 1000) / 1000 }));
    // One transaction outside a one-hour window.
    const old: Sent = { ...(sent[0] as Sent), start: (now - 3 * 3_600_000) / 1000 };
    for (const t of [...sent, old]) {
      const body = t.form === 'event' ? transactionEnvelope(t) : spanStreamEnvelope(t);
      const res = await postEnvelope(h, ids[t.project] as number, keys[t.project] as string, body);
      expect(res.statusCode).toBe(200);
    }
    await h.worker.drain();
  });
  afterAll(() => h?.close());

  const get = async (params: string, as = token) =>
    h.request({
      method: 'GET',
      url: `/api/0/organizations/traced/events/?${params.includes('statsPeriod') ? '' : 'statsPeriod=1h&'}${params}`,
      token: as,
    });
  const rows = async (params: string, as = token) => {
    const res = await get(params, as);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as Record<string, unknown>[];
  };
  const fields = (...names: string[]) => names.map((f) => `field=${encodeURIComponent(f)}`).join('&');
  const q = (query: string) => `query=${encodeURIComponent(query)}`;

  /** Per transaction name: count, durations and failures, from what was sent. */
  const byName = (list: readonly Sent[]) => {
    const groups = new Map<string, Sent[]>();
    for (const t of list) groups.set(t.name, [...(groups.get(t.name) ?? []), t]);
    return [...groups].map(([name, ts]) => {
      const durations = ts.map(rootDurationMs);
      return {
        name,
        count: ts.length,
        durations,
        failureRate: ts.filter((t) => failed(t.status)).length / ts.length,
      };
    });
  };

  it('gives each transaction its count, p50, p95 and failure rate, in both datasets', async () => {
    const expected = byName(sent)
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
      .map((g) => ({
        transaction: g.name,
        'count()': g.count,
        'p50()': percentile(g.durations, 0.5),
        'p95()': percentile(g.durations, 0.95),
        'failure_rate()': g.failureRate,
      }));
    const spans = await rows(
      `dataset=spans&${fields('transaction', 'count()', 'p50()', 'p95()', 'failure_rate()')}&sort=-count()&${q('is_transaction:true')}`,
    );
    const transactions = await rows(
      `dataset=transactions&${fields('transaction', 'count()', 'p50()', 'p95()', 'failure_rate()')}&sort=-count()`,
    );
    for (const got of [spans, transactions]) {
      expect(got.map((r) => [r.transaction, r['count()']])).toEqual(
        expected.map((e) => [e.transaction, e['count()']]),
      );
      got.forEach((row, i) => {
        const want = expected[i] as unknown as Record<string, number>;
        expect(row['p50()']).toBeCloseTo(want['p50()'] as number, 6);
        expect(row['p95()']).toBeCloseTo(want['p95()'] as number, 6);
        expect(row['failure_rate()']).toBeCloseTo(want['failure_rate()'] as number, 12);
      });
    }
    // Sanity of the test's own numbers: GET /users has 6 durations and 2 failures.
    expect(expected[0]).toMatchObject({ transaction: 'GET /users', 'count()': 6, 'failure_rate()': 2 / 6 });
  });

  it("answers Sentry's meta, units and the explicit forms of the default arguments", async () => {
    const res = await get(
      `dataset=spans&${fields('transaction', 'count()', 'p95()', 'p95(span.duration)', 'percentile(span.duration, 0.95)', 'failure_rate()', 'count_unique(trace)')}&${q('is_transaction:true transaction:"GET /users"')}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.meta).toMatchObject({
      dataset: 'spans',
      fields: {
        transaction: 'string',
        'count()': 'integer',
        'p95()': 'duration',
        'p95(span.duration)': 'duration',
        'percentile(span.duration, 0.95)': 'duration',
        'failure_rate()': 'percentage',
        'count_unique(trace)': 'integer',
      },
      units: { transaction: null, 'count()': null, 'p95()': 'millisecond', 'failure_rate()': null },
    });
    const [row] = body.data;
    expect(row['p95(span.duration)']).toBe(row['p95()']);
    expect(row['percentile(span.duration, 0.95)']).toBeCloseTo(row['p95()'], 9);
    expect(row['count_unique(trace)']).toBe(6);
    const tx = await rows(
      `dataset=transactions&${fields('transaction', 'p75()', 'p75(transaction.duration)', 'avg(transaction.duration)', 'sum(transaction.duration)', 'min(transaction.duration)', 'max(transaction.duration)', 'p99()', 'p100()')}&${q('transaction:"POST /orders"')}`,
    );
    const durations = sent.filter((t) => t.name === 'POST /orders').map(rootDurationMs);
    const [orders] = tx as Record<string, number>[];
    expect(orders?.['p75()']).toBe(orders?.['p75(transaction.duration)']);
    expect(orders?.['p75()']).toBeCloseTo(percentile(durations, 0.75), 6);
    expect(orders?.['p99()']).toBeCloseTo(percentile(durations, 0.99), 6);
    expect(orders?.['p100()']).toBeCloseTo(Math.max(...durations), 6);
    expect(orders?.['avg(transaction.duration)']).toBeCloseTo(durations.reduce((a, b) => a + b) / 3, 6);
    expect(orders?.['sum(transaction.duration)']).toBeCloseTo(
      durations.reduce((a, b) => a + b),
      6,
    );
    expect(orders?.['min(transaction.duration)']).toBeCloseTo(Math.min(...durations), 6);
    expect(orders?.['max(transaction.duration)']).toBeCloseTo(Math.max(...durations), 6);
  });

  it('counts every span by op, and functions over child spans', async () => {
    const all = sent.flatMap((t) => [
      { op: t.op, duration: rootDurationMs(t), description: t.name, transaction: t.name },
      ...(t.children ?? []).map((c) => ({
        op: c.op,
        duration: childDurationMs(t, c),
        description: c.description,
        transaction: t.name,
      })),
    ]);
    const ops = [...new Set(all.map((s) => s.op))];
    const expected = ops
      .map((op) => {
        const of = all.filter((s) => s.op === op);
        return { op, count: of.length, avg: of.reduce((a, s) => a + s.duration, 0) / of.length };
      })
      .sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : 1));
    const got = await rows(`dataset=spans&${fields('span.op', 'count()', 'avg()')}&sort=-count()`);
    expect(got.map((r) => [r['span.op'], r['count()']])).toEqual(expected.map((e) => [e.op, e.count]));
    for (const [i, r] of got.entries()) expect(r['avg()']).toBeCloseTo(expected[i]?.avg as number, 6);

    // Without a function, rows are spans: the children of one transaction, slowest first.
    const db = all.filter((s) => s.op === 'db.query').sort((a, b) => b.duration - a.duration);
    const listed = await rows(
      `dataset=spans&${fields('span.description', 'span.duration', 'transaction', 'is_transaction')}&sort=-span.duration&${q('span.op:db.query')}`,
    );
    expect(listed.map((r) => [r['span.description'], r.transaction, r.is_transaction])).toEqual(
      db.map((s) => [s.description, s.transaction, false]),
    );
    for (const [i, r] of listed.entries()) {
      expect(r['span.duration']).toBeCloseTo(db[i]?.duration as number, 6);
    }
  });

  it('filters by duration, op, text, status, release, environment, project and trace', async () => {
    const count = async (dataset: string, query: string, extra = '') => {
      const [row] = await rows(`dataset=${dataset}&${fields('count()')}&${q(query)}${extra}`);
      return row?.['count()'];
    };
    const roots = (test: (t: Sent) => boolean) => sent.filter(test).length;
    expect(await count('spans', 'is_transaction:true span.duration:>100')).toBe(
      roots((t) => rootDurationMs(t) > 100),
    );
    expect(await count('spans', 'is_transaction:true span.duration:>=1s')).toBe(
      roots((t) => rootDurationMs(t) >= 1000),
    );
    expect(await count('transactions', 'transaction.duration:<=41.25')).toBe(
      roots((t) => rootDurationMs(t) <= 41.25),
    );
    expect(await count('spans', 'is_transaction:false')).toBe(
      sent.reduce((n, t) => n + (t.children?.length ?? 0), 0),
    );
    expect(await count('spans', 'span.op:http.*')).toBe(
      sent.reduce(
        (n, t) =>
          n +
          (t.op.startsWith('http.') ? 1 : 0) +
          (t.children ?? []).filter((c) => c.op.startsWith('http.')).length,
        0,
      ),
    );
    expect(await count('spans', 'select')).toBe(2);
    expect(await count('spans', 'span.description:"select users"')).toBe(2);
    expect(await count('transactions', '!transaction.status:ok')).toBe(roots((t) => statusOf(t) !== 'ok'));
    expect(await count('transactions', 'transaction.status:unknown')).toBe(
      roots((t) => statusOf(t) === 'unknown'),
    );
    expect(await count('transactions', 'release:shop@2.0.0')).toBe(roots((t) => t.release === 'shop@2.0.0'));
    expect(await count('transactions', '', '&environment=staging')).toBe(
      roots((t) => t.environment === 'staging'),
    );
    expect(await count('transactions', 'project:api')).toBe(roots((t) => t.project === 'api'));
    expect(await count('transactions', '', `&project=${ids.api}`)).toBe(roots((t) => t.project === 'api'));
    expect(await count('transactions', 'transaction:GET*')).toBe(roots((t) => t.name.startsWith('GET')));
    // The window leaves out the transaction sent three hours ago.
    expect(await count('transactions', '', '&statsPeriod=1d')).toBe(sent.length + 1);

    const [one] = await rows(`dataset=transactions&${fields('trace', 'id')}&per_page=1`);
    const inTrace = await rows(
      `dataset=spans&${fields('span_id', 'trace', 'transaction.id', 'parent_span', 'is_transaction')}&${q(`trace:${String(one?.trace).toUpperCase()}`)}`,
    );
    const root = inTrace.find((r) => r.is_transaction === true);
    expect(inTrace.every((r) => r.trace === one?.trace)).toBe(true);
    expect(root?.parent_span).toBeNull();
    expect(inTrace.filter((r) => r.parent_span === root?.span_id)).toHaveLength(inTrace.length - 1);
  });

  it('sorts by functions and fields, and pages groups and rows with the cursor', async () => {
    const expected = byName(sent)
      .map((g) => ({ name: g.name, p95: percentile(g.durations, 0.95) }))
      .sort((a, b) => b.p95 - a.p95);
    const byP95 = await rows(`dataset=transactions&${fields('transaction', 'p95()')}&sort=-p95()`);
    expect(byP95.map((r) => r.transaction)).toEqual(expected.map((e) => e.name));
    const byNameAsc = await rows(`dataset=transactions&${fields('transaction', 'count()')}&sort=transaction`);
    expect(byNameAsc.map((r) => r.transaction)).toEqual(['GET /users', 'POST /orders', 'job.process']);

    const page = async (params: string) => {
      const collected: unknown[][] = [];
      let cursor = '';
      for (;;) {
        const res = await get(`${params}${cursor}`);
        expect(res.statusCode).toBe(200);
        collected.push(res.json().data);
        const next = /<[^>]*>; rel="next"; results="(true|false)"; cursor="([^"]+)"/.exec(
          res.headers.link as string,
        );
        if (next?.[1] !== 'true') return collected;
        cursor = `&cursor=${next[2]}`;
      }
    };
    const groups = await page(
      `dataset=transactions&${fields('transaction', 'count()')}&sort=-count()&per_page=2`,
    );
    expect(groups.map((p) => p.length)).toEqual([2, 1]);
    expect(groups.flat().map((r) => (r as { transaction: string }).transaction)).toEqual([
      'GET /users',
      'POST /orders',
      'job.process',
    ]);
    const slowest = await page(
      `dataset=transactions&${fields('transaction.duration', 'transaction')}&sort=-transaction.duration&per_page=5`,
    );
    expect(slowest.map((p) => p.length)).toEqual([5, 5, 2]);
    const durations = slowest
      .flat()
      .map((r) => (r as { 'transaction.duration': number })['transaction.duration']);
    const want = sent.map(rootDurationMs).sort((a, b) => b - a);
    for (const [i, d] of durations.entries()) expect(d).toBeCloseTo(want[i] as number, 6);
  });

  it('shows a caller only the projects it reaches', async () => {
    const apiOnly = byName(sent.filter((t) => t.project === 'api'));
    const seen = await rows(
      `dataset=transactions&${fields('transaction', 'count()', 'project')}`,
      memberToken,
    );
    expect(seen).toEqual(apiOnly.map((g) => ({ transaction: g.name, 'count()': g.count, project: 'api' })));
    const spans = await rows(`dataset=spans&${fields('project', 'count()')}`, memberToken);
    expect(spans.map((r) => r.project)).toEqual(['api']);
    expect(
      (await get(`dataset=transactions&${fields('count()')}&project=${ids.web}`, memberToken)).statusCode,
    ).toBe(403);
    expect((await get(`dataset=spans&${fields('count()')}`, foreignToken)).statusCode).toBe(403);
    // project: in the query names nothing outside what the caller reaches.
    const [none] = await rows(`dataset=spans&${fields('count()')}&${q('project:web')}`, memberToken);
    expect(none?.['count()']).toBe(0);
  });

  it('answers bad functions, arguments, fields and sorts with a 400 that says why', async () => {
    const detail = async (params: string) => {
      const res = await get(params);
      expect(res.statusCode, res.body).toBe(400);
      return res.json().detail as string;
    };
    expect(await detail(`dataset=spans&${fields('transaction', 'median()')}`)).toMatch(
      /^Unknown function: median\(\)/,
    );
    expect(await detail(`dataset=spans&${fields('p95(span.description)')}`)).toMatch(
      /^Invalid argument: p95\(span.description\) needs one numeric field, and "span.description" is a string field/,
    );
    expect(await detail(`dataset=transactions&${fields('avg()')}`)).toMatch(
      /^Invalid function: avg\(\) takes one numeric field/,
    );
    expect(await detail(`dataset=spans&${fields('count_unique(nope)')}`)).toMatch(
      /^Unknown field: "nope" in count_unique\(nope\)/,
    );
    expect(await detail(`dataset=spans&${fields('percentile(span.duration, 2)')}`)).toMatch(
      /quantile from 0 to 1/,
    );
    expect(await detail(`dataset=spans&${fields('transaction', 'count()')}&sort=-p95()`)).toMatch(
      /^Cannot sort by "p95\(\)"/,
    );
    expect(await detail(`dataset=spans&${fields('count()')}&${q('span.duration:>fast')}`)).toMatch(
      /Invalid duration for "span.duration"/,
    );
    expect(await detail(`dataset=spans&${fields('count()')}&${q('is_transaction:maybe')}`)).toMatch(
      /true or false/,
    );
    expect(await detail(`dataset=spans&${fields('count()')}&${q('count():>2')}`)).toMatch(
      /filters on functions/,
    );
    expect(await detail(`dataset=transactions&${fields('span.op')}`)).toMatch(/^Unknown field: "span.op"/);
  });
});
