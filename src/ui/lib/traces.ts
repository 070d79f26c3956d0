import { qs } from './router.js';

// A trace as the trace endpoint answers it, the rows its waterfall shows, and the links that lead
// to a trace and to its logs.

export interface TraceError {
  event_id: string;
  event_type: 'error';
  project_id: number;
  project_slug: string;
  transaction: string;
  description: string;
  level: string;
  issue_id: number;
  short_id: string | null;
  culprit: string | null;
  start_timestamp: number;
}

export interface TraceSpan {
  event_id: string;
  event_type: 'span';
  project_id: number;
  project_slug: string;
  transaction: string;
  transaction_id: string;
  is_transaction: boolean;
  op: string;
  name: string;
  description: string;
  parent_span_id: string | null;
  start_timestamp: number;
  end_timestamp: number;
  duration: number;
  sdk_name: string;
  children: TraceSpan[];
  errors: TraceError[];
}

export type TraceItem = TraceSpan | TraceError;

export interface TraceMeta {
  errorsCount: number;
  logsCount: number;
  spansCount: number;
  performanceIssuesCount: number;
  spansCountMap: Record<string, number>;
  transactionChildCountMap: { 'transaction.event_id': string; 'count()': number }[];
}

export const isSpan = (item: TraceItem): item is TraceSpan => item.event_type === 'span';

/** One row of the waterfall: a span at its depth, unless an ancestor of it is collapsed. */
export interface WaterfallRow {
  readonly span: TraceSpan;
  readonly depth: number;
}

/** The rows to show, depth first, skipping the descendants of collapsed spans. */
export function waterfallRows(items: readonly TraceItem[], collapsed: ReadonlySet<string>): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  // Iterative: a trace may nest thousands of spans deep.
  const stack: WaterfallRow[] = items
    .filter(isSpan)
    .map((span) => ({ span, depth: 0 }))
    .reverse();
  while (stack.length > 0) {
    const row = stack.pop() as WaterfallRow;
    rows.push(row);
    if (collapsed.has(row.span.event_id)) continue;
    for (let i = row.span.children.length - 1; i >= 0; i--) {
      stack.push({ span: row.span.children[i] as TraceSpan, depth: row.depth + 1 });
    }
  }
  return rows;
}

/** Every error of the trace with the span it happened in (null: none of the trace's spans). */
export function traceErrors(items: readonly TraceItem[]): { error: TraceError; span: TraceSpan | null }[] {
  const out: { error: TraceError; span: TraceSpan | null }[] = [];
  for (const { span } of waterfallRows(items, new Set())) {
    for (const error of span.errors) out.push({ error, span });
  }
  for (const item of items) if (!isSpan(item)) out.push({ error: item, span: null });
  return out.sort((a, b) => a.error.start_timestamp - b.error.start_timestamp);
}

/** The trace's start and end (epoch seconds) over its spans and errors. */
export function traceBounds(items: readonly TraceItem[]): { start: number; end: number } | null {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const { span } of waterfallRows(items, new Set())) {
    start = Math.min(start, span.start_timestamp);
    end = Math.max(end, span.end_timestamp);
  }
  for (const { error } of traceErrors(items)) {
    start = Math.min(start, error.start_timestamp);
    end = Math.max(end, error.start_timestamp);
  }
  return Number.isFinite(start) ? { start, end } : null;
}

/** "120 ms", "3.4 s", "850 µs". */
export function duration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/** A trace id as the event's trace context names it, when it is a well-formed one. */
export function traceIdOf(contexts: Record<string, Record<string, unknown>> | undefined): string | null {
  const id = contexts?.trace?.trace_id;
  if (typeof id !== 'string') return null;
  const normal = id.toLowerCase().replaceAll('-', '');
  return TRACE_ID.test(normal) ? normal : null;
}

const orgPath = (org: string) => `/organizations/${encodeURIComponent(org)}`;

/**
 * The trace page; `timestamp` (epoch seconds) narrows the search to days around it, `errorId`
 * marks that error's span.
 */
export function tracePath(
  org: string,
  traceId: string,
  near?: { timestamp?: number; errorId?: string },
): string {
  return `${orgPath(org)}/explore/traces/trace/${traceId}/${qs({
    timestamp: near?.timestamp === undefined ? null : Math.floor(near.timestamp),
    errorId: near?.errorId,
  })}`;
}

/** The Logs page filtered to one trace, in a window around it when one is given (epoch ms). */
export function traceLogsPath(org: string, traceId: string, around?: { start: number; end: number }): string {
  return `${orgPath(org)}/explore/logs/${qs({
    query: `trace:${traceId}`,
    start: around ? new Date(around.start).toISOString() : null,
    end: around ? new Date(around.end).toISOString() : null,
  })}`;
}

/** How far either side of an event its logs are looked for: the trace's, or the project's then. */
const TRACE_LOGS_MARGIN_MS = 24 * 3_600_000;
const NEARBY_LOGS_MARGIN_MS = 5 * 60_000;

/**
 * "Logs around this event": the logs of its trace (a day either side, for traces older than the
 * Logs page's default range), or, when it has none, its project's logs five minutes either side.
 */
export function logsAroundEventPath(
  org: string,
  event: { dateCreated: string; projectID: string; contexts?: Record<string, Record<string, unknown>> },
): string {
  const at = Date.parse(event.dateCreated);
  const traceId = traceIdOf(event.contexts);
  if (traceId)
    return traceLogsPath(org, traceId, { start: at - TRACE_LOGS_MARGIN_MS, end: at + TRACE_LOGS_MARGIN_MS });
  return `${orgPath(org)}/explore/logs/${qs({
    project: event.projectID,
    start: new Date(at - NEARBY_LOGS_MARGIN_MS).toISOString(),
    end: new Date(at + NEARBY_LOGS_MARGIN_MS).toISOString(),
  })}`;
}
