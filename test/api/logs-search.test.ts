import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_CONTENT_TYPE } from '../../src/digest/items/log.js';
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

// The logs dataset of the events endpoint: logs sent in two projects, found back by text, level,
// trace, attribute (string, number, boolean), negation, project, in either order and page by page.

const TRACE_A = 'a'.repeat(32);
const TRACE_B = 'b'.repeat(32);
interface Sent {
  readonly project: 'web' | 'api';
  readonly body: string;
  readonly level: string;
  readonly trace: string;
  readonly secondsAgo: number;
  readonly attributes: Record<string, { value: unknown; type: string }>;
}
const str = (value: string) => ({ value, type: 'string' });
const SENT: Sent[] = [
  {
    project: 'web',
    body: 'User logged in',
    level: 'info',
    trace: TRACE_A,
    secondsAgo: 50,
    attributes: { user: str('ada') },
  },
  {
    project: 'web',
    body: 'Cart total computed',
    level: 'debug',
    trace: TRACE_A,
    secondsAgo: 40,
    attributes: { items: { value: 3, type: 'integer' }, paid: { value: true, type: 'boolean' } },
  },
  {
    project: 'web',
    body: 'Payment declined',
    level: 'warn',
    trace: TRACE_B,
    secondsAgo: 30,
    attributes: { user: str('bob') },
  },
  {
    project: 'api',
    body: 'Database timeout',
    level: 'error',
    trace: TRACE_B,
    secondsAgo: 20,
    attributes: { user: str('ada') },
  },
  { project: 'api', body: 'payment retried', level: 'info', trace: TRACE_B, secondsAgo: 10, attributes: {} },
];
const OLD: Sent = {
  project: 'web',
  body: 'Payment long ago',
  level: 'info',
  trace: TRACE_A,
  secondsAgo: 3 * 86_400,
  attributes: {},
};

describe.each(TEST_ENGINES)('logs through the events endpoint on %s', (engine) => {
  let h: Harness;
  let token: string;
  let now: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    h = await createHarness(engine);
    const owner = await makeUser(h.ctx);
    const { org, team } = await makeOrg(h.ctx, owner, 'logged');
    const keys: Record<string, string> = {};
    for (const slug of ['web', 'api']) {
      const made = await makeProject(h.ctx, org, team, slug);
      ids[slug] = made.project.id;
      keys[slug] = made.key.publicKey;
    }
    token = await makeToken(h.ctx, owner, ['org:read']);
    now = h.ctx.now();
    for (const s of [...SENT, OLD]) {
      const record = {
        timestamp: (now - s.secondsAgo * 1000) / 1000,
        trace_id: s.trace,
        level: s.level,
        body: s.body,
        attributes: s.attributes,
      };
      const body = serializeEnvelope({
        headers: {},
        items: [
          {
            headers: { type: 'log', item_count: 1, content_type: LOG_CONTENT_TYPE },
            payload: { items: [record] },
          },
        ],
      });
      const res = await postEnvelope(h, ids[s.project] as number, keys[s.project] as string, body);
      expect(res.statusCode).toBe(200);
    }
    await h.worker.drain();
  });
  afterAll(() => h?.close());

  const search = async (params: string) => {
    const res = await h.request({
      method: 'GET',
      url: `/api/0/organizations/logged/events/?dataset=logs&field=message&field=severity&${params.includes('statsPeriod') ? '' : 'statsPeriod=1d&'}${params}`,
      token,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res;
  };
  const bodies = async (params: string) =>
    ((await search(params)).json().data as { message: string }[]).map((r) => r.message);
  const q = (query: string) => `query=${encodeURIComponent(query)}`;
  const newestFirst = (list: Sent[]) =>
    [...list].sort((a, b) => a.secondsAgo - b.secondsAgo).map((s) => s.body);

  it('lists the range newest first with Sentry meta, and every field sentry-cli asks for', async () => {
    const res = await search(
      'field=sentry.item_id&field=trace&field=timestamp&field=project&sort=-timestamp',
    );
    const body = res.json();
    expect(body.data.map((r: { message: string }) => r.message)).toEqual(newestFirst(SENT));
    expect(body.meta.fields).toEqual({
      message: 'string',
      severity: 'string',
      'sentry.item_id': 'string',
      trace: 'string',
      timestamp: 'date',
      project: 'string',
    });
    const first = body.data[0];
    expect(first).toMatchObject({ severity: 'info', trace: TRACE_B, project: 'api' });
    expect(first['sentry.item_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(first.timestamp)).toBe(Math.floor(now - 10_000));
    expect(await bodies('statsPeriod=7d')).toContain(OLD.body);
    // The name Sentry's web app sends for the same dataset.
    const ourlogs = await h.request({
      method: 'GET',
      url: '/api/0/organizations/logged/events/?dataset=ourlogs&field=message&statsPeriod=1d',
      token,
    });
    expect(ourlogs.json().data.map((r: { message: string }) => r.message)).toEqual(newestFirst(SENT));
  });

  it('finds logs by text, level, trace, attribute and project', async () => {
    const pick = (test: (s: Sent) => boolean) => newestFirst(SENT.filter(test));
    expect(await bodies(q('payment'))).toEqual(pick((s) => /payment/i.test(s.body)));
    expect(await bodies(q('severity:warning'))).toEqual(pick((s) => s.level === 'warn'));
    expect(await bodies(q('level:[error,debug]'))).toEqual(pick((s) => ['error', 'debug'].includes(s.level)));
    expect(await bodies(q(`trace:${TRACE_A}`))).toEqual(pick((s) => s.trace === TRACE_A));
    expect(await bodies(q('user:ada'))).toEqual(pick((s) => s.attributes.user?.value === 'ada'));
    expect(await bodies(q('!user:ada'))).toEqual(pick((s) => s.attributes.user?.value !== 'ada'));
    expect(await bodies(q('user:b*'))).toEqual(pick((s) => s.attributes.user?.value === 'bob'));
    expect(await bodies(q('items:3 paid:true'))).toEqual(['Cart total computed']);
    expect(await bodies(q('tags[items,number]:3'))).toEqual(['Cart total computed']);
    expect(await bodies(q('has:user'))).toEqual(pick((s) => 'user' in s.attributes));
    expect(await bodies(q('!has:user'))).toEqual(pick((s) => !('user' in s.attributes)));
    expect(await bodies(q('message:"Payment declined"'))).toEqual(['Payment declined']);
    expect(await bodies(q('payment severity:info'))).toEqual(['payment retried']);
    expect(await bodies(`project=${ids.api}`)).toEqual(pick((s) => s.project === 'api'));
    expect(await bodies('project=web')).toEqual(pick((s) => s.project === 'web'));
    expect(await bodies(q('project:api user:ada'))).toEqual(['Database timeout']);
  });

  it('returns attribute fields, sorts by any selected field, and pages with the cursor', async () => {
    const res = await search(`field=user&sort=user&sort=-timestamp&field=timestamp&${q('has:user')}`);
    expect(res.json().data.map((r: { user: string; message: string }) => [r.user, r.message])).toEqual([
      ['ada', 'Database timeout'],
      ['ada', 'User logged in'],
      ['bob', 'Payment declined'],
    ]);
    const bySeverity = await search('field=timestamp&sort=-severity&sort=timestamp');
    expect(bySeverity.json().data.map((r: { severity: string }) => r.severity)).toEqual([
      'error',
      'warn',
      'info',
      'info',
      'debug',
    ]);
    const pages: string[][] = [];
    let cursor = '';
    for (;;) {
      const page = await search(`field=timestamp&per_page=2${cursor}`);
      pages.push(page.json().data.map((r: { message: string }) => r.message));
      const next = /<[^>]*>; rel="next"; results="(true|false)"; cursor="([^"]+)"/.exec(
        page.headers.link as string,
      );
      if (next?.[1] !== 'true') break;
      cursor = `&cursor=${next[2]}`;
    }
    expect(pages.flat()).toEqual(newestFirst(SENT));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
  });

  it('counts logs by severity and project, and the traces they belong to', async () => {
    const grouped = async (params: string) => {
      const res = await h.request({
        method: 'GET',
        url: `/api/0/organizations/logged/events/?dataset=logs&statsPeriod=1d&${params}`,
        token,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const count = (test: (s: Sent) => boolean) => SENT.filter(test).length;
    const levels = [...new Set(SENT.map((s) => s.level))]
      .map((level) => ({ severity: level, 'count()': count((s) => s.level === level) }))
      .sort((a, b) => b['count()'] - a['count()'] || (a.severity < b.severity ? -1 : 1));
    const bySeverity = await grouped('field=severity&field=count()&sort=-count()');
    expect(bySeverity.data).toEqual(levels);
    expect(bySeverity.meta.fields).toEqual({ severity: 'string', 'count()': 'integer' });
    const traces = await grouped('field=count_unique(trace)&field=count()&field=project&sort=-count()');
    expect(traces.data).toEqual(
      ['web', 'api'].map((project) => ({
        project,
        'count()': count((s) => s.project === project),
        'count_unique(trace)': new Set(SENT.filter((s) => s.project === project).map((s) => s.trace)).size,
      })),
    );
    const items = await grouped(`field=sum(tags[items,number])&field=count(user)&${q('has:user')}`);
    expect(items.data).toEqual([
      { 'sum(tags[items,number])': null, 'count(user)': count((s) => 'user' in s.attributes) },
    ]);
    const all = await grouped('field=max(tags[items,number])&field=count_unique(user)');
    expect(all.data).toEqual([{ 'max(tags[items,number])': 3, 'count_unique(user)': 2 }]);
  });

  it('refuses a project the caller does not reach', async () => {
    const res = await h.request({
      method: 'GET',
      url: '/api/0/organizations/logged/events/?dataset=logs&field=message&project=999999',
      token,
    });
    expect(res.statusCode).toBe(403);
  });
});
