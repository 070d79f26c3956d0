import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { RegionSchema, SpanTable } from '../schema.js';
import type { ItemSource } from './item-query.js';

type Db = Kysely<RegionSchema>;
type Eb = ExpressionBuilder<RegionSchema, 'spans'>;

/**
 * One span, from a transaction or sent on its own. Times are epoch milliseconds that keep the
 * sub-millisecond part the SDK sent (spans are often shorter than a millisecond).
 */
export interface NewSpan {
  readonly projectId: number;
  /** 32 lowercase hex. */
  readonly traceId: string;
  /** 16 lowercase hex. */
  readonly spanId: string;
  readonly parentSpanId: string | null;
  /** The transaction event the span came in; null for a span sent on its own. */
  readonly transactionEventId: string | null;
  readonly op: string | null;
  readonly description: string | null;
  readonly status: string | null;
  readonly startTimestamp: number;
  readonly timestamp: number;
  /** The span object as the SDK sent it. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The name of the transaction (segment) the span belongs to. */
  readonly transactionName: string | null;
  /** The span id of that transaction's root span. */
  readonly segmentId: string | null;
  /** Whether this span is that root: a transaction of its own. */
  readonly isSegment: boolean;
  readonly environment: string | null;
  readonly release: string | null;
}

export interface Span extends NewSpan {
  readonly id: number;
}

// 16 parameters a row: 500 rows stay far below SQLite's and PostgreSQL's parameter limits.
const ROWS_PER_INSERT = 500;

function toSpan(row: Selectable<SpanTable>): Span {
  return {
    id: row.id,
    projectId: row.project_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    transactionEventId: row.transaction_event_id,
    op: row.op,
    description: row.description,
    status: row.status,
    startTimestamp: row.start_timestamp,
    timestamp: row.timestamp,
    data: JSON.parse(row.data) as Record<string, unknown>,
    transactionName: row.transaction_name,
    segmentId: row.segment_id,
    isSegment: row.is_segment === 1,
    environment: row.environment,
    release: row.release,
  };
}

export async function insertSpans(db: Db, spans: readonly NewSpan[]): Promise<void> {
  for (let i = 0; i < spans.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('spans')
      .values(
        spans.slice(i, i + ROWS_PER_INSERT).map((s) => ({
          project_id: s.projectId,
          trace_id: s.traceId,
          span_id: s.spanId,
          parent_span_id: s.parentSpanId,
          transaction_event_id: s.transactionEventId,
          op: s.op,
          description: s.description,
          status: s.status,
          start_timestamp: s.startTimestamp,
          timestamp: s.timestamp,
          data: JSON.stringify(s.data),
          transaction_name: s.transactionName,
          segment_id: s.segmentId,
          is_segment: s.isSegment ? 1 : 0,
          environment: s.environment,
          release: s.release,
        })),
      )
      // A span sent again (a retried envelope) is kept once.
      .onConflict((oc) => oc.columns(['project_id', 'trace_id', 'span_id']).doNothing())
      .execute();
  }
}

/** The spans of one trace in the project, earliest first. */
export async function findSpansByTrace(db: Db, projectId: number, traceId: string): Promise<Span[]> {
  const rows = await db
    .selectFrom('spans')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('trace_id', '=', traceId)
    .orderBy('start_timestamp')
    .orderBy('id')
    .execute();
  return rows.map(toSpan);
}

/** The columns a dataset field may read. */
export type SpanColumn =
  | 'project_id'
  | 'trace_id'
  | 'span_id'
  | 'parent_span_id'
  | 'transaction_event_id'
  | 'op'
  | 'description'
  | 'status'
  | 'start_timestamp'
  | 'timestamp'
  | 'transaction_name'
  | 'segment_id'
  | 'is_segment'
  | 'environment'
  | 'release';

/**
 * What a dataset field reads: a column, or a value made of columns: `duration` (ms, end minus
 * start), `status` (`unknown` for a span that gave none, as Relay fills it in for transactions),
 * `event_or_span_id` (the transaction event's id, or the span id of a root that came without one).
 */
export type SpanRef =
  | { readonly column: SpanColumn }
  | { readonly derived: 'duration' | 'status' | 'event_or_span_id' };

/** The spans table for the events endpoint's queries (item-query.ts). */
export const SPAN_ITEMS: ItemSource<SpanRef> = {
  table: 'spans',
  timeColumn: 'start_timestamp',
  value(eb, _engine, ref) {
    const e = eb as Eb;
    if ('column' in ref) return e.ref(`spans.${ref.column}`);
    switch (ref.derived) {
      case 'duration':
        return sql<number>`(${e.ref('spans.timestamp')} - ${e.ref('spans.start_timestamp')})`;
      case 'status':
        return sql<string>`coalesce(${e.ref('spans.status')}, 'unknown')`;
      case 'event_or_span_id':
        return sql<string>`coalesce(${e.ref('spans.transaction_event_id')}, ${e.ref('spans.span_id')})`;
    }
  },
};
