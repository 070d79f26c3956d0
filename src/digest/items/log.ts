import { createHash } from 'node:crypto';
import { asObject, asString, type JsonObject } from '../../protocol/json-read.js';
import { LOG_LEVELS, logLevel } from '../../protocol/log-level.js';
import { readSpanId, readTraceId } from '../../protocol/trace-ids.js';
import { insertLogs, type LogAttribute, type NewLog } from '../../store/region/logs.js';
import type { ItemContext, ItemDigester } from '../item-digester.js';
import { envelopeDriftMs, readJsonObject } from './read-item.js';
import { spanTimeMs } from './span.js';

/** The content type of the log container `{"items":[…]}` (@sentry/node, sentry-python). */
export const LOG_CONTENT_TYPE = 'application/vnd.sentry.items.log+json';

/** Why a malformed log record is counted as an `invalid` outcome, in Relay's words. */
export const INVALID_LOG_REASON = 'invalid_log';

/** An attribute's value: each is `{value, type}`; a bare value is taken as it is. */
function attributeValue(attributes: Readonly<Record<string, LogAttribute>>, name: string): unknown {
  return attributes[name]?.value;
}

/** Attributes as `{key: {value, type}}`; entries without a scalar value are left out. */
function readAttributes(value: unknown): Record<string, LogAttribute> {
  const out: Record<string, LogAttribute> = {};
  for (const [key, raw] of Object.entries(asObject(value) ?? {})) {
    const attr = asObject(raw);
    const v = attr ? attr.value : raw;
    if (v === null || v === undefined || typeof v === 'object') continue;
    const type = asString(attr?.type);
    out[key] = type === undefined ? { value: v } : { value: v, type };
  }
  return out;
}

function readSeverity(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 24
    ? value
    : undefined;
}

/** What a record inherits from its envelope when its attributes do not say. */
interface LogSource {
  readonly projectId: number;
  readonly receivedAt: number;
  readonly driftMs: number;
  readonly release: string | null;
  readonly environment: string | null;
  readonly sdk: string | null;
}

function envelopeSource(ctx: ItemContext): LogSource {
  const trace = asObject(ctx.envelopeHeaders.trace);
  const sdk = asObject(ctx.envelopeHeaders.sdk);
  const sdkName = asString(sdk?.name);
  return {
    projectId: ctx.raw.projectId,
    receivedAt: ctx.raw.receivedAt,
    driftMs: envelopeDriftMs(ctx),
    release: asString(trace?.release) ?? null,
    environment: asString(trace?.environment) ?? null,
    sdk: sdkName === undefined ? null : [sdkName, asString(sdk?.version)].filter(Boolean).join('/'),
  };
}

/**
 * One record `{timestamp, trace_id, level, body, attributes, severity_number?, span_id?}`; undefined
 * when it lacks a time, trace id, known level or body. The span id is the record's own or, as
 * @sentry/node sends it, the `sentry.trace.parent_span_id` attribute.
 */
export function readLog(value: unknown, source: LogSource): NewLog | undefined {
  const record = asObject(value);
  if (record === undefined) return undefined;
  const sent = spanTimeMs(record.timestamp);
  const traceId = readTraceId(record.trace_id);
  const levelName = asString(record.level);
  const level = levelName === undefined ? undefined : logLevel(levelName);
  const body = asString(record.body);
  if (sent === undefined || traceId === undefined || level === undefined || body === undefined)
    return undefined;
  const attributes = readAttributes(record.attributes);
  const spanId =
    readSpanId(record.span_id) ?? readSpanId(attributeValue(attributes, 'sentry.trace.parent_span_id'));
  const severityNumber = readSeverity(record.severity_number) ?? LOG_LEVELS[level];
  const sdkName = asString(attributeValue(attributes, 'sentry.sdk.name'));
  const sdkVersion = asString(attributeValue(attributes, 'sentry.sdk.version'));
  const timestamp = sent + source.driftMs;
  return {
    projectId: source.projectId,
    itemId: itemIdOf(record),
    timestamp,
    observedTimestamp: source.receivedAt,
    traceId,
    spanId: spanId ?? null,
    level,
    severityNumber,
    body,
    attributes,
    release: asString(attributeValue(attributes, 'sentry.release')) ?? source.release,
    environment: asString(attributeValue(attributes, 'sentry.environment')) ?? source.environment,
    sdk: sdkName === undefined ? source.sdk : [sdkName, sdkVersion].filter(Boolean).join('/'),
  };
}

/** A record's id: the same record sent again has the same one. */
function itemIdOf(record: JsonObject): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 32);
}

/**
 * Records one unreadable container is counted as at most: SDKs flush far fewer at once, and the
 * header is the client's word, which must not push an hourly count past what a column holds.
 */
const MAX_DECLARED_RECORDS = 10_000;

/** How many records an unreadable container held: its `item_count` header, else one. */
function declaredCount(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0
    ? Math.min(value, MAX_DECLARED_RECORDS)
    : 1;
}

/**
 * `log` items: a container `{"items":[…]}` of log records (content type {@link LOG_CONTENT_TYPE}).
 * Good records are kept; each malformed one, and every record of a container that cannot be read,
 * is rejected through the context, so that usage stats count it as `invalid` rather than accepted.
 */
export const digestLog: ItemDigester = async (ctx, item) => {
  const payload = readJsonObject(item.payload);
  const records = payload?.items;
  const source = envelopeSource(ctx);
  const logs: NewLog[] = [];
  let invalid = 0;
  if (Array.isArray(records)) {
    for (const record of records) {
      const log = readLog(record, source);
      if (log) logs.push(log);
      else invalid++;
    }
  } else {
    invalid = declaredCount(item.headers.item_count);
  }
  await insertLogs(ctx.trx, logs);
  if (invalid > 0) ctx.reject(invalid, INVALID_LOG_REASON);
};
