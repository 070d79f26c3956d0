import { badRequest, notFound } from '../lib/app-error.js';
import { normalizeEventId } from '../protocol/event-id.js';
import { parseIsoDate } from '../protocol/issue-query.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { formatShortId } from '../protocol/short-id.js';
import { readTraceId } from '../protocol/trace-ids.js';
import {
  countTrace,
  findTraceErrors,
  findTraceSpans,
  findTraceTransactions,
  type TraceScope,
} from '../store/region/traces.js';
import type { Project } from '../store/types.js';
import { orgEndpoint, reachedProjects } from './access.js';
import { readTimeRange } from './org-events.js';
import { queryValues as all, queryValue as one } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { serializeTrace } from './serializers/trace.js';

// One trace across the organization's projects, as Sentry's trace view reads it:
// `GET /organizations/:org/trace/:trace_id/` (the spans as a tree, with the errors in each) and
// `GET /organizations/:org/trace-meta/:trace_id/` (what the trace holds, counted). Like Sentry's,
// both read every project the caller reaches, whatever `project` says: a trace crosses projects.

/** Sentry's range when none is given: its longest statistics period. */
const DEFAULT_PERIOD = '90d';
/** How far from `timestamp` a trace is looked for, each way (Sentry's default buffer). */
const TIMESTAMP_BUFFER_MS = 3 * 86_400_000;
/** Spans and errors one trace answers at most, as Sentry's trace query limits them. */
const MAX_TRACE_SPANS = 10_000;
const MAX_TRACE_ERRORS = 10_000;

function traceIdParam(call: ApiCall): string {
  const raw = call.params.trace_id as string;
  const id = readTraceId(raw);
  if (id === undefined) {
    throw badRequest(
      `Invalid trace id: "${raw.slice(0, 64)}". A trace id is 32 hexadecimal characters (or a UUID with dashes).`,
    );
  }
  return id;
}

/** A `timestamp` parameter: epoch seconds, or an ISO 8601 date. */
function readTimestamp(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = parseIsoDate(text);
  if (date === null) throw badRequest(`Invalid timestamp: ${text.slice(0, 64)}`);
  return date.start;
}

/**
 * The range to read: `statsPeriod` or `start`/`end` (90 days when neither), narrowed to three
 * days each side of `timestamp` when given, as Sentry's trace view sends one to read less.
 */
function readRange(call: ApiCall): { start: number; end: number } {
  const range = readTimeRange(call, DEFAULT_PERIOD);
  const timestamp = one(call.query.timestamp);
  if (!timestamp) return range;
  const at = readTimestamp(timestamp);
  return {
    start: Math.max(range.start, at - TIMESTAMP_BUFFER_MS),
    end: Math.min(range.end, at + TIMESTAMP_BUFFER_MS),
  };
}

/** The caller's standing and the trace's scope; a caller who reaches no project gets Sentry's 404. */
async function traceScope(call: ApiCall): Promise<{ scope: TraceScope; projects: Project[] }> {
  const access = await orgEndpoint(call, PERMISSIONS.trace);
  const traceId = traceIdParam(call);
  const range = readRange(call);
  const projects = await reachedProjects(call, access, PERMISSIONS.trace);
  if (projects.length === 0) throw notFound();
  return { scope: { projectIds: projects.map((p) => p.id), traceId, ...range }, projects };
}

function errorIdParam(call: ApiCall): string | null {
  const raw = one(call.query.errorId);
  if (raw === undefined || raw === '') return null;
  try {
    return normalizeEventId(raw);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw badRequest(`eventId: ${raw.slice(0, 64)} needs to be a valid uuid`);
    throw error;
  }
}

/**
 * The trace: a list of root spans, each with `children`, `errors` and `occurrences`, then the
 * errors of no span read. An unknown trace is an empty list, as in Sentry.
 */
async function getTrace(call: ApiCall) {
  const { scope, projects } = await traceScope(call);
  const errorId = errorIdParam(call);
  const attributes = [...new Set(all(call.query.additional_attributes).filter((a) => a !== ''))];
  const region = call.ctx.db.region;
  const [spans, errors] = await Promise.all([
    findTraceSpans(region, scope, MAX_TRACE_SPANS),
    findTraceErrors(region, scope, MAX_TRACE_ERRORS, errorId),
  ]);
  const refs = new Map<string, { projectId: number; eventId: string }>();
  for (const s of spans) {
    if (s.transactionEventId) {
      refs.set(`${s.projectId}:${s.transactionEventId}`, {
        projectId: s.projectId,
        eventId: s.transactionEventId,
      });
    }
  }
  const transactions = await findTraceTransactions(region, [...refs.values()]);
  return serializeTrace(spans, transactions, errors, {
    slugs: new Map(projects.map((p) => [p.id, p.slug])),
    shortId: formatShortId,
    attributes,
  });
}

/** Sentry's trace-meta: the trace's spans (in all, by op, by transaction), errors and logs, counted. */
async function getTraceMeta(call: ApiCall) {
  const { scope } = await traceScope(call);
  const counts = await countTrace(call.ctx.db.region, call.ctx.db.engine, scope);
  return {
    errorsCount: counts.errors,
    performanceIssuesCount: 0,
    logsCount: counts.logs,
    metricsCount: 0,
    spansCount: counts.spans,
    transactionChildCountMap: [...counts.spansByTransaction]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, n]) => ({ 'transaction.event_id': id, 'count()': n })),
    spansCountMap: Object.fromEntries([...counts.spansByOp].sort(([, a], [, b]) => b - a)),
  };
}

export const traceRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/trace/:trace_id/',
    auth: PERMISSIONS.trace,
    handler: getTrace,
  },
  {
    method: 'GET',
    url: '/organizations/:org/trace-meta/:trace_id/',
    auth: PERMISSIONS.trace,
    handler: getTraceMeta,
  },
];
