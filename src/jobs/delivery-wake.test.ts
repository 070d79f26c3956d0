import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../../test/support/engines.js';
import { type HttpReceiver, startHttpReceiver } from '../../test/support/receivers.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { waitFor } from '../../test/support/wait.js';
import { enqueueNotifications } from '../store/region/notification-outbox.js';

// The delivery worker of a running server looks at the outbox as soon as digest has committed,
// not at its next poll: an alert decided in digest is sent within moments.
describe.each(TEST_ENGINES)('a server on %s', (engine) => {
  let t: TestServer;
  let http: HttpReceiver;
  beforeAll(async () => {
    http = await startHttpReceiver();
    // A poll of ten minutes: only the wake after digest can send within this test.
    t = await startTestServer(engine, {
      ERRATA_NOTIFY_POLL_MS: '600000',
      ERRATA_OUTBOUND_ALLOW_PRIVATE: '1',
    });
  });
  afterAll(async () => {
    await t?.close();
    await http?.close();
  });

  it('sends what a digest transaction queued right after it commits', async () => {
    const dsn = new URL(t.server.firstStart?.dsn as string);
    const projectId = Number(dsn.pathname.slice(1));
    const sendEvent = async () => {
      const response = await fetch(`${t.url}/api/${projectId}/store/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${dsn.username}`,
        },
        body: JSON.stringify({ message: 'something broke', level: 'error', platform: 'node' }),
      });
      expect(response.status).toBe(200);
    };
    // The first event starts the writer thread (seconds under tsx): the timing starts after it.
    await sendEvent();
    await t.server.worker.drain();
    await t.server.delivery.drain();

    // What evaluation writes in a digest transaction, here written beside one.
    await enqueueNotifications(
      t.database.db.region,
      [
        {
          channel: 'webhook',
          message: { url: `${http.url}/alert`, body: { a: 1 } },
          ruleId: 1,
          projectId,
          issueId: null,
        },
      ],
      Date.now(),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(http.requests).toEqual([]);

    const started = performance.now();
    await sendEvent();
    await waitFor(() => http.requests.length > 0, { timeoutMs: 5000, what: 'the webhook' });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(http.requests.map((r) => r.path)).toEqual(['/alert']);
  });
});
