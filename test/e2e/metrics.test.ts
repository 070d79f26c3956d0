import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotifications } from '../../src/store/region/notification-outbox.js';
import { TEST_ENGINES } from '../support/engines.js';
import { errorEvent, eventEnvelope, newEventId } from '../support/envelopes.js';
import { type DsnParts, parseDsn, postEnvelope } from '../support/node-client.js';
import { parseExposition } from '../support/prometheus.js';
import { freePort, startTestServer, type TestServer } from '../support/server.js';

// Prometheus metrics of a listening server: events sent, some refused (rate limit, bad key, bad
// body, no credentials), digested; then both exposition endpoints are scraped, parsed, and every
// number compared with what the test saw itself.

const TOKEN = 'metrics-token-0123456789abcdef0123456789';
const QUOTA = 3;

describe.each(TEST_ENGINES)('metrics (%s)', (engine) => {
  let t: TestServer;
  let dsn: DsnParts;
  let listen: string;
  const statuses: number[] = [];

  beforeAll(async () => {
    const metricsPort = await freePort();
    t = await startTestServer(engine, {
      ERRATA_METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
      ERRATA_METRICS_TOKEN: TOKEN,
      ERRATA_PROJECT_QUOTA_PER_MINUTE: String(QUOTA),
    });
    listen = `http://127.0.0.1:${metricsPort}/metrics`;
    dsn = parseDsn(t.server.firstStart?.dsn as string);
    // Notifications stay in the outbox, where the depth gauge counts them.
    await t.server.delivery.stop();
  });
  afterAll(async () => {
    await t?.server.metricsServer?.close();
    await t?.close();
  });

  const scrape = async (url = listen, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  it('counts accepted, refused and digested envelopes, queries, requests by route, and the outbox', async () => {
    for (let i = 0; i < QUOTA + 2; i++) {
      const answer = await postEnvelope(t.url, dsn, eventEnvelope(errorEvent({ event_id: newEventId() })));
      statuses.push(answer.status);
    }
    const accepted = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    // The quota is per minute: a minute that turned during the loop lets more through, never none.
    expect(accepted + limited).toBe(QUOTA + 2);
    expect(limited).toBeGreaterThan(0);

    const wrongProject = await postEnvelope(t.url, { ...dsn, projectId: dsn.projectId + 1000 }, 'x');
    expect(wrongProject.status).toBe(403);
    const badBody = await postEnvelope(t.url, dsn, 'this is not an envelope\n{');
    expect(badBody.status).toBe(400);
    const noAuth = await fetch(`${t.url}/api/${dsn.projectId}/store/`, { method: 'POST', body: '{}' });
    expect(noAuth.status).toBe(401);

    await t.server.worker.drain();
    const db = t.database.db.region;
    await db.transaction().execute((trx) =>
      enqueueNotifications(
        trx,
        [1, 2].map((n) => ({
          channel: 'email' as const,
          message: { to: `ops${n}@example.com`, subject: 's', text: 't', html: '<p>t</p>' },
          ruleId: null,
          projectId: null,
          issueId: null,
        })),
        Date.now() + 3_600_000,
      ),
    );
    const pending = await db
      .selectFrom('notification_outbox')
      .where('status', '=', 'pending')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    const m = await scrape();
    expect(m.types.get('errata_ingest_accepted_total')).toBe('counter');
    expect(m.value('errata_ingest_accepted_total', { endpoint: 'envelope' })).toBe(accepted);
    expect(m.value('errata_ingest_refused_total', { endpoint: 'envelope', reason: 'rate_limited' })).toBe(
      limited,
    );
    expect(m.value('errata_ingest_refused_total', { endpoint: 'envelope', reason: 'forbidden' })).toBe(1);
    expect(m.value('errata_ingest_refused_total', { endpoint: 'envelope', reason: 'invalid' })).toBe(1);
    expect(m.value('errata_ingest_refused_total', { endpoint: 'store', reason: 'unauthenticated' })).toBe(1);
    expect(m.sum('errata_ingest_refused_total')).toBe(limited + 3);

    expect(m.value('errata_digested_envelopes_total')).toBe(accepted);
    expect(m.value('errata_digest_queue_depth')).toBe(0);
    expect(m.value('errata_digest_lag_seconds')).toBe(0);
    expect(m.value('errata_digest_set_aside')).toBe(0);
    expect(m.value('errata_outbox_depth')).toBe(Number(pending.n));
    expect(m.value('errata_outbox_depth')).toBeGreaterThanOrEqual(2);

    const route = '/api/:projectId/envelope/';
    expect(m.value('errata_http_requests_total', { method: 'POST', route, status: '200' })).toBe(accepted);
    expect(m.value('errata_http_requests_total', { method: 'POST', route, status: '429' })).toBe(limited);
    expect(m.value('errata_http_requests_total', { method: 'POST', route, status: '403' })).toBe(1);
    // Raw URLs never become labels: one series per route pattern.
    expect(m.samples.some((s) => s.labels.route?.includes(String(dsn.projectId)))).toBe(false);

    expect(m.types.get('errata_db_query_duration_seconds')).toBe('histogram');
    // The HTTP thread looked keys up; the writer thread committed and digested.
    for (const connection of ['http', 'writer']) {
      const count = m.value('errata_db_query_duration_seconds_count', { connection, outcome: 'ok' }) ?? 0;
      expect(count, connection).toBeGreaterThan(0);
      const inf = m.value('errata_db_query_duration_seconds_bucket', {
        connection,
        outcome: 'ok',
        le: '+Inf',
      });
      expect(inf).toBe(count);
    }
  });

  it('counts a scrape of the main port under its route, and digest lag while envelopes wait', async () => {
    await t.server.worker.stop();
    const before = Date.now();
    // A new minute's quota may or may not be left: whatever was acknowledged now waits for digest.
    const waiting: number[] = [];
    for (let i = 0; i < 2; i++) {
      waiting.push(
        (await postEnvelope(t.url, dsn, eventEnvelope(errorEvent({ event_id: newEventId() })))).status,
      );
    }
    const queued = waiting.filter((s) => s === 200).length;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const m = await scrape(`${t.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(m.value('errata_digest_queue_depth')).toBe(queued);
    if (queued > 0) {
      const lag = m.value('errata_digest_lag_seconds') as number;
      expect(lag).toBeGreaterThanOrEqual(1);
      expect(lag).toBeLessThanOrEqual((Date.now() - before) / 1000 + 1);
    }
    t.server.worker.start();
    await t.server.worker.drain();
    const again = await scrape();
    expect(
      again.value('errata_http_requests_total', { method: 'GET', route: '/metrics', status: '200' }),
    ).toBe(1);
  });

  it('answers /metrics on the main port only to the token', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain('errata_');
  });
});

describe('metrics, off by default', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(TEST_ENGINES[0] ?? 'sqlite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has no /metrics on the main port and no listener', async () => {
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'The requested resource does not exist' });
    expect(t.server.metricsServer).toBeNull();
  });
});
