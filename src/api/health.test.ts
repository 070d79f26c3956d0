import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEnvelope } from '../../test/ingest/support.js';
import { TEST_ENGINES } from '../../test/support/engines.js';
import { errorEvent, eventEnvelope, newEventId } from '../../test/support/envelopes.js';
import { createHarness, type Harness, makeOrg, makeProject, makeUser } from '../../test/support/harness.js';

// The health endpoints in process, on a moved clock: liveness always, readiness with its checks,
// and digest called stuck only once the oldest queued envelope has not moved for the threshold.
// The database going away is in test/e2e/readiness.test.ts.

const STUCK_SECONDS = 60;

interface ReadyBody {
  status: string;
  failed: string[];
  checks: Record<string, { ok: boolean; error?: string; [detail: string]: unknown }>;
}

describe.each(TEST_ENGINES)('health endpoints (%s)', (engine) => {
  let h: Harness;
  let now = Date.parse('2026-12-01T10:00:00Z');
  let projectId: number;
  let publicKey: string;

  beforeAll(async () => {
    h = await createHarness(
      engine,
      { ERRATA_READY_DIGEST_STUCK_SECONDS: String(STUCK_SECONDS) },
      { now: () => now },
    );
    const owner = await makeUser(h.ctx);
    const made = await makeOrg(h.ctx, owner);
    const { project, key } = await makeProject(h.ctx, made.org, made.team);
    projectId = project.id;
    publicKey = key.publicKey;
  });
  afterAll(async () => {
    await h?.close();
  });

  const ready = async () => {
    const res = await h.request({ method: 'GET', url: '/_health/ready/' });
    return { status: res.statusCode, body: res.json() as ReadyBody };
  };

  it('answers liveness with 200 and no credentials', async () => {
    const res = await h.request({ method: 'GET', url: '/_health/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers ready with each check when the queue is empty', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.failed).toEqual([]);
    expect(body.checks.database?.ok).toBe(true);
    expect(body.checks.digest).toEqual({ ok: true, queued: 0 });
  });

  it('calls digest stuck only after the oldest envelope has not moved for the threshold, and ready once digested', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postEnvelope(
        h,
        projectId,
        publicKey,
        eventEnvelope(errorEvent({ event_id: newEventId() })),
      );
      expect(res.statusCode).toBe(200);
    }
    // Queued long ago as far as the first look knows: a backlog seen for the first time is not stuck.
    now += 10 * STUCK_SECONDS * 1000;
    let answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.body.checks.digest).toMatchObject({
      ok: true,
      queued: 3,
      oldestAgeSeconds: 10 * STUCK_SECONDS,
    });

    now += (STUCK_SECONDS - 1) * 1000;
    expect((await ready()).status).toBe(200);

    now += 1000;
    answer = await ready();
    expect(answer.status).toBe(503);
    expect(answer.body.status).toBe('unready');
    expect(answer.body.failed).toEqual(['digest']);
    expect(answer.body.checks.database?.ok).toBe(true);
    expect(answer.body.checks.digest?.ok).toBe(false);
    expect(answer.body.checks.digest?.error).toMatch(/has waited 60 s without digest moving/);

    await h.worker.drain();
    answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.body.checks.digest).toEqual({ ok: true, queued: 0 });
  });

  it('does not call a moving backlog stuck', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await postEnvelope(
        h,
        projectId,
        publicKey,
        eventEnvelope(errorEvent({ event_id: newEventId() })),
      );
      expect(res.statusCode).toBe(200);
    }
    expect((await ready()).status).toBe(200);
    now += (STUCK_SECONDS - 1) * 1000;
    await h.worker.drain();
    // A newer envelope is now the oldest: digest moved, so the clock of "not moved" starts again.
    const res = await postEnvelope(
      h,
      projectId,
      publicKey,
      eventEnvelope(errorEvent({ event_id: newEventId() })),
    );
    expect(res.statusCode).toBe(200);
    now += 2000;
    expect((await ready()).status).toBe(200);
    await h.worker.drain();
  });
});
