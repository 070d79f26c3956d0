import { JS_PROCESSING_ERROR_MESSAGES, type JsProcessingErrorType } from '../../protocol/js-frames.js';
import type { StoredEvent } from '../../store/region/issue-reads.js';
import type { UserReport } from '../../store/region/user-reports.js';
import { isoDate } from './dates.js';
import { serializeUserReport } from './user-report.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const list = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : Array.isArray(obj(v)?.values) ? (obj(v)?.values as unknown[]) : [];

/** A stack frame with Sentry's API names (camelCase, `context` as [line, text] pairs). */
function frame(f: Json) {
  const lineNo = typeof f.lineno === 'number' ? f.lineno : null;
  const pre = Array.isArray(f.pre_context) ? (f.pre_context as string[]) : [];
  const post = Array.isArray(f.post_context) ? (f.post_context as string[]) : [];
  const context: [number, string][] = [];
  if (lineNo !== null && typeof f.context_line === 'string') {
    for (const [i, line] of pre.entries()) context.push([lineNo - pre.length + i, line]);
    context.push([lineNo, f.context_line]);
    for (const [i, line] of post.entries()) context.push([lineNo + 1 + i, line]);
  }
  return {
    filename: f.filename ?? null,
    absPath: f.abs_path ?? null,
    module: f.module ?? null,
    package: f.package ?? null,
    platform: f.platform ?? null,
    instructionAddr: f.instruction_addr ?? null,
    symbolAddr: f.symbol_addr ?? null,
    function: f.function ?? null,
    rawFunction: f.raw_function ?? null,
    symbol: f.symbol ?? null,
    context,
    lineNo,
    colNo: typeof f.colno === 'number' ? f.colno : null,
    inApp: f.in_app === true,
    trust: null,
    errors: null,
    vars: f.vars ?? null,
  };
}

function stacktrace(value: unknown) {
  const frames = list(obj(value)?.frames).map((f) => frame(obj(f) ?? {}));
  if (frames.length === 0) return null;
  return { frames, framesOmitted: null, registers: null, hasSystemFrames: frames.some((f) => !f.inApp) };
}

function exceptionEntry(data: Json) {
  const values = list(data.exception).map((v) => {
    const e = obj(v) ?? {};
    return {
      type: e.type ?? null,
      value: e.value ?? null,
      module: e.module ?? null,
      mechanism: e.mechanism ?? null,
      threadId: e.thread_id ?? null,
      stacktrace: stacktrace(e.stacktrace),
      // The frames as the SDK sent them, when symbolication mapped some.
      rawStacktrace: stacktrace(e.raw_stacktrace),
    };
  });
  return values.length === 0
    ? null
    : {
        type: 'exception',
        data: {
          values,
          hasSystemFrames: values.some((v) => v.stacktrace?.hasSystemFrames),
          excOmitted: null,
        },
      };
}

function breadcrumbsEntry(data: Json) {
  const values = list(data.breadcrumbs).map((v) => {
    const b = obj(v) ?? {};
    const ts = typeof b.timestamp === 'number' ? isoDate(b.timestamp * 1000) : (b.timestamp ?? null);
    return {
      type: b.type ?? 'default',
      category: b.category ?? null,
      level: b.level ?? 'info',
      message: b.message ?? null,
      data: b.data ?? null,
      timestamp: ts,
      event_id: b.event_id ?? null,
    };
  });
  return values.length === 0 ? null : { type: 'breadcrumbs', data: { values } };
}

function requestEntry(data: Json) {
  const r = obj(data.request);
  if (!r) return null;
  return {
    type: 'request',
    data: {
      url: r.url ?? null,
      method: r.method ?? null,
      query: r.query_string ?? [],
      fragment: r.fragment ?? null,
      data: r.data ?? null,
      headers: Array.isArray(r.headers) ? r.headers : Object.entries(obj(r.headers) ?? {}),
      cookies: Array.isArray(r.cookies) ? r.cookies : Object.entries(obj(r.cookies) ?? {}),
      env: r.env ?? null,
      inferredContentType: null,
    },
  };
}

function messageEntry(data: Json) {
  const logentry = obj(data.logentry);
  const formatted =
    typeof logentry?.formatted === 'string'
      ? logentry.formatted
      : typeof data.message === 'string'
        ? data.message
        : null;
  if (formatted === null) return null;
  return {
    type: 'message',
    data: { formatted, message: logentry?.message ?? null, params: logentry?.params ?? null },
  };
}

function threadsEntry(data: Json) {
  const values = list(data.threads).map((v) => {
    const t = obj(v) ?? {};
    return {
      id: t.id ?? null,
      name: t.name ?? null,
      crashed: t.crashed === true,
      current: t.current === true,
      stacktrace: stacktrace(t.stacktrace),
      rawStacktrace: stacktrace(t.raw_stacktrace),
    };
  });
  return values.length === 0 ? null : { type: 'threads', data: { values } };
}

function userOf(data: Json) {
  const u = obj(data.user);
  if (!u) return null;
  return {
    id: u.id === undefined ? null : String(u.id),
    email: u.email ?? null,
    username: u.username ?? null,
    ip_address: u.ip_address ?? null,
    name: u.name ?? null,
    geo: u.geo ?? null,
    data: u.data ?? null,
  };
}

/** A processing error as Sentry's API gives it: its type, Sentry's words for it, and its fields. */
function eventError(value: unknown) {
  const { type, message, ...fields } = obj(value) ?? {};
  const known = typeof type === 'string' && Object.hasOwn(JS_PROCESSING_ERROR_MESSAGES, type);
  return {
    type: type ?? 'unknown',
    message: known ? JS_PROCESSING_ERROR_MESSAGES[type as JsProcessingErrorType] : (message ?? ''),
    data: fields,
  };
}

/** The event list item Sentry returns (issue and project event lists). */
export function serializeEventSummary(event: StoredEvent) {
  const data = event.data;
  return {
    id: event.eventId,
    'event.type': event.type,
    groupID: event.issueId === null ? null : String(event.issueId),
    eventID: event.eventId,
    projectID: String(event.projectId),
    message: event.message,
    title: event.title,
    location: event.culprit,
    culprit: event.culprit,
    user: userOf(data),
    tags: event.tags.map(([key, value]) => ({ key, value })),
    platform: event.platform,
    dateCreated: isoDate(event.timestamp),
    dateReceived: isoDate(event.receivedAt),
    crashFile: null,
    metadata: obj(data.metadata) ?? {},
  };
}

/**
 * Sentry's full event: entries for exception, threads, message, breadcrumbs and request, contexts,
 * SDK, and the newest user report about it (`userReport`), if any.
 */
export function serializeEvent(
  event: StoredEvent,
  neighbours: { previous: string | null; next: string | null },
  userReport: UserReport | null = null,
) {
  const data = event.data;
  const grouping = obj(data.grouping);
  const entries = [
    exceptionEntry(data),
    threadsEntry(data),
    messageEntry(data),
    breadcrumbsEntry(data),
    requestEntry(data),
  ].filter((e) => e !== null);
  const sdk = obj(data.sdk);
  return {
    ...serializeEventSummary(event),
    type: event.type,
    size: Buffer.byteLength(JSON.stringify(data)),
    entries,
    dist: data.dist ?? null,
    sdk: sdk
      ? {
          name: sdk.name ?? null,
          version: sdk.version ?? null,
          integrations: sdk.integrations ?? [],
          packages: sdk.packages ?? [],
        }
      : null,
    contexts: obj(data.contexts) ?? {},
    context: obj(data.extra) ?? {},
    packages: obj(data.modules) ?? {},
    environment: event.environment,
    release: event.release ? { version: event.release } : null,
    fingerprints: Array.isArray(grouping?.hashes) ? grouping.hashes : [],
    groupingConfig: {
      id: typeof grouping?.mechanism === 'string' ? grouping.mechanism : 'errata:2026-11',
      enhancements: '',
    },
    errors: (Array.isArray(data.errors) ? data.errors : []).map(eventError),
    occurrence: null,
    _meta: {},
    userReport: userReport && serializeUserReport(userReport, { eventStored: true }),
    sdkUpdates: [] as unknown[],
    resolvedWith: [] as unknown[],
    nextEventID: neighbours.next,
    previousEventID: neighbours.previous,
    startTimestamp: typeof data.start_timestamp === 'number' ? data.start_timestamp : null,
    endTimestamp: typeof data.timestamp === 'number' ? data.timestamp : null,
    measurements: data.measurements ?? null,
    breakdowns: null,
  };
}
