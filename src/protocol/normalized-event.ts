import type { JsProcessingError } from './js-frames.js';

/**
 * The typed view of one event that `digest/` works from, built by `normalizeEvent`: the fields
 * digest decides or indexes by. Field names are camelCase; `data` keeps the payload exactly
 * as the SDK sent it (snake_case, unknown fields included) for storage, grouping and display, which
 * read stack frames, threads, breadcrumbs and modules from there: normalizing those for every
 * event, only to drop them, would cost more than the rest of its normalization.
 * Optional fields are absent, never `null`. Times are epoch milliseconds.
 */
export interface NormalizedEvent {
  /** 32 lowercase hex. */
  eventId: string;
  type: EventType;
  /** When the event happened, after clock-drift correction and bounds (see `problems`). */
  timestamp: number;
  /**
   * How far the client's clock was behind (ms) when that was corrected, to be added to its other
   * timestamps too (breadcrumbs); absent when it was not.
   */
  clockDriftMs?: number;
  receivedAt: number;
  level: EventLevel;
  /** `other` when the SDK sent none. */
  platform: string;
  logger?: string;
  transaction?: string;
  serverName?: string;
  release?: string;
  dist?: string;
  environment?: string;
  /** Only when an old client sent one; otherwise grouping derives it. */
  culprit?: string;
  message?: EventMessage;
  /** Valid tags in order: object keys sorted, pair lists as sent, first occurrence of a key kept. */
  tags: EventTag[];
  user?: EventUser;
  /** Only entries that are objects; e.g. `os`, `runtime`, `trace`, or a custom name. */
  contexts: Record<string, Record<string, unknown>>;
  /** The chain oldest (innermost cause) first; the last one is the main exception. */
  exceptions: EventException[];
  request?: EventRequest;
  sdk?: EventSdk;
  /** Absent when not sent or empty, so "has a custom fingerprint" is `fingerprint !== undefined`. */
  fingerprint?: string[];
  /** Legacy client-computed grouping hash. */
  checksum?: string;
  extra: Record<string, unknown>;
  /** What normalization dropped, cut or replaced, like Sentry's event `errors`. */
  problems: EventProblem[];
  /** Why stack frames could not be symbolicated (digest adds them after normalization); listed after `problems`. */
  processingErrors?: JsProcessingError[];
  /**
   * The payload fields symbolication rewrote in `data` (mapped frames, `raw_stacktrace`), each also
   * as JSON text: the stored document appends those over the payload's own.
   */
  symbolicated?: { readonly [F in SymbolicatedField]?: string };
  /** The payload as received, or its trimmed copy when it was beyond the bounds of `event-bounds.ts`. */
  data: Record<string, unknown>;
  /** Set when `data` is a trimmed copy: the payload's own text then no longer stands for it. */
  dataTrimmed?: true;
}

/** The fields of an event that hold stack traces. */
export type SymbolicatedField = 'exception' | 'threads' | 'stacktrace';

export type EventType = 'error' | 'default' | 'transaction' | 'feedback';

export type EventLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

export type EventTag = readonly [key: string, value: string];

/** A name/value pair list, as headers, cookies and query strings end up. */
export type EventPair = readonly [name: string, value: string];

export interface EventMessage {
  /** The final text: `formatted` as sent, else the template with its params filled in. */
  formatted: string;
  /** The raw template (`logentry.message`), when the SDK sent one: grouping prefers it. */
  template?: string;
  params?: unknown[] | Record<string, unknown>;
}

export interface EventException {
  type?: string;
  value?: string;
  module?: string;
  threadId?: string | number;
  mechanism?: ExceptionMechanism;
}

export interface ExceptionMechanism {
  type: string;
  handled?: boolean;
  /** True when `type` is made up by the SDK (e.g. a captured message): grouping ignores it. */
  synthetic?: boolean;
  description?: string;
  helpLink?: string;
  exceptionId?: number;
  parentId?: number;
  isExceptionGroup?: boolean;
  /** Where in the parent this exception came from, e.g. `cause`. */
  source?: string;
  /** Platform error codes, e.g. `ns_error: { domain, code }`. */
  meta?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

export interface EventUser {
  id?: string;
  email?: string;
  username?: string;
  ipAddress?: string;
  name?: string;
  geo?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

export interface EventRequest {
  url?: string;
  method?: string;
  queryString?: EventPair[];
  fragment?: string;
  cookies?: EventPair[];
  headers?: EventPair[];
  data?: unknown;
  env?: Record<string, unknown>;
}

export interface EventSdk {
  name: string;
  version: string;
  integrations?: string[];
  packages?: { name: string; version: string }[];
}

/** One thing normalization changed, named by the event path it concerns (e.g. `tags.bad key`). */
export interface EventProblem {
  type: 'invalid_data' | 'value_too_long' | 'clock_drift' | 'future_timestamp' | 'past_timestamp';
  name: string;
  value?: unknown;
}
