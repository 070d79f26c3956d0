import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEnvelope, postStore } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { envelopeOf, errorEvent } from '../support/envelopes.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../support/harness.js';

// Usage stats through the API: the test sends errors, a transaction and an attachment that are
// accepted, errors over a key's rate limit, malformed events (refused at ingest, and dropped by
// digest beside a good item), and a client report as @sentry/node writes it, on two days, to two
// projects. It keeps a ledger of what it sent and what ingest answered, and reads the same numbers
// back from stats_v2, grouped every way Sentry groups them.

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Entry {
  readonly project: string;
  readonly day: 0 | 1;
  readonly outcome: string;
  readonly reason: string;
  readonly category: string;
  readonly quantity: number;
  readonly timesSeen: number;
}
type Group = 'project' | 'outcome' | 'category' | 'reason';

describe.each(TEST_ENGINES)('usage stats on %s', (engine) => {
  let h: Harness;
  let token: string;
  const ledger: Entry[] = [];
  const ids: Record<string, number> = {};
  const keys: Record<string, { publicKey: string }> = {};
  // Half past ten in the morning two days ago (day 0), then the same time the day after (day 1).
  // The key cache's clock moves with it, so the new rate limit holds at once on day 1.
  const day0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 10.5 * HOUR;
  let clock = day0;
  const dayOf = () => ((clock - day0) / DAY >= 1 ? 1 : 0);
  const note = (project: string, e: Omit<Entry, 'project' | 'day' | 'timesSeen'> & { timesSeen?: number }) =>
    ledger.push({ project, day: dayOf(), timesSeen: 1, ...e });

  /** Sends an envelope and records what its answer says became of its items. */
  async function send(project: string, items: Parameters<typeof envelopeOf>[0]) {
    const res = await postEnvelope(
      h,
      ids[project] as number,
      keys[project]?.publicKey ?? '',
      envelopeOf(items),
    );
    return res;
  }

  async function sendError(project: string) {
    const res = await send(project, [{ type: 'event', payload: errorEvent() }]);
    if (res.statusCode === 200)
      note(project, { outcome: 'accepted', reason: '', category: 'error', quantity: 1 });
    else if (res.statusCode === 429) {
      const reason = (res.headers['x-sentry-rate-limits'] as string).split(':')[3] as string;
      note(project, { outcome: 'rate_limited', reason, category: 'error', quantity: 1 });
    } else throw new Error(`unexpected ${res.statusCode} ${res.body}`);
  }

  beforeAll(async () => {
    h = await createHarness(engine, {}, { now: () => clock });
    const owner = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, owner, `usage-${engine}`);
    for (const slug of ['web', 'api']) {
      const made = await makeProject(h.ctx, org, team, slug);
      ids[slug] = made.project.id;
      keys[slug] = { publicKey: made.key.publicKey };
    }
    token = await makeToken(h.ctx, owner, ['org:read', 'project:read', 'project:write']);

    // Day 0: errors of both projects accepted, one through the legacy store endpoint.
    for (let i = 0; i < 3; i++) await sendError('web');
    for (let i = 0; i < 2; i++) await sendError('api');
    expect(
      (await postStore(h, ids.web as number, keys.web?.publicKey as string, errorEvent())).statusCode,
    ).toBe(200);
    note('web', { outcome: 'accepted', reason: '', category: 'error', quantity: 1 });
    // An event with an attachment: one error, and the attachment's bytes (seen once).
    const attachment = 'x'.repeat(1234);
    expect(
      (
        await send('api', [
          { type: 'event', payload: errorEvent() },
          { type: 'attachment', payload: attachment, headers: { filename: 'a.txt', length: 1234 } },
        ])
      ).statusCode,
    ).toBe(200);
    note('api', { outcome: 'accepted', reason: '', category: 'error', quantity: 1 });
    note('api', { outcome: 'accepted', reason: '', category: 'attachment', quantity: 1234 });
    // Malformed events: an envelope whose only event is not JSON, a store body that is no object
    // (both refused with 400), and one beside a good session (accepted, dropped by digest).
    expect((await send('web', [{ type: 'event', payload: '{oops' }])).statusCode).toBe(400);
    note('web', { outcome: 'invalid', reason: 'invalid_json', category: 'error', quantity: 1 });
    expect((await postStore(h, ids.web as number, keys.web?.publicKey as string, [1, 2])).statusCode).toBe(
      400,
    );
    note('web', { outcome: 'invalid', reason: 'invalid_json', category: 'error', quantity: 1 });
    const session = {
      sid: '00000000-0000-4000-8000-000000000001',
      init: true,
      started: new Date(clock).toISOString(),
      status: 'exited',
      attrs: { release: 'web@1.0.0', environment: 'production' },
    };
    expect(
      (
        await send('web', [
          { type: 'event', payload: '[1, 2]' },
          { type: 'session', payload: session },
        ])
      ).statusCode,
    ).toBe(200);
    note('web', { outcome: 'invalid', reason: 'invalid_json', category: 'error', quantity: 1 });
    note('web', { outcome: 'accepted', reason: '', category: 'session', quantity: 1 });

    // Day 1: the web key gets a rate limit of 2 an hour, and 5 errors are sent.
    clock += DAY;
    const web = await h.request({
      method: 'GET',
      url: `/api/0/projects/${org.slug}/web/keys/`,
      token,
    });
    const keyId = (web.json() as { id: string }[])[0]?.id as string;
    const put = await h.request({
      method: 'PUT',
      url: `/api/0/projects/${org.slug}/web/keys/${keyId}/`,
      token,
      payload: { rateLimit: { count: 2, window: 3600 } },
    });
    expect(put.statusCode, put.body).toBe(200);
    for (let i = 0; i < 5; i++) await sendError('web');
    for (let i = 0; i < 1; i++) await sendError('api');
    // An HTTP check-in as curl sends it, with a status Sentry does not know: refused, invalid.
    const cron = await h.app.inject({
      method: 'GET',
      url: `/api/${ids.api}/cron/nightly/${keys.api?.publicKey}/?status=bogus`,
    });
    expect(cron.statusCode, cron.body).toBe(400);
    note('api', { outcome: 'invalid', reason: 'invalid_check_in', category: 'monitor', quantity: 1 });
    // A log container of two records as @sentry/node sends it: two log items and its bytes.
    const log = (body: string) => ({
      timestamp: clock / 1000,
      level: 'info',
      body,
      trace_id: 'c'.repeat(32),
    });
    const logs = { version: 2, items: [log('first'), log('second')] };
    const logHeaders = { content_type: 'application/vnd.sentry.items.log+json', item_count: 2 };
    expect((await send('api', [{ type: 'log', payload: logs, headers: logHeaders }])).statusCode).toBe(200);
    note('api', { outcome: 'accepted', reason: '', category: 'log_item', quantity: 2 });
    note('api', {
      outcome: 'accepted',
      reason: '',
      category: 'log_byte',
      quantity: Buffer.byteLength(JSON.stringify(logs)),
    });
    // One malformed record among three: two kept, one invalid, the bytes accepted; a container of
    // malformed records only: all invalid, bytes too.
    const mixed = { version: 2, items: [log('third'), { ...log('loud'), level: 'shouting' }, log('fourth')] };
    const mixedHeaders = { ...logHeaders, item_count: 3 };
    expect((await send('api', [{ type: 'log', payload: mixed, headers: mixedHeaders }])).statusCode).toBe(
      200,
    );
    note('api', { outcome: 'accepted', reason: '', category: 'log_item', quantity: 2 });
    note('api', { outcome: 'invalid', reason: 'invalid_log', category: 'log_item', quantity: 1 });
    note('api', {
      outcome: 'accepted',
      reason: '',
      category: 'log_byte',
      quantity: Buffer.byteLength(JSON.stringify(mixed)),
    });
    const bad = { version: 2, items: [{ ...log('no time'), timestamp: 'later' }] };
    expect(
      (await send('api', [{ type: 'log', payload: bad, headers: { ...logHeaders, item_count: 1 } }]))
        .statusCode,
    ).toBe(200);
    note('api', { outcome: 'invalid', reason: 'invalid_log', category: 'log_item', quantity: 1 });
    note('api', {
      outcome: 'invalid',
      reason: 'invalid_log',
      category: 'log_byte',
      quantity: Buffer.byteLength(JSON.stringify(bad)),
    });
    // A profile, which Errata does not keep: acknowledged, and counted as not kept.
    expect((await send('api', [{ type: 'profile', payload: { version: '1' } }])).statusCode).toBe(200);
    note('api', { outcome: 'invalid', reason: 'feature_disabled', category: 'profile', quantity: 1 });
    // A transaction of api, and a client report as @sentry/node sends one after beforeSend
    // dropped two errors and its transport backed off a rate limit for one.
    const transaction = {
      type: 'transaction',
      transaction: 'GET /',
      start_timestamp: clock / 1000 - 1,
      timestamp: clock / 1000,
      contexts: { trace: { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), op: 'http.server' } },
      spans: [],
    };
    expect((await send('api', [{ type: 'transaction', payload: transaction }])).statusCode).toBe(200);
    note('api', { outcome: 'accepted', reason: '', category: 'transaction', quantity: 1 });
    const report = {
      timestamp: clock / 1000,
      discarded_events: [
        { reason: 'before_send', category: 'error', quantity: 2 },
        { reason: 'ratelimit_backoff', category: 'error', quantity: 1 },
      ],
    };
    expect((await send('web', [{ type: 'client_report', payload: report }])).statusCode).toBe(200);
    note('web', {
      outcome: 'client_discard',
      reason: 'before_send',
      category: 'error',
      quantity: 2,
      timesSeen: 2,
    });
    note('web', {
      outcome: 'client_discard',
      reason: 'ratelimit_backoff',
      category: 'error',
      quantity: 1,
      timesSeen: 1,
    });
    await h.worker.drain();
  });
  afterAll(() => h?.close());

  async function stats(params: string) {
    const res = await h.request({
      method: 'GET',
      url: `/api/0/organizations/usage-${engine}/stats_v2/?${params}`,
      token,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      start: string;
      end: string;
      intervals: string[];
      groups: {
        by: Record<string, string | number>;
        totals: Record<string, number>;
        series: Record<string, number[]>;
      }[];
    };
  }

  /** The groups the ledger comes to: per day (slots 1 and 2 of a three-day range), sorted as the answer is. */
  function expected(
    groupBy: Group[],
    field: 'sum(quantity)' | 'sum(times_seen)',
    keep: (e: Entry) => boolean,
  ) {
    const groups = new Map<string, { by: Record<string, string | number>; series: number[] }>();
    for (const e of ledger.filter(keep)) {
      const by: Record<string, string | number> = {};
      for (const g of groupBy) {
        by[g] = g === 'project' ? (ids[e.project] as number) : g === 'reason' ? e.reason || 'none' : e[g];
      }
      const id = JSON.stringify(by);
      const group = groups.get(id) ?? { by, series: [0, 0, 0] };
      groups.set(id, group);
      group.series[e.day + 1] =
        (group.series[e.day + 1] ?? 0) + (field === 'sum(quantity)' ? e.quantity : e.timesSeen);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, g]) => ({
        by: g.by,
        totals: { [field]: g.series.reduce((a, b) => a + b, 0) },
        series: { [field]: g.series },
      }));
  }

  it('adds up what was sent, per outcome and category, day by day', async () => {
    const answer = await stats(
      'field=sum(quantity)&groupBy=outcome&groupBy=category&statsPeriod=3d&interval=1d',
    );
    const midnight = Math.floor(day0 / DAY) * DAY;
    expect(answer.intervals).toEqual(
      [-1, 0, 1].map((d) => new Date(midnight + d * DAY).toISOString().replace('.000Z', 'Z')),
    );
    expect(answer.groups).toEqual(expected(['outcome', 'category'], 'sum(quantity)', () => true));
    // The ledger holds what the test meant to check: 3 rate limited, 3 invalid, 3 discarded errors.
    const total = (outcome: string) =>
      answer.groups
        .filter((g) => g.by.outcome === outcome && g.by.category === 'error')
        .reduce((n, g) => n + (g.totals['sum(quantity)'] ?? 0), 0);
    expect([total('accepted'), total('rate_limited'), total('invalid'), total('client_discard')]).toEqual([
      10, 3, 3, 3,
    ]);
  });

  it('groups by project and by reason, and filters by outcome, category and project', async () => {
    expect(
      (
        await stats(
          'field=sum(quantity)&groupBy=project&category=error&outcome=accepted&statsPeriod=3d&interval=1d',
        )
      ).groups,
    ).toEqual(
      expected(['project'], 'sum(quantity)', (e) => e.category === 'error' && e.outcome === 'accepted'),
    );
    expect(
      (
        await stats(
          `field=sum(quantity)&groupBy=reason&project=${ids.web}&statsPeriod=3d&interval=1d&outcome=rate_limited&outcome=invalid`,
        )
      ).groups,
    ).toEqual(
      expected(
        ['reason'],
        'sum(quantity)',
        (e) => e.project === 'web' && ['rate_limited', 'invalid'].includes(e.outcome),
      ),
    );
    expect(
      (await stats('field=sum(quantity)&groupBy=outcome&reason=key_limit&statsPeriod=3d&interval=1d')).groups,
    ).toEqual(expected(['outcome'], 'sum(quantity)', (e) => e.reason === 'key_limit'));
  });

  it('counts attachments in bytes, and each as seen once', async () => {
    for (const field of ['sum(quantity)', 'sum(times_seen)'] as const) {
      expect(
        (await stats(`field=${field}&groupBy=category&category=attachment&statsPeriod=3d&interval=1d`))
          .groups,
      ).toEqual(expected(['category'], field, (e) => e.category === 'attachment'));
    }
  });

  it('answers one group of zeros without groupBy when nothing matches, and hourly series', async () => {
    const none = await stats('field=sum(quantity)&category=replay&statsPeriod=3d&interval=1d');
    expect(none.groups).toEqual([
      { by: {}, totals: { 'sum(quantity)': 0 }, series: { 'sum(quantity)': [0, 0, 0] } },
    ]);
    const hourly = await stats(
      'field=sum(quantity)&outcome=accepted&category=transaction&statsPeriod=2h&interval=1h',
    );
    expect(hourly.intervals).toHaveLength(2);
    expect(hourly.groups[0]?.totals).toEqual({ 'sum(quantity)': 1 });
    expect(hourly.groups[0]?.series['sum(quantity)']).toEqual([0, 1]);
  });

  it.each([
    ['', 'Request is missing a "field"'],
    ['field=sum(nope)', 'Invalid field: "sum(nope)"'],
    ['field=sum(quantity)&groupBy=planet', 'Invalid groupBy: "planet"'],
    ['field=sum(quantity)&category=planet', 'Invalid category: "planet"'],
    ['field=sum(quantity)&outcome=lost', 'Invalid outcome: "lost"'],
    [
      'field=sum(quantity)&category=attachment&category=error',
      'if filtering by attachment no other category may be present',
    ],
    ['field=sum(quantity)&interval=2d', 'The interval has to be less than one day.'],
    [
      'field=sum(quantity)&statsPeriod=soon',
      'Invalid statsPeriod: soon. Expected a number and a unit, e.g. 24h or 14d.',
    ],
  ])('refuses %s with 400 and a detail', async (params, detail) => {
    const res = await h.request({
      method: 'GET',
      url: `/api/0/organizations/usage-${engine}/stats_v2/?${params}`,
      token,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ detail });
  });
});
