import { boundEventData } from './event-bounds.js';
import { normalizeExceptions } from './event-exception.js';
import { generateEventId, normalizeEventId } from './event-id.js';
import { normalizeMessage } from './event-message.js';
import { normalizeTags } from './event-tags.js';
import { asLenientString, asObject, asString, compact, type JsonObject } from './json-read.js';
import type {
  EventLevel,
  EventPair,
  EventProblem,
  EventRequest,
  EventSdk,
  EventType,
  EventUser,
  NormalizedEvent,
} from './normalized-event.js';
import { ProtocolError } from './protocol-error.js';
import { releaseVersionProblem } from './release-version.js';
import { boundTimestamp, clockDriftMs, parseTimestamp, type TimestampBounds } from './timestamp.js';

export interface NormalizeOptions {
  /** When the server received the event, epoch ms: the fallback timestamp and the bounds' anchor. */
  receivedAt: number;
  /** The envelope header's `event_id`, which wins over the payload's. */
  eventId?: unknown;
  /** The envelope header's `sent_at`, for clock-drift correction. */
  sentAt?: unknown;
  /** The sender's address, put in place of `{{auto}}` in `user.ip_address`; without it that is dropped. */
  clientIp?: string;
  timestampBounds?: TimestampBounds;
}

/**
 * Parses an `event` item payload or a `/store/` body (already decompressed) as JSON.
 * Throws `ProtocolError` `invalid_event` with Relay's wording, "invalid JSON data".
 */
export function parseEventPayload(payload: Buffer): unknown {
  return parseEventText(payload.toString('utf8'));
}

/** The same, from the payload already decoded as UTF-8 (the caller keeps the text). */
export function parseEventText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ProtocolError('invalid_event', `invalid JSON data: ${(err as Error).message}`);
  }
}

const LEVELS: Readonly<Record<string, EventLevel>> = {
  fatal: 'fatal',
  critical: 'fatal',
  error: 'error',
  warning: 'warning',
  info: 'info',
  log: 'info',
  debug: 'debug',
};
// Python logging's numeric levels.
const NUMERIC_LEVELS: Readonly<Record<number, EventLevel>> = {
  10: 'debug',
  20: 'info',
  30: 'warning',
  40: 'error',
  50: 'fatal',
};

/** A level name (any case; `log` → info, `critical` → fatal) or Python number; undefined if neither. */
export function parseLevel(value: unknown): EventLevel | undefined {
  if (typeof value === 'number') return NUMERIC_LEVELS[value];
  if (typeof value !== 'string') return undefined;
  const name = value.toLowerCase();
  return Object.hasOwn(LEVELS, name) ? LEVELS[name] : undefined;
}

interface TextRule {
  max: number;
  /** Cut to `max` (descriptive text) instead of dropping (identifiers such as release). */
  cut?: boolean;
  /** Accept numbers too (`release: 2`). */
  lenient?: boolean;
  valid?: RegExp;
}

const NO_LINE_BREAKS = /^[^\r\n]*$/;
const TEXT_RULES = {
  logger: { max: 64, cut: true, valid: NO_LINE_BREAKS },
  transaction: { max: 200, cut: true },
  server_name: { max: 256, cut: true },
  culprit: { max: 200, cut: true },
  release: { max: 200, lenient: true, valid: /^[^\r\n\t]*$/ },
  dist: { max: 64, lenient: true, valid: /^[a-zA-Z0-9_.-]+$/ },
  environment: { max: 64, valid: NO_LINE_BREAKS },
} satisfies Record<string, TextRule>;

function text(data: JsonObject, key: keyof typeof TEXT_RULES, problems: EventProblem[]): string | undefined {
  const rule: TextRule = TEXT_RULES[key];
  const raw = data[key];
  const value = (rule.lenient ? asLenientString(raw) : asString(raw))?.trim();
  if (value === undefined || value === '') {
    if (raw !== undefined && raw !== null && raw !== '')
      problems.push({ type: 'invalid_data', name: key, value: raw });
    return undefined;
  }
  if (rule.valid && !rule.valid.test(value)) {
    problems.push({ type: 'invalid_data', name: key, value: raw });
    return undefined;
  }
  if (value.length <= rule.max) return value;
  problems.push({ type: 'value_too_long', name: key });
  return rule.cut ? value.slice(0, rule.max) : undefined;
}

/**
 * The event's release, unless Sentry would refuse it as a version (`latest`, `..`, a slash): then
 * the event names no release, as Relay drops such a value, and digest creates no release for it.
 */
function releaseOf(data: JsonObject, problems: EventProblem[]): string | undefined {
  const release = text(data, 'release', problems);
  if (release === undefined || releaseVersionProblem(release) === null) return release;
  problems.push({ type: 'invalid_data', name: 'release', value: data.release });
  return undefined;
}

function eventIdOf(data: JsonObject, options: NormalizeOptions): string {
  if (options.eventId !== undefined && options.eventId !== null) return normalizeEventId(options.eventId);
  if (data.event_id !== undefined && data.event_id !== null) return normalizeEventId(data.event_id);
  return generateEventId();
}

function timestampsOf(data: JsonObject, options: NormalizeOptions, problems: EventProblem[]) {
  const { receivedAt } = options;
  const drift = clockDriftMs(options.sentAt, receivedAt);
  const sent = parseTimestamp(data.timestamp);
  if (sent === undefined) {
    if (data.timestamp !== undefined && data.timestamp !== null) {
      problems.push({ type: 'invalid_data', name: 'timestamp', value: data.timestamp });
    }
    return { timestamp: receivedAt, drift };
  }
  if (drift !== 0) problems.push({ type: 'clock_drift', name: 'timestamp', value: drift });
  const bounded = boundTimestamp(sent + drift, receivedAt, options.timestampBounds);
  if (bounded.problem) problems.push({ type: bounded.problem, name: 'timestamp', value: data.timestamp });
  return { timestamp: bounded.timestamp, drift };
}

function pairs(value: unknown, parseText?: (text: string) => EventPair[]): EventPair[] | undefined {
  if (typeof value === 'string') return parseText?.(value);
  const entries = Array.isArray(value) ? value : Object.entries(asObject(value) ?? {});
  const out: EventPair[] = [];
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) continue;
    const [name, item] = [asString(entry[0]), asLenientString(entry[1])];
    if (name !== undefined && item !== undefined) out.push([name, item]);
  }
  return out.length === 0 ? undefined : out;
}

const queryPairs = (text: string): EventPair[] => [...new URLSearchParams(text.replace(/^\?/, ''))];
const cookiePairs = (text: string): EventPair[] =>
  text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.includes('='))
    .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]);

function nonEmpty<T extends object>(fields: T): T | undefined {
  const object = compact(fields);
  return Object.keys(object).length === 0 ? undefined : object;
}

function requestOf(data: JsonObject): EventRequest | undefined {
  const request = asObject(data.request) ?? asObject(data['sentry.interfaces.Http']);
  if (request === undefined) return undefined;
  return nonEmpty<EventRequest>({
    url: asString(request.url),
    method: asString(request.method)?.toUpperCase(),
    queryString: pairs(request.query_string, queryPairs),
    fragment: asString(request.fragment),
    cookies: pairs(request.cookies, cookiePairs),
    headers: pairs(request.headers),
    data: request.data ?? undefined,
    env: asObject(request.env),
  });
}

function userOf(data: JsonObject, options: NormalizeOptions): EventUser | undefined {
  const user = asObject(data.user) ?? asObject(data['sentry.interfaces.User']);
  if (user === undefined) return undefined;
  const ip = asString(user.ip_address);
  return nonEmpty<EventUser>({
    id: asLenientString(user.id),
    email: asString(user.email),
    username: asLenientString(user.username),
    ipAddress: ip === '{{auto}}' ? options.clientIp : ip,
    name: asString(user.name),
    geo: asObject(user.geo),
    data: asObject(user.data),
  });
}

function sdkOf(data: JsonObject, problems: EventProblem[]): EventSdk | undefined {
  const sdk = asObject(data.sdk);
  if (sdk === undefined) return undefined;
  const [name, version] = [asString(sdk.name), asString(sdk.version)];
  if (!name || !version) {
    problems.push({ type: 'invalid_data', name: 'sdk', value: sdk });
    return undefined;
  }
  const packages = Array.isArray(sdk.packages)
    ? sdk.packages.flatMap((item) => {
        const pkg = asObject(item);
        const [pkgName, pkgVersion] = [asString(pkg?.name), asString(pkg?.version)];
        return pkgName && pkgVersion ? [{ name: pkgName, version: pkgVersion }] : [];
      })
    : undefined;
  const integrations = Array.isArray(sdk.integrations)
    ? sdk.integrations.filter((item): item is string => typeof item === 'string')
    : undefined;
  return compact<EventSdk>({ name, version, integrations, packages });
}

/**
 * The payload's breadcrumbs with every readable timestamp moved by the clock drift (ms), as epoch
 * seconds, in the shape they came in (a list, or `{ values: [...] }`); anything else as sent.
 * Sentry corrects every client timestamp of an event by the drift, not only the event's own.
 *
 * @example
 * shiftBreadcrumbs([{ timestamp: 100, message: 'm' }], 7_200_000) // [{ timestamp: 7300, message: 'm' }]
 */
export function shiftBreadcrumbs(value: unknown, driftMs: number): unknown {
  const shift = (item: unknown) => {
    const crumb = asObject(item);
    const timestamp = crumb === undefined ? undefined : parseTimestamp(crumb.timestamp);
    return timestamp === undefined ? item : { ...crumb, timestamp: (timestamp + driftMs) / 1000 };
  };
  if (Array.isArray(value)) return value.map(shift);
  const values = asObject(value)?.values;
  return Array.isArray(values) ? { ...(value as JsonObject), values: values.map(shift) } : value;
}

function contextsOf(value: unknown): Record<string, JsonObject> {
  const contexts: Record<string, JsonObject> = {};
  for (const [name, context] of Object.entries(asObject(value) ?? {})) {
    const object = asObject(context);
    if (object !== undefined) contexts[name] = object;
  }
  return contexts;
}

function fingerprintOf(value: unknown, problems: EventProblem[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push({ type: 'invalid_data', name: 'fingerprint', value });
    return undefined;
  }
  const parts = value.map(asLenientString).filter((part) => part !== undefined);
  return parts.length === 0 ? undefined : parts;
}

/** Problems kept per event: each is stored with the event, and one event can have thousands of bad tags. */
export const MAX_EVENT_PROBLEMS = 50;

function boundProblems(problems: EventProblem[]): EventProblem[] {
  if (problems.length <= MAX_EVENT_PROBLEMS) return problems;
  const more = problems.length - MAX_EVENT_PROBLEMS;
  return [
    ...problems.slice(0, MAX_EVENT_PROBLEMS),
    { type: 'invalid_data', name: 'event', value: `${more} more problems not listed` },
  ];
}

function typeOf(data: JsonObject, hasExceptions: boolean): EventType {
  if (data.type === 'transaction' || data.type === 'feedback') return data.type;
  return hasExceptions ? 'error' : 'default';
}

/**
 * Turns a parsed event payload into a `NormalizedEvent` (ingestion.md §5.1–5.4). Lenient like
 * Relay: a field of the wrong shape is dropped (and listed in `problems`) rather than failing the
 * event, and data too deep, too wide or too long is trimmed first (`boundEventData`). Only a payload that is not an object, or a malformed event id, is rejected, with a
 * `ProtocolError` (`invalid_event` / `invalid_event_id`).
 *
 * @example
 * normalizeEvent({ message: 'hi', level: 'warning' }, { receivedAt: Date.now() }).message
 * // { formatted: 'hi' }
 */
export function normalizeEvent(payload: unknown, options: NormalizeOptions): NormalizedEvent {
  const sent = asObject(payload);
  if (sent === undefined) throw new ProtocolError('invalid_event', 'event payload is not a JSON object');
  const problems: EventProblem[] = [];
  const data = boundEventData(sent, problems);
  const eventId = eventIdOf(data, options);
  const { timestamp, drift } = timestampsOf(data, options, problems);

  let level = parseLevel(data.level);
  if (level === undefined) {
    if (data.level !== undefined && data.level !== null)
      problems.push({ type: 'invalid_data', name: 'level', value: data.level });
    level = 'error';
  }
  const exceptions = normalizeExceptions(data.exception ?? data['sentry.interfaces.Exception'], problems);
  const platform = asString(data.platform);

  return compact<NormalizedEvent>({
    eventId,
    type: typeOf(data, exceptions.length > 0),
    timestamp,
    clockDriftMs: drift === 0 ? undefined : drift,
    receivedAt: options.receivedAt,
    level,
    platform: platform && platform.length <= 64 ? platform : 'other',
    logger: text(data, 'logger', problems),
    transaction: text(data, 'transaction', problems),
    serverName: text(data, 'server_name', problems),
    release: releaseOf(data, problems),
    dist: text(data, 'dist', problems),
    environment: text(data, 'environment', problems),
    culprit: text(data, 'culprit', problems),
    message: normalizeMessage(data, problems),
    tags: normalizeTags(data.tags, problems),
    user: userOf(data, options),
    contexts: contextsOf(data.contexts),
    exceptions,
    request: requestOf(data),
    sdk: sdkOf(data, problems),
    fingerprint: fingerprintOf(data.fingerprint, problems),
    checksum: asString(data.checksum),
    extra: asObject(data.extra) ?? {},
    problems: boundProblems(problems),
    data,
    dataTrimmed: data === sent ? undefined : true,
  });
}
