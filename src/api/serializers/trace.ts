import type { TraceError, TraceSpanRow, TraceTransaction } from '../../store/region/traces.js';

// Sentry's trace (`GET /organizations/:org/trace/:trace_id/`): the spans as a forest, each span
// with its child spans, the errors that happened in it, and its occurrences (performance issues,
// which Errata does not detect: always empty). A span whose parent is not among the spans read (it
// never arrived, or its project is out of the caller's reach) is a root; an error whose span is
// not among them is listed beside the roots, after them.

/** Sentry's group type of error issues. */
const ERROR_ISSUE_TYPE = 1;

export interface SerializedTraceError {
  event_id: string;
  event_type: 'error';
  project_id: number;
  project_slug: string;
  transaction: string;
  description: string;
  level: string;
  issue_id: number;
  issue_type: number;
  culprit: string | null;
  short_id: string | null;
  start_timestamp: number;
}

export interface SerializedTraceSpan {
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
  profile_id: string;
  profiler_id: string;
  measurements: Record<string, number>;
  browser_web_vital: Record<string, number>;
  mobile_app_vital: Record<string, number>;
  additional_attributes: Record<string, unknown>;
  children: SerializedTraceSpan[];
  errors: SerializedTraceError[];
  occurrences: SerializedTraceError[];
}

export type SerializedTraceItem = SerializedTraceSpan | SerializedTraceError;

/** What the trace reads besides its spans: the projects' slugs and short-id formatter. */
export interface TraceContext {
  readonly slugs: ReadonlyMap<number, string>;
  readonly shortId: (projectSlug: string, shortId: number) => string;
  /** Names of span attributes to give in `additional_attributes`. */
  readonly attributes: readonly string[];
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A v2 attribute's value (`{value, type}`), or a bare value. */
function attribute(attributes: Json | undefined, name: string): unknown {
  const attr = attributes?.[name];
  const wrapped = obj(attr);
  return wrapped && 'value' in wrapped ? wrapped.value : attr;
}

/** Measurements Sentry's trace gives apart, as web vitals and mobile vitals, by their names there. */
const BROWSER_VITALS: Readonly<Record<string, string>> = {
  lcp: 'browser.web_vital.lcp.value',
  cls: 'browser.web_vital.cls.value',
  inp: 'browser.web_vital.inp.value',
  ttfb: 'browser.web_vital.ttfb.value',
  fcp: 'browser.web_vital.fcp.value',
};
const MOBILE_VITALS: Readonly<Record<string, string>> = {
  app_start_cold: 'app.vitals.start.cold.value',
  app_start_warm: 'app.vitals.start.warm.value',
  time_to_initial_display: 'app.vitals.ttid.value',
  time_to_full_display: 'app.vitals.ttfd.value',
};

interface Measured {
  measurements: Record<string, number>;
  browser: Record<string, number>;
  mobile: Record<string, number>;
}

/** A transaction's `measurements` (`{lcp: {value: 2400}}`) in the trace's three maps. */
function measured(document: Json): Measured {
  const out: Measured = { measurements: {}, browser: {}, mobile: {} };
  for (const [name, m] of Object.entries(obj(document.measurements) ?? {})) {
    const value = obj(m)?.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    out.measurements[`measurements.${name}`] = value;
    const browser = BROWSER_VITALS[name];
    if (browser) out.browser[browser] = value;
    const mobile = MOBILE_VITALS[name];
    if (mobile) out.mobile[mobile] = value;
  }
  return out;
}

/** What a span takes from the transaction event it came in. */
interface TransactionFacts {
  readonly name: string;
  /** The span id of the transaction's own span (`contexts.trace.span_id`). */
  readonly rootSpanId: string | null;
  readonly sdkName: string;
  readonly profileId: string;
  readonly profilerId: string;
  readonly measured: Measured;
}

function transactionFacts(t: TraceTransaction): TransactionFacts {
  const contexts = obj(t.document.contexts);
  const profile = obj(contexts?.profile);
  return {
    name: t.name ?? '',
    rootSpanId: str(obj(contexts?.trace)?.span_id)?.toLowerCase() ?? null,
    sdkName: str(obj(t.document.sdk)?.name) ?? '',
    profileId: str(profile?.profile_id) ?? '',
    profilerId: str(profile?.profiler_id) ?? '',
    measured: measured(t.document),
  };
}

const EMPTY: Measured = { measurements: {}, browser: {}, mobile: {} };

/** A span's own fields, before it has children or errors. */
function spanItem(
  row: TraceSpanRow,
  tx: TransactionFacts | undefined,
  context: TraceContext,
): { item: SerializedTraceSpan; segmentId: string | null } {
  // A transaction's spans need nothing of their JSON but for additional attributes; spans sent on
  // their own carry their segment, SDK and attributes in it.
  const data = tx === undefined || context.attributes.length > 0 ? obj(JSON.parse(row.data)) : undefined;
  const attributes = tx === undefined ? obj(data?.attributes) : undefined;
  const segmentId = tx ? null : (str(attribute(attributes, 'sentry.segment.id'))?.toLowerCase() ?? null);
  const isSegment = tx
    ? tx.rootSpanId === row.spanId
    : typeof data?.is_segment === 'boolean'
      ? data.is_segment
      : segmentId === row.spanId;
  const own = isSegment ? tx?.measured : undefined;
  const additional: Record<string, unknown> = {};
  for (const name of context.attributes) {
    const value = attributeOf(row, data, attributes, name);
    if (value !== undefined) additional[name] = value;
  }
  const item: SerializedTraceSpan = {
    event_id: row.spanId,
    event_type: 'span',
    project_id: row.projectId,
    project_slug: context.slugs.get(row.projectId) ?? '',
    transaction:
      tx?.name ??
      str(attribute(attributes, 'sentry.segment.name')) ??
      str(attribute(attributes, 'sentry.transaction')) ??
      (isSegment ? (row.description ?? '') : ''),
    // A v2 span came in no transaction event: its segment stands for the transaction.
    transaction_id: row.transactionEventId ?? segmentId ?? (isSegment ? row.spanId : ''),
    is_transaction: isSegment,
    op: row.op ?? '',
    name: (tx ? row.op : str(data?.name)) ?? row.op ?? '',
    description: row.description ?? '',
    parent_span_id: row.parentSpanId,
    start_timestamp: row.startTimestamp / 1000,
    end_timestamp: row.timestamp / 1000,
    duration: row.timestamp - row.startTimestamp,
    sdk_name: tx?.sdkName ?? str(attribute(attributes, 'sentry.sdk.name')) ?? '',
    profile_id: tx?.profileId ?? str(attribute(attributes, 'sentry.profile_id')) ?? '',
    profiler_id: tx?.profilerId ?? str(attribute(attributes, 'sentry.profiler_id')) ?? '',
    measurements: (own ?? EMPTY).measurements,
    browser_web_vital: (own ?? EMPTY).browser,
    mobile_app_vital: (own ?? EMPTY).mobile,
    additional_attributes: additional,
    children: [],
    errors: [],
    occurrences: [],
  };
  return { item, segmentId };
}

/**
 * An attribute asked for by name: a v2 attribute, else a key of a v1 span's `data` (the trace
 * context's for a transaction's own span), else one of the span's columns by Sentry's name.
 */
function attributeOf(
  row: TraceSpanRow,
  data: Json | undefined,
  attributes: Json | undefined,
  name: string,
): unknown {
  if (attributes && Object.hasOwn(attributes, name)) return attribute(attributes, name);
  const spanData = obj(data?.data);
  if (spanData && Object.hasOwn(spanData, name)) return spanData[name];
  switch (name) {
    case 'span.status':
    case 'status':
      return row.status ?? undefined;
    case 'span.op':
      return row.op ?? undefined;
    case 'span.description':
      return row.description ?? undefined;
    default:
      return undefined;
  }
}

function errorItem(e: TraceError, context: TraceContext): SerializedTraceError {
  const slug = context.slugs.get(e.projectId) ?? '';
  return {
    event_id: e.eventId,
    event_type: 'error',
    project_id: e.projectId,
    project_slug: slug,
    transaction: e.transactionName ?? '',
    description: e.title,
    level: e.level,
    issue_id: e.issueId,
    issue_type: ERROR_ISSUE_TYPE,
    culprit: e.culprit,
    short_id: context.shortId(slug, e.shortId),
    start_timestamp: e.timestamp / 1000,
  };
}

/**
 * The trace as Sentry answers it: root spans earliest first, each with its children earliest
 * first, then the errors no span of the trace holds. `spans` come earliest first.
 */
export function serializeTrace(
  spans: readonly TraceSpanRow[],
  transactions: readonly TraceTransaction[],
  errors: readonly TraceError[],
  context: TraceContext,
): SerializedTraceItem[] {
  const facts = new Map(transactions.map((t) => [`${t.projectId}:${t.eventId}`, transactionFacts(t)]));
  const items = spans.map((row) => {
    const tx = row.transactionEventId ? facts.get(`${row.projectId}:${row.transactionEventId}`) : undefined;
    return spanItem(row, tx, context);
  });
  const byId = new Map<string, SerializedTraceSpan>();
  for (const { item } of items) if (!byId.has(item.event_id)) byId.set(item.event_id, item);

  // A v2 span whose SDK left out its segment's name takes it from the segment, when that was read.
  for (const { item, segmentId } of items) {
    if (item.transaction === '' && segmentId) item.transaction = byId.get(segmentId)?.transaction ?? '';
  }

  const roots: SerializedTraceSpan[] = [];
  const parentOf = new Map<SerializedTraceSpan, SerializedTraceSpan>();
  for (const { item } of items) {
    const parent = item.parent_span_id ? byId.get(item.parent_span_id) : undefined;
    if (parent && parent !== item) {
      parent.children.push(item);
      parentOf.set(item, parent);
    } else {
      roots.push(item);
    }
  }
  rootCycles(
    items.map((i) => i.item),
    roots,
    parentOf,
  );

  const loose: SerializedTraceError[] = [];
  for (const e of errors) {
    const span = e.spanId ? byId.get(e.spanId) : undefined;
    (span ? span.errors : loose).push(errorItem(e, context));
  }
  return [...roots, ...loose];
}

/**
 * Spans whose parents lead round in a circle reach no root, and would be lost: the earliest of
 * each circle becomes a root (and leaves its parent's children), so that every span is listed.
 */
function rootCycles(
  all: readonly SerializedTraceSpan[],
  roots: SerializedTraceSpan[],
  parentOf: Map<SerializedTraceSpan, SerializedTraceSpan>,
): void {
  const reached = new Set<SerializedTraceSpan>();
  const visit = (from: SerializedTraceSpan) => {
    const stack = [from];
    while (stack.length > 0) {
      const span = stack.pop() as SerializedTraceSpan;
      if (reached.has(span)) continue;
      reached.add(span);
      stack.push(...span.children);
    }
  };
  for (const root of roots) visit(root);
  if (reached.size === all.length) return;
  for (const span of all) {
    if (reached.has(span)) continue;
    const parent = parentOf.get(span) as SerializedTraceSpan;
    parent.children.splice(parent.children.indexOf(span), 1);
    parentOf.delete(span);
    roots.push(span);
    visit(span);
  }
  roots.sort((a, b) => a.start_timestamp - b.start_timestamp);
}
