import { type Kysely, sql } from 'kysely';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';
import { storedDocument } from './events.js';

type Db = Kysely<RegionSchema>;

// One trace across the projects a caller reaches: its spans, the transactions they came in, its
// errors, and the counts the trace view shows above them. A trace is a small set of rows found by
// index (spans by project and trace id, events and logs by trace id); nothing here scans a project.

/** Which trace, in which projects and time range (epoch ms, inclusive). */
export interface TraceScope {
  readonly projectIds: readonly number[];
  /** 32 lowercase hex. */
  readonly traceId: string;
  readonly start: number;
  readonly end: number;
}

/** A span of the trace as stored; `data` is the JSON text the SDK sent, parsed only where needed. */
export interface TraceSpanRow {
  readonly projectId: number;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly transactionEventId: string | null;
  readonly op: string | null;
  readonly description: string | null;
  readonly status: string | null;
  readonly startTimestamp: number;
  readonly timestamp: number;
  readonly data: string;
}

/** The transaction event a v1 span came in: its name and its stored document. */
export interface TraceTransaction {
  readonly projectId: number;
  readonly eventId: string;
  readonly name: string | null;
  readonly document: Record<string, unknown>;
}

/** An error event of the trace with the issue it belongs to. */
export interface TraceError {
  readonly projectId: number;
  readonly eventId: string;
  readonly timestamp: number;
  readonly level: string;
  readonly title: string;
  readonly transactionName: string | null;
  readonly issueId: number;
  readonly shortId: number;
  readonly culprit: string;
  /** `contexts.trace.span_id` of the event: the span it happened in, if it says. */
  readonly spanId: string | null;
}

/**
 * The trace's spans in these projects that overlap the time range, earliest first, at most `limit`.
 */
export async function findTraceSpans(db: Db, scope: TraceScope, limit: number): Promise<TraceSpanRow[]> {
  if (scope.projectIds.length === 0) return [];
  const rows = await db
    .selectFrom('spans')
    .select([
      'project_id',
      'span_id',
      'parent_span_id',
      'transaction_event_id',
      'op',
      'description',
      'status',
      'start_timestamp',
      'timestamp',
      'data',
    ])
    .where('project_id', 'in', [...scope.projectIds])
    .where('trace_id', '=', scope.traceId)
    .where('start_timestamp', '<=', scope.end)
    .where('timestamp', '>=', scope.start)
    .orderBy('start_timestamp')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    projectId: r.project_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    transactionEventId: r.transaction_event_id,
    op: r.op,
    description: r.description,
    status: r.status,
    startTimestamp: r.start_timestamp,
    timestamp: r.timestamp,
    data: r.data,
  }));
}

/** Ids per IN list: far below either engine's parameter limit. */
const IN_CHUNK = 500;

/** The transaction events of these ids in the project (the ones a trace's v1 spans name). */
export async function findTraceTransactions(
  db: Db,
  refs: readonly { readonly projectId: number; readonly eventId: string }[],
): Promise<TraceTransaction[]> {
  const byProject = new Map<number, string[]>();
  for (const ref of refs)
    byProject.set(ref.projectId, [...(byProject.get(ref.projectId) ?? []), ref.eventId]);
  const found: TraceTransaction[] = [];
  for (const [projectId, ids] of byProject) {
    for (let at = 0; at < ids.length; at += IN_CHUNK) {
      const rows = await db
        .selectFrom('events')
        .select(['project_id', 'event_id', 'transaction_name', 'data', 'data_packed'])
        .where('project_id', '=', projectId)
        .where('event_id', 'in', ids.slice(at, at + IN_CHUNK))
        .where('type', '=', 'transaction')
        .execute();
      for (const r of rows) {
        found.push({
          projectId: r.project_id,
          eventId: r.event_id,
          name: r.transaction_name,
          document: JSON.parse(storedDocument(r)) as Record<string, unknown>,
        });
      }
    }
  }
  return found;
}

function spanIdOf(document: Record<string, unknown>): string | null {
  const contexts = document.contexts;
  const trace =
    contexts && typeof contexts === 'object' ? (contexts as Record<string, unknown>).trace : undefined;
  const id = trace && typeof trace === 'object' ? (trace as Record<string, unknown>).span_id : undefined;
  return typeof id === 'string' ? id.toLowerCase() : null;
}

/**
 * The trace's error events (those grouped into an issue) in these projects and time range, at
 * most `limit`; the event `first` names, if it is one of them, comes first so that a limit never
 * drops it.
 */
export async function findTraceErrors(
  db: Db,
  scope: TraceScope,
  limit: number,
  first: string | null = null,
): Promise<TraceError[]> {
  if (scope.projectIds.length === 0) return [];
  let query = db
    .selectFrom('events')
    .innerJoin('issues', 'issues.id', 'events.issue_id')
    .select([
      'events.project_id',
      'events.event_id',
      'events.timestamp',
      'events.level',
      'events.title',
      'events.transaction_name',
      'events.data',
      'events.data_packed',
      'issues.id as issue_id',
      'issues.short_id',
      'issues.culprit',
    ])
    .where('events.trace_id', '=', scope.traceId)
    .where('events.project_id', 'in', [...scope.projectIds])
    .where('events.timestamp', '>=', scope.start)
    .where('events.timestamp', '<=', scope.end);
  if (first !== null) {
    query = query.orderBy(sql`case when ${sql.ref('events.event_id')} = ${first} then 0 else 1 end`);
  }
  const rows = await query.orderBy('events.event_id').limit(limit).execute();
  return rows.map((r) => ({
    projectId: r.project_id,
    eventId: r.event_id,
    timestamp: r.timestamp,
    level: r.level,
    title: r.title,
    transactionName: r.transaction_name,
    issueId: r.issue_id,
    shortId: r.short_id,
    culprit: r.culprit,
    spanId: spanIdOf(JSON.parse(storedDocument(r)) as Record<string, unknown>),
  }));
}

/** What the trace holds, counted: trace-meta's numbers. */
export interface TraceCounts {
  readonly spans: number;
  /** Spans per op; spans without one under "". */
  readonly spansByOp: ReadonlyMap<string, number>;
  /** Spans per transaction: the transaction event a v1 span came in, or a v2 span's segment id. */
  readonly spansByTransaction: ReadonlyMap<string, number>;
  readonly errors: number;
  readonly logs: number;
}

/** A v2 span's segment id from its stored JSON, on either engine. */
function segmentId(engine: Engine) {
  return engine === 'postgres'
    ? sql<
        string | null
      >`(cast(${sql.ref('data')} as jsonb) -> 'attributes' -> 'sentry.segment.id' ->> 'value')`
    : sql<string | null>`(${sql.ref('data')} -> 'attributes' -> 'sentry.segment.id' ->> 'value')`;
}

/** Counts the trace's spans (by op and by transaction), errors and logs in the scope. */
export async function countTrace(db: Db, engine: Engine, scope: TraceScope): Promise<TraceCounts> {
  if (scope.projectIds.length === 0) {
    return { spans: 0, spansByOp: new Map(), spansByTransaction: new Map(), errors: 0, logs: 0 };
  }
  const projectIds = [...scope.projectIds];
  const spans = db
    .selectFrom('spans')
    .where('project_id', 'in', projectIds)
    .where('trace_id', '=', scope.traceId)
    .where('start_timestamp', '<=', scope.end)
    .where('timestamp', '>=', scope.start);
  const transaction = sql<string | null>`coalesce(${sql.ref('transaction_event_id')}, ${segmentId(engine)})`;
  const [byOp, byTransaction, errors, logs] = await Promise.all([
    spans
      .select((eb) => ['op', eb.fn.countAll<number | string>().as('n')])
      .groupBy('op')
      .execute(),
    spans
      .select((eb) => [transaction.as('transaction'), eb.fn.countAll<number | string>().as('n')])
      .groupBy(transaction)
      .execute(),
    db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('trace_id', '=', scope.traceId)
      .where('project_id', 'in', projectIds)
      .where('issue_id', 'is not', null)
      .where('timestamp', '>=', scope.start)
      .where('timestamp', '<=', scope.end)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('logs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('trace_id', '=', scope.traceId)
      .where('project_id', 'in', projectIds)
      .where('timestamp', '>=', scope.start)
      .where('timestamp', '<=', scope.end)
      .executeTakeFirstOrThrow(),
  ]);
  const spansByOp = new Map(byOp.map((r) => [r.op ?? '', Number(r.n)]));
  const spansByTransaction = new Map<string, number>();
  for (const r of byTransaction) if (r.transaction) spansByTransaction.set(r.transaction, Number(r.n));
  return {
    spans: [...spansByOp.values()].reduce((a, b) => a + b, 0),
    spansByOp,
    spansByTransaction,
    errors: Number(errors.n),
    logs: Number(logs.n),
  };
}
