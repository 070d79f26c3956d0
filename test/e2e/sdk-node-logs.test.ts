import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_CONTENT_TYPE } from '../../src/digest/items/log.js';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { TEST_ENGINES } from '../support/engines.js';
import { parseDsn, postEnvelope } from '../support/node-client.js';
import {
  apiGet,
  DRIVERS,
  driverReports,
  makeSdkProject,
  poll,
  type SdkProject,
  waitForDigest,
} from '../support/sdk.js';
import { ROOT, run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// The real @sentry/node 11 with `enableLogs`, sending Sentry.logger.* to a listening Errata; the
// logs are found back through the events endpoint (dataset=logs) and with the real
// `sentry-cli logs list` (npm @sentry/cli 3.8.0). Driver: drivers/node-logs.mjs.

const DRIVER = path.join(DRIVERS, 'node-logs.mjs');
const FIELDS = ['sentry.item_id', 'timestamp', 'message', 'severity', 'trace', 'span_id', 'userId', 'items'];

interface Row {
  readonly message: string;
  readonly severity: string;
  readonly trace: string;
  readonly span_id: string | null;
  readonly userId: string | null;
  readonly items: number | null;
}

describe.each(TEST_ENGINES)('@sentry/node 11 logs against Errata on %s', (engine) => {
  let t: TestServer;
  let p: SdkProject;
  let span: { traceId: string; spanId: string };

  const search = async (query: string, extra = '') => {
    const fields = FIELDS.map((f) => `field=${encodeURIComponent(f)}`).join('&');
    const res = await apiGet<{ data: Row[]; detail?: string }>(
      t,
      p,
      `organizations/${p.org}/events/?dataset=logs&${fields}&statsPeriod=1h&sort=-timestamp&query=${encodeURIComponent(query)}${extra}`,
    );
    return res;
  };
  const messages = async (query: string) => {
    const res = await search(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.map((r) => r.message).sort();
  };

  beforeAll(async () => {
    t = await startTestServer(engine);
    p = await makeSdkProject(t, 'node-logs');
    const result = await run(process.execPath, [DRIVER, 'e2e'], {
      env: { SENTRY_DSN: p.dsn },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(0);
    span = driverReports(result.stdout).get('span') as typeof span;
    await poll('four logs', async () => ((await search('')).body.data?.length === 4 ? true : undefined));
  });
  afterAll(() => t.close());

  it('keeps every log with its level, body, attributes and trace; the one in a span has its span id', async () => {
    const rows = (await search('')).body.data;
    expect(rows.map((r) => [r.message, r.severity]).sort()).toEqual([
      ['cart e2e is almost full', 'warn'],
      ['order e2e-1001 placed', 'info'],
      ['payment e2e failed', 'error'],
      ['user e2e signed in', 'info'],
    ]);
    const inSpan = rows.find((r) => r.message === 'order e2e-1001 placed');
    expect(inSpan).toMatchObject({ trace: span.traceId, span_id: span.spanId });
    expect(rows.find((r) => r.message === 'user e2e signed in')).toMatchObject({
      userId: 'user-42',
      span_id: null,
    });
    expect(rows.find((r) => r.message === 'cart e2e is almost full')?.items).toBe(19);
  });

  it('finds logs by text, by level and by attribute', async () => {
    expect(await messages('payment')).toEqual(['payment e2e failed']);
    expect(await messages('severity:error')).toEqual(['payment e2e failed']);
    expect(await messages('level:info')).toEqual(['order e2e-1001 placed', 'user e2e signed in']);
    expect(await messages('userId:user-42')).toEqual(['user e2e signed in']);
    expect(await messages('items:19')).toEqual(['cart e2e is almost full']);
    expect(await messages('retryable:false provider:acme-pay')).toEqual(['payment e2e failed']);
    expect(await messages('orderId:1001')).toEqual(['order e2e-1001 placed']);
    expect(await messages(`trace:${span.traceId}`)).toContain('order e2e-1001 placed');
    expect(await messages('sentry.release:shop@3.1.0 !severity:info')).toEqual([
      'cart e2e is almost full',
      'payment e2e failed',
    ]);
  });

  it('answers a bad query with 400 and a detail', async () => {
    const res = await search('"unterminated');
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/Unterminated quote/);
    const fn = await apiGet<{ detail: string }>(
      t,
      p,
      `organizations/${p.org}/events/?dataset=logs&field=median()`,
    );
    expect(fn).toEqual({
      status: 400,
      body: { detail: expect.stringMatching(/^Unknown function: median\(\)/) },
    });
  });

  it('counts a malformed log record as an invalid log item and keeps its good neighbour', async () => {
    const good = {
      timestamp: Date.now() / 1000,
      trace_id: span.traceId,
      level: 'info',
      body: 'good neighbour',
    };
    const body = serializeEnvelope({
      headers: {},
      items: [
        {
          headers: { type: 'log', item_count: 2, content_type: LOG_CONTENT_TYPE },
          payload: { items: [good, { ...good, level: 'shouting', body: 'malformed' }] },
        },
      ],
    });
    // A project of its own, so that the other tests see only what the SDK sent.
    const q = await makeSdkProject(t, 'node-logs-bad');
    const res = await postEnvelope(t.url, parseDsn(q.dsn), body);
    expect(res.status).toBe(200);
    await waitForDigest(t);
    const found = await apiGet<{ data: { message: string }[] }>(
      t,
      q,
      `organizations/${q.org}/events/?dataset=logs&field=message&statsPeriod=1h`,
    );
    expect(found.body.data).toEqual([{ message: 'good neighbour' }]);
    const stats = await apiGet<{ groups: { by: Record<string, string>; totals: Record<string, number> }[] }>(
      t,
      q,
      `organizations/${q.org}/stats_v2/?field=sum(quantity)&category=log_item&groupBy=outcome&groupBy=reason&project=${q.projectId}&statsPeriod=1h&interval=1h`,
    );
    const byOutcome = stats.body.groups
      .map((g) => [g.by.outcome, g.by.reason, g.totals['sum(quantity)']])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byOutcome).toEqual([
      ['accepted', 'none', 1],
      ['invalid', 'invalid_log', 1],
    ]);
  });

  it('lists the logs with sentry-cli logs list, by project id or slug, filtered by its query', async () => {
    const cli = async (project: string, ...args: string[]) => {
      const result = await run(SENTRY_CLI, ['logs', 'list', '-o', p.org, '-p', project, ...args], {
        env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: p.token, SENTRY_LOG_LEVEL: 'warn', HOME: '/tmp' },
      });
      expect(result.code, result.stderr).toBe(0);
      // Table rows `| item id | timestamp | severity | message | trace |`, newest first.
      return result.stdout
        .split('\n')
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .filter((cells) => /^[0-9a-f]{32}$/.test(cells[1] ?? ''))
        .map((cells) => [cells[3], cells[4], cells[5]]);
    };
    const rows = await cli(String(p.projectId));
    expect(rows.map(([severity, message]) => [severity, message]).sort()).toEqual([
      ['error', 'payment e2e failed'],
      ['info', 'order e2e-1001 placed'],
      ['info', 'user e2e signed in'],
      ['warn', 'cart e2e is almost full'],
    ]);
    expect(rows[0]).toEqual(['info', 'order e2e-1001 placed', span.traceId]);
    expect(await cli(p.project, '--query', 'severity:error')).toEqual([
      ['error', 'payment e2e failed', span.traceId],
    ]);
  });

  it('streams them with sentry-cli logs list --live, each log once however many times it polls', async () => {
    // The platform binary itself: the npm wrapper, killed, would leave it running.
    const binary = path.join(
      ROOT,
      `node_modules/@sentry/cli-${process.platform}-${process.arch}/bin/sentry-cli`,
    );
    const live = await run(binary, ['logs', 'list', '-o', p.org, '-p', p.project, '--live'], {
      env: { SENTRY_URL: t.url, SENTRY_AUTH_TOKEN: p.token, SENTRY_LOG_LEVEL: 'warn', HOME: '/tmp' },
      // It polls every two seconds until stopped.
      timeoutMs: 5_000,
    });
    expect(live.stderr).not.toMatch(/error|panic/i);
    for (const text of [
      'user e2e signed in',
      'cart e2e is almost full',
      'payment e2e failed',
      'order e2e-1001 placed',
    ]) {
      expect(live.stdout.split(text)).toHaveLength(2);
    }
  });
});
