import { expect } from 'vitest';
import { LOG_CONTENT_TYPE } from '../../../src/digest/items/log.js';
import { errorInSpan, newSpanId, newTraceId, transactionItem } from '../../support/trace-envelopes.js';
import { ORG_TRACE } from '../support/callers.js';
import { type Env, next, sendDigested, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// The trace endpoints: each case sends a trace of its own (a transaction of two spans, an error in
// the child span, a log) and reads it back.

async function withTrace(env: Env, w: World) {
  const traceId = newTraceId();
  const root = newSpanId();
  const child = newSpanId();
  const name = `GET /orders/${next()}-z`;
  const now = env.h.ctx.now() - 60_000;
  const tx = transactionItem(
    traceId,
    name,
    { id: root, parent: null, op: 'http.server', description: name, start: now, end: now + 200 },
    [{ id: child, parent: root, op: 'db', description: `SELECT ${name}`, start: now + 10, end: now + 90 }],
  );
  const error = errorInSpan(traceId, child, `order lost ${name}`, { transaction: name, timestamp: now + 50 });
  await sendDigested(env, w, { headers: {}, items: [tx.item] });
  await sendDigested(env, w, { headers: {}, items: [error.item] });
  await sendDigested(env, w, {
    headers: {},
    items: [
      {
        headers: { type: 'log', item_count: 1, content_type: LOG_CONTENT_TYPE },
        payload: { items: [{ timestamp: (now + 20) / 1000, trace_id: traceId, level: 'info', body: name }] },
      },
    ],
  });
  return { traceId, root, child, name, errorId: error.eventId };
}

export const TRACES_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/trace/:trace_id/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_TRACE,
    prepare: async (env, w) => {
      const t = await withTrace(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/trace/${t.traceId}/?statsPeriod=1h`,
        secrets: [t.name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          const [root, ...rest] = res.json() as {
            event_id: string;
            children: { event_id: string; errors: { event_id: string }[] }[];
          }[];
          expect(rest).toEqual([]);
          expect(root).toMatchObject({ event_id: t.root, transaction: t.name, is_transaction: true });
          expect(root?.children.map((c) => [c.event_id, c.errors.map((e) => e.event_id)])).toEqual([
            [t.child, [t.errorId]],
          ]);
        },
      };
    },
  },
  'GET /organizations/:org/trace-meta/:trace_id/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_TRACE,
    prepare: async (env, w) => {
      const t = await withTrace(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/trace-meta/${t.traceId}/?statsPeriod=1h`,
        secrets: [t.name],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({
            errorsCount: 1,
            logsCount: 1,
            spansCount: 2,
            spansCountMap: { 'http.server': 1, db: 1 },
          });
        },
      };
    },
  },
};
