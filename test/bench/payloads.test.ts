import type { Request } from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestRequests, tracingRequests } from '../../bench/lib/payloads.js';
import { ingestProject } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { createHarness, type Harness } from '../support/harness.js';

// The bench counts what it sends by the ids it puts in each request: these must be what the
// server stores, one request a new trace (or event), with times of now.
describe.each(TEST_ENGINES)("the bench's requests on %s", (engine) => {
  let h: Harness;
  let p: Awaited<ReturnType<typeof ingestProject>>;

  beforeAll(async () => {
    h = await createHarness(engine);
    p = await ingestProject(h);
  });
  afterAll(() => h.close());

  const target = () => ({ publicKey: p.key.publicKey, projectId: String(p.project.id) });

  /** Sends `count` requests as autocannon would on one connection, reporting each answer back. */
  async function send([request]: Request[], count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const context: Record<string, unknown> = {};
      const built = request?.setupRequest?.({}, context) as Request;
      const r = await h.app.inject({
        method: 'POST',
        url: built.path as string,
        payload: built.body as Buffer,
        headers: built.headers ?? {},
      });
      expect(r.statusCode, r.body).toBe(200);
      request?.onResponse?.(r.statusCode, r.body, context);
    }
    await h.worker.drain();
  }

  const rowsByTrace = async (table: 'spans' | 'logs') => {
    const rows = await h.ctx.db.region
      .selectFrom(table)
      .where('project_id', '=', p.project.id)
      .select(['trace_id', 'timestamp'])
      .execute();
    const byTrace = new Map<string, number>();
    for (const row of rows) byTrace.set(row.trace_id, (byTrace.get(row.trace_id) ?? 0) + 1);
    return { byTrace, timestamps: rows.map((row) => Number(row.timestamp)) };
  };

  it.each(['spans', 'logs'] as const)(
    '%s: every envelope a new trace, all its items stored',
    async (kind) => {
      const load = tracingRequests(target(), kind);
      await send(load.requests, 3);
      expect(load.acknowledged).toHaveLength(3);
      expect(new Set(load.acknowledged).size).toBe(3);
      const { byTrace, timestamps } = await rowsByTrace(kind);
      expect(load.rowsPerRequest).toBe(kind === 'spans' ? 18 : 11);
      expect(Object.fromEntries(byTrace)).toEqual(
        Object.fromEntries(load.acknowledged.map((id) => [id, load.rowsPerRequest])),
      );
      // Captured long ago, sent as of now (a log envelope has no sent_at to move them by).
      for (const ms of timestamps) expect(Math.abs(ms - Date.now())).toBeLessThan(120_000);
    },
  );

  it('errors: the acknowledged ids are the stored events', async () => {
    const acknowledged: string[] = [];
    await send(ingestRequests(target(), { acknowledged }), 4);
    const stored = await h.ctx.db.region
      .selectFrom('events')
      .where('project_id', '=', p.project.id)
      .select('event_id')
      .execute();
    expect(acknowledged).toHaveLength(4);
    expect(stored.map((e) => e.event_id).sort()).toEqual([...acknowledged].sort());
  });
});
