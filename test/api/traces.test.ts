import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerializedTraceError, SerializedTraceSpan } from '../../src/api/serializers/trace.js';
import { LOG_CONTENT_TYPE } from '../../src/digest/items/log.js';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { insertMember } from '../../src/store/region/members.js';
import { addTeamMember } from '../../src/store/region/teams.js';
import type { Organization, Project, ProjectKey, Team } from '../../src/store/types.js';
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
  errorInSpan,
  newSpanId,
  newTraceId,
  type PlannedSpan,
  spanStreamItem,
  transactionItem,
} from '../support/trace-envelopes.js';
import {
  expectFields,
  TRACE_ERROR_REQUIRED,
  TRACE_ERROR_TYPES,
  TRACE_META_REQUIRED,
  TRACE_META_TYPES,
  TRACE_SPAN_REQUIRED,
  TRACE_SPAN_TYPES,
} from './support/openapi-schema.js';

// The trace endpoints over real envelopes: a v1 transaction (sentry-python's shape) in "web", a
// v2 span stream (@sentry/node 11's) in "api" under one of its spans, another stream in "vault"
// (a project of another team) under it, an orphan whose parent never came, errors raised in spans
// of each and one in no span, and logs. Every span must come back under the parent it named, and
// a member who does not reach "vault" sees neither its spans nor its error.

type Item = SerializedTraceSpan | SerializedTraceError;
const isSpan = (i: Item): i is SerializedTraceSpan => i.event_type === 'span';

/** Every span of the answer with the id of the span it is listed under (null at the top). */
function parents(items: readonly Item[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const walk = (list: readonly Item[], parent: string | null) => {
    for (const item of list) {
      if (!isSpan(item)) continue;
      expect(out.has(item.event_id), `${item.event_id} listed twice`).toBe(false);
      out.set(item.event_id, parent);
      walk(item.children, item.event_id);
    }
  };
  walk(items, null);
  return out;
}

function spanById(items: readonly Item[], id: string): SerializedTraceSpan {
  for (const item of items) {
    if (!isSpan(item)) continue;
    if (item.event_id === id) return item;
    const found = spanById(item.children, id);
    if (found) return found;
  }
  return undefined as unknown as SerializedTraceSpan;
}

describe.each(TEST_ENGINES)('the trace endpoints on %s', (engine) => {
  let h: Harness;
  let org: Organization;
  let owner: string;
  let member: string;
  let offTeam: string;
  const projects: Record<'web' | 'api' | 'vault', { project: Project; key: ProjectKey }> = {} as never;
  const trace = newTraceId();
  const other = newTraceId();
  const id = Object.fromEntries(
    [
      'root',
      'db',
      'render',
      'query',
      'segment',
      'client',
      'grand',
      'orphan',
      'vaultSegment',
      'vaultChild',
      'underVault',
    ].map((k) => [k, newSpanId()]),
  ) as Record<string, string>;
  const missingParent = newSpanId();
  let t0: number;
  let plan: PlannedSpan[];
  let transactionId: string;
  const errors: Record<'query' | 'grand' | 'vault' | 'loose' | 'shouted', string> = {} as never;

  const send = async (slug: 'web' | 'api' | 'vault', items: { headers: object; payload: unknown }[]) => {
    const { project, key } = projects[slug];
    const body = serializeEnvelope({ headers: {}, items: items as never });
    const res = await postEnvelope(h, project.id, key.publicKey, body);
    expect(res.statusCode, res.body).toBe(200);
  };
  const get = async (path: string, token = owner) => {
    const res = await h.request({ method: 'GET', url: `/api/0/organizations/${org.slug}/${path}`, token });
    return { status: res.statusCode, body: res.json() };
  };
  const traceOf = async (query = '', token = owner, traceId = trace) => {
    const res = await get(`trace/${traceId}/${query}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Item[];
  };

  beforeAll(async () => {
    h = await createHarness(engine);
    const ownerUser = await makeUser(h.ctx);
    let team: Team;
    ({ org, team } = await makeOrg(h.ctx, ownerUser, `traced-${engine}`));
    owner = await makeToken(h.ctx, ownerUser, ['org:read', 'org:write', 'project:read', 'event:read']);
    const vaultTeam = await h.request({
      method: 'POST',
      url: `/api/0/organizations/${org.slug}/teams/`,
      token: owner,
      payload: { slug: 'vault-team' },
    });
    expect(vaultTeam.statusCode).toBe(201);
    const closed = await h.request({
      method: 'PUT',
      url: `/api/0/organizations/${org.slug}/`,
      token: owner,
      payload: { openMembership: false },
    });
    expect(closed.statusCode).toBe(200);
    projects.web = await makeProject(h.ctx, org, team, 'web');
    projects.api = await makeProject(h.ctx, org, team, 'api');
    projects.vault = await makeProject(
      h.ctx,
      org,
      { ...team, id: Number((vaultTeam.json() as { id: string }).id) },
      'vault',
    );
    // A member of the first team only, and one of no team.
    for (const [name, teamId] of [
      ['member', team.id],
      ['off', null],
    ] as const) {
      const user = await makeUser(h.ctx);
      const m = await insertMember(h.ctx.db.region, {
        organizationId: org.id,
        userId: user.id,
        email: user.email,
        role: 'member',
        inviteTokenHash: null,
        inviterId: null,
        now: Date.now(),
      });
      if (teamId !== null) await addTeamMember(h.ctx.db.region, teamId, m.id, null);
      const token = await makeToken(h.ctx, user, ['org:read']);
      if (name === 'member') member = token;
      else offTeam = token;
    }

    t0 = Date.now() - 120_000;
    const at = (ms: number) => t0 + ms;
    const span = (
      key: string,
      parent: string | null,
      op: string,
      description: string,
      from: number,
      to: number,
    ) => ({ id: id[key] as string, parent, op, description, start: at(from), end: at(to) }) as PlannedSpan;
    const root = span('root', null, 'http.server', 'GET /checkout', 0, 900);
    const web = [
      span('db', id.root as string, 'db', 'SELECT * FROM carts', 10, 110),
      span('render', id.root as string, 'template.render', 'checkout.html', 200, 700),
      {
        ...span('query', id.render as string, 'db.query', 'SELECT price', 250, 300),
        data: { 'db.system': 'postgresql' },
      },
    ];
    const api = [
      span('segment', id.render as string, 'http.server', 'POST /charge', 320, 650),
      span('client', id.segment as string, 'http.client', 'POST https://pay.example/charge', 330, 600),
      span('grand', id.client as string, 'db', 'INSERT charge', 400, 450),
      span('orphan', missingParent, 'queue.process', 'send receipt', 950, 990),
    ];
    const vault = [
      span('vaultSegment', id.segment as string, 'function', 'decrypt card', 460, 560),
      span('vaultChild', id.vaultSegment as string, 'crypto', 'aes', 470, 520),
    ];
    const underVault = span('underVault', id.vaultChild as string, 'cache.get', 'key material', 480, 490);
    plan = [root, ...web, ...api, ...vault, underVault];

    const tx = transactionItem(trace, 'GET /checkout', root, web, {
      measurements: { lcp: { value: 1234, unit: 'millisecond' } },
    });
    transactionId = tx.eventId;
    const onQuery = errorInSpan(trace, id.query as string, 'price missing', {
      transaction: 'GET /checkout',
      timestamp: at(280),
    });
    const loose = errorInSpan(trace, null, 'no span here', { timestamp: at(800), level: 'warning' });
    // An SDK that writes the ids in capitals, the trace id dashed: the same trace and span.
    const shouted = errorInSpan(trace, (id.db as string).toUpperCase(), 'carts locked', {
      timestamp: at(50),
    });
    const context = (shouted.item.payload as { contexts: { trace: { trace_id: string } } }).contexts.trace;
    context.trace_id =
      `${trace.slice(0, 8)}-${trace.slice(8, 12)}-${trace.slice(12, 16)}-${trace.slice(16, 20)}-${trace.slice(20)}`.toUpperCase();
    await send('web', [tx.item]);
    await send('web', [onQuery.item]);
    await send('web', [shouted.item]);
    await send('web', [loose.item]);
    const segment = api[0] as PlannedSpan;
    await send('api', [
      spanStreamItem(trace, segment, api.slice(0, 3), {
        nameless: [id.grand as string],
        attributes: { 'sentry.environment': 'production' },
      }),
    ]);
    // The orphan came alone, in a segment of its own that never arrived.
    await send('api', [
      spanStreamItem(trace, { ...(api[3] as PlannedSpan), id: newSpanId() }, [api[3] as PlannedSpan]),
    ]);
    await send('api', [spanStreamItem(trace, vault[0] as PlannedSpan, [underVault])]);
    const onGrand = errorInSpan(trace, id.grand as string, 'card declined', {
      transaction: 'POST /charge',
      timestamp: at(440),
    });
    await send('api', [onGrand.item]);
    await send('vault', [spanStreamItem(trace, vault[0] as PlannedSpan, vault)]);
    const onVault = errorInSpan(trace, id.vaultChild as string, 'vault sealed', { timestamp: at(500) });
    await send('vault', [onVault.item]);
    // Another trace's span and error, which nothing here may list.
    await send('web', [
      spanStreamItem(other, { ...root, id: newSpanId() }, [{ ...root, id: newSpanId(), parent: null }]),
      errorInSpan(other, null, 'elsewhere').item,
    ]);
    const log = (body: string, traceId: string, ms: number) => ({
      timestamp: at(ms) / 1000,
      trace_id: traceId,
      level: 'info',
      body,
    });
    const logs = (items: unknown[]) => ({
      headers: { type: 'log', item_count: items.length, content_type: LOG_CONTENT_TYPE },
      payload: { items },
    });
    await send('web', [
      logs([log('cart loaded', trace, 20), log('rendering', trace, 210), log('x', other, 5)]),
    ]);
    await send('api', [logs([log('charging', trace, 340)])]);
    await send('vault', [logs([log('unsealing', trace, 465)])]);
    await h.worker.drain();
    errors.query = onQuery.eventId;
    errors.grand = onGrand.eventId;
    errors.vault = onVault.eventId;
    errors.loose = loose.eventId;
    errors.shouted = shouted.eventId;
  });
  afterAll(() => h?.close());

  it('lists every span under the parent it named, across projects and SDKs, the orphan at the top', async () => {
    const items = await traceOf();
    const expected = new Map(plan.map((s) => [s.id, s.id === id.orphan ? null : s.parent]));
    expect(parents(items)).toEqual(expected);
    // Roots earliest first, then the error of no span.
    expect(items.map((i) => i.event_id)).toEqual([id.root, id.orphan, errors.loose]);
    const render = spanById(items, id.render as string);
    expect(render.children.map((c) => c.event_id)).toEqual([id.query, id.segment]);
  });

  it("gives each span Sentry's fields: times, project, op, transaction and whether it is one", async () => {
    const items = await traceOf();
    const root = spanById(items, id.root as string);
    const planned = plan[0] as PlannedSpan;
    expect(root).toMatchObject({
      event_type: 'span',
      project_id: projects.web.project.id,
      project_slug: 'web',
      op: 'http.server',
      name: 'http.server',
      description: 'GET /checkout',
      transaction: 'GET /checkout',
      transaction_id: transactionId,
      is_transaction: true,
      parent_span_id: null,
      sdk_name: 'sentry.python',
      measurements: { 'measurements.lcp': 1234 },
      browser_web_vital: { 'browser.web_vital.lcp.value': 1234 },
      mobile_app_vital: {},
      occurrences: [],
      additional_attributes: {},
    });
    expect(root.start_timestamp).toBeCloseTo(planned.start / 1000, 3);
    expect(root.end_timestamp).toBeCloseTo(planned.end / 1000, 3);
    expect(root.duration).toBeCloseTo(900, 3);
    expect(spanById(items, id.query as string)).toMatchObject({
      is_transaction: false,
      transaction: 'GET /checkout',
      transaction_id: transactionId,
      parent_span_id: id.render,
      measurements: {},
    });
    const segment = spanById(items, id.segment as string);
    expect(segment).toMatchObject({
      project_slug: 'api',
      op: 'http.server',
      name: 'POST /charge',
      description: 'POST /charge',
      transaction: 'POST /charge',
      transaction_id: id.segment,
      is_transaction: true,
      parent_span_id: id.render,
      sdk_name: 'sentry.javascript.node',
    });
    // Its SDK left out the segment name: it is the segment's.
    expect(spanById(items, id.grand as string)).toMatchObject({
      transaction: 'POST /charge',
      transaction_id: id.segment,
      is_transaction: false,
    });
    expect(spanById(items, id.orphan as string).parent_span_id).toBe(missingParent);
    // Every field Sentry's OpenAPI document requires, on every span and error, and on trace-meta.
    const check = (list: readonly Item[], where: string) => {
      for (const item of list) {
        const json = item as unknown as Record<string, never>;
        if (!isSpan(item)) {
          expectFields(json, TRACE_ERROR_REQUIRED, TRACE_ERROR_TYPES, `${where} error`);
          continue;
        }
        expectFields(json, TRACE_SPAN_REQUIRED, TRACE_SPAN_TYPES, `${where} ${item.event_id}`);
        check(item.errors, item.event_id);
        check(item.children, item.event_id);
      }
    };
    check(items, 'trace');
    const meta = await get(`trace-meta/${trace}/`);
    expectFields(meta.body, TRACE_META_REQUIRED, TRACE_META_TYPES, 'trace-meta');
  });

  it('attaches each error to the span it happened in, with its issue, and lists the others last', async () => {
    const items = await traceOf();
    const issues = async (query: string) => {
      const res = await h.request({
        method: 'GET',
        url: `/api/0/organizations/${org.slug}/issues/?query=${encodeURIComponent(query)}`,
        token: owner,
      });
      return (res.json() as { id: string; shortId: string; culprit: string }[])[0];
    };
    const price = await issues('price missing');
    const [error] = spanById(items, id.query as string).errors;
    expect(error).toEqual({
      event_id: errors.query,
      event_type: 'error',
      project_id: projects.web.project.id,
      project_slug: 'web',
      transaction: 'GET /checkout',
      description: 'Error: price missing',
      level: 'error',
      issue_id: Number(price?.id),
      issue_type: 1,
      culprit: price?.culprit,
      short_id: price?.shortId,
      start_timestamp: expect.closeTo((t0 + 280) / 1000, 3),
    });
    expect(spanById(items, id.grand as string).errors.map((e) => [e.event_id, e.project_slug])).toEqual([
      [errors.grand, 'api'],
    ]);
    expect(spanById(items, id.vaultChild as string).errors.map((e) => e.event_id)).toEqual([errors.vault]);
    expect(spanById(items, id.db as string).errors.map((e) => e.event_id)).toEqual([errors.shouted]);
    const loose = items.at(-1) as SerializedTraceError;
    expect(loose).toMatchObject({ event_type: 'error', event_id: errors.loose, level: 'warning' });
    // From the error's event to its trace: the event keeps the trace context it was sent with.
    const event = await h.request({
      method: 'GET',
      url: `/api/0/projects/${org.slug}/web/events/${errors.query}/`,
      token: owner,
    });
    expect(event.json().contexts.trace).toMatchObject({ trace_id: trace, span_id: id.query });
    expect(event.json().tags).toContainEqual({ key: 'transaction', value: 'GET /checkout' });
  });

  it('hides the spans and errors of projects the caller does not reach; their children become roots', async () => {
    const items = await traceOf('', member);
    const hidden = new Set([id.vaultSegment, id.vaultChild]);
    const expected = new Map(
      plan
        .filter((s) => !hidden.has(s.id))
        .map((s) => [s.id, s.id === id.orphan || s.id === id.underVault ? null : s.parent]),
    );
    expect(parents(items)).toEqual(expected);
    expect(JSON.stringify(items)).not.toContain(errors.vault);
    expect(JSON.stringify(items)).not.toContain('vault"');
    const meta = await get(`trace-meta/${trace}/`, member);
    expect(meta.body).toMatchObject({ errorsCount: 4, logsCount: 3, spansCount: plan.length - 2 });
    // A member who reaches no project at all: Sentry's 404.
    for (const path of [`trace/${trace}/`, `trace-meta/${trace}/`]) {
      expect(await get(path, offTeam)).toEqual({
        status: 404,
        body: { detail: 'The requested resource does not exist' },
      });
    }
  });

  it('counts the trace in trace-meta: spans by op and transaction, errors, logs', async () => {
    const meta = await get(`trace-meta/${trace}/`);
    expect(meta.status).toBe(200);
    const byOp: Record<string, number> = {};
    for (const s of plan) byOp[s.op] = (byOp[s.op] ?? 0) + 1;
    expect(meta.body).toEqual({
      errorsCount: 5,
      performanceIssuesCount: 0,
      logsCount: 4,
      metricsCount: 0,
      spansCount: plan.length,
      spansCountMap: byOp,
      transactionChildCountMap: expect.any(Array),
    });
    const children = new Map(
      (meta.body.transactionChildCountMap as Record<string, unknown>[]).map((r) => [
        r['transaction.event_id'],
        r['count()'],
      ]),
    );
    expect(children.get(transactionId)).toBe(4);
    expect(children.get(id.segment)).toBe(3);
    // The vault's stream and the span sent under it both name the vault segment.
    expect(children.get(id.vaultSegment)).toBe(3);
  });

  it('answers an unknown trace with an empty list and zero counts, and reads only the asked range', async () => {
    expect(await traceOf('', owner, newTraceId())).toEqual([]);
    expect((await get(`trace-meta/${newTraceId()}/`)).body).toMatchObject({
      errorsCount: 0,
      logsCount: 0,
      spansCount: 0,
      spansCountMap: {},
      transactionChildCountMap: [],
    });
    const earlier = (ms: number) => new Date(t0 - ms).toISOString();
    expect(await traceOf(`?start=${earlier(3_600_000)}&end=${earlier(60_000)}`)).toEqual([]);
    expect((await traceOf('?statsPeriod=1h')).length).toBe(3);
    // Three days around a timestamp, as Sentry's trace view asks.
    expect((await traceOf(`?timestamp=${Math.floor(t0 / 1000)}`)).length).toBe(3);
    expect(await traceOf(`?timestamp=${Math.floor((t0 - 5 * 86_400_000) / 1000)}`)).toEqual([]);
    // The dashed form of the id names the same trace.
    const dashed = `${trace.slice(0, 8)}-${trace.slice(8, 12)}-${trace.slice(12, 16)}-${trace.slice(16, 20)}-${trace.slice(20)}`;
    expect((await traceOf('', owner, dashed.toUpperCase())).length).toBe(3);
  });

  it('gives asked-for attributes of each span, and reads errorId', async () => {
    const items = await traceOf(
      `?additional_attributes=sentry.environment&additional_attributes=db.system&errorId=${errors.query}`,
    );
    expect(spanById(items, id.segment as string).additional_attributes).toEqual({
      'sentry.environment': 'production',
    });
    expect(spanById(items, id.query as string).additional_attributes).toEqual({ 'db.system': 'postgresql' });
    expect(spanById(items, id.root as string).additional_attributes).toEqual({});
  });

  it('refuses a malformed trace id, errorId or range with a 400 and a detail', async () => {
    for (const path of ['trace/not-a-trace/', 'trace-meta/abc123/', `trace/${trace}x/`]) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/^Invalid trace id: ".*"\. A trace id is 32 hexadecimal characters/);
    }
    expect(await get(`trace/${trace}/?errorId=nope`)).toEqual({
      status: 400,
      body: { detail: 'eventId: nope needs to be a valid uuid' },
    });
    expect((await get(`trace/${trace}/?statsPeriod=forever`)).status).toBe(400);
    expect((await get(`trace-meta/${trace}/?timestamp=yesterday`)).body).toEqual({
      detail: 'Invalid timestamp: yesterday',
    });
  });
});
