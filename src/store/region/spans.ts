import type { Kysely, Selectable } from 'kysely';
import type { RegionSchema, SpanTable } from '../schema.js';

type Db = Kysely<RegionSchema>;

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
}

export interface Span extends NewSpan {
  readonly id: number;
}

// 11 parameters a row: 500 rows stay far below SQLite's and PostgreSQL's parameter limits.
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
