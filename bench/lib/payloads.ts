import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Request } from 'autocannon';

/** The error envelopes of two real SDKs in bench/payloads/ (see its README). */
const CAPTURED = ['node/error-2', 'python/error'];
/** The capture that new issues are made of: plain, no item lengths. */
const UNIQUE_CAPTURE = 'node/error-2';
/** The DSN key the payloads were captured with (project 1). */
const CAPTURED_KEY = 'b3c1f0d2a4e54b7c9a8d6e5f4a3b2c1d';
/** Fingerprints: every `handler000` in the stack traces becomes `handler<v>`, the same length. */
const VARIANTS = 200;
/** Zipf exponent of fingerprints over requests: the hottest of 200 gets about 17 %. */
const SKEW = 1.1;

/** Where a server takes envelopes: its DSN's key and project id, and headers the SDK did not send. */
export type IngestTarget = { publicKey: string; projectId: string; headers?: Record<string, string> };

/**
 * Moves every ISO time and epoch-seconds time by whole seconds, so an old capture reads as sent
 * now; each keeps its length and fraction, so envelope item `length` headers stay right.
 */
function shiftTimes(text: string): string {
  // A log envelope has no `sent_at`: its records' times say when it was captured.
  const sentAt = /"sent_at":"(.{19})/.exec(text)?.[1];
  const capturedAt = sentAt
    ? Date.parse(`${sentAt}Z`)
    : Number(/"timestamp":(1\d{9}\.\d+)/.exec(text)?.[1]) * 1000;
  if (Number.isNaN(capturedAt)) throw new Error('a capture without a time to move');
  const deltaS = Math.round((Date.now() - capturedAt) / 1000);
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/g, (iso) =>
      new Date(Date.parse(`${iso}Z`) + deltaS * 1000).toISOString().slice(0, 19),
    )
    .replace(/(?<=:)(1\d{9})(?=\.\d+[,}\]])/g, (seconds) => `${Number(seconds) + deltaS}`);
}

/**
 * A gzip body of `parts` joined by an id that changes per request, without recompressing: each part
 * is deflated once, ending on a byte boundary (full flush), and the id goes between parts as a
 * stored block. One ordinary gzip member, as the SDK sends; per body only the CRC is computed.
 */
function gzipSplicer(header: Buffer, parts: readonly string[]): (id: string) => Buffer {
  const plain = parts.map((p) => Buffer.from(p));
  const { Z_FINISH, Z_FULL_FLUSH } = zlib.constants;
  const deflated = plain.map((p, i) =>
    zlib.deflateRawSync(p, { level: 9, finishFlush: i === plain.length - 1 ? Z_FINISH : Z_FULL_FLUSH }),
  );
  const fixedBytes = plain.reduce((n, p) => n + p.length, 0);
  return (id) => {
    const idBytes = Buffer.from(id);
    const stored = [Buffer.from([0, idBytes.length, 0, ~idBytes.length & 0xff, 0xff]), idBytes];
    const pieces = [header, deflated[0] as Buffer];
    let crc = zlib.crc32(plain[0] as Buffer);
    for (let i = 1; i < plain.length; i++) {
      pieces.push(...stored, deflated[i] as Buffer);
      crc = zlib.crc32(plain[i] as Buffer, zlib.crc32(idBytes, crc));
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE((fixedBytes + idBytes.length * (plain.length - 1)) >>> 0, 4);
    return Buffer.concat([...pieces, trailer]);
  };
}

/**
 * The id that makes a request new: its event's id, or in an envelope without an event (spans,
 * logs) its trace id, by which spans and log records are told apart when stored.
 */
function requestId(plain: string): string {
  return (/"event_id":"([0-9a-f]{32})"/.exec(plain) ?? /"trace_id":"([0-9a-f]{32})"/.exec(plain))?.[1] ?? '';
}

/**
 * Variant `v` of a captured request for `target`: its own fingerprint, the target's DSN, times of now.
 * `unique`: the event's fingerprint is its id, so every request is a new issue (captures without
 * item lengths only, as the fingerprint makes the item longer).
 */
function template(name: string, target: IngestTarget, v: number, unique = false) {
  const file = path.resolve(import.meta.dirname, '../payloads', name);
  const captured = JSON.parse(readFileSync(`${file}.request.json`, 'utf8')) as {
    url: string;
    headers: Record<string, string>;
  };
  const gzip = captured.headers['content-encoding'] === 'gzip';
  const wire = readFileSync(`${file}.body`);
  const plain = (gzip ? zlib.gunzipSync(wire) : wire).toString('utf8');
  const id = requestId(plain);
  const marked = unique
    ? plain.replace('{"type":"event"}\n{', `{"type":"event"}\n{"fingerprint":["${id}"],`)
    : plain;
  if (unique && (gzip || marked === plain || /"length":/.test(plain)))
    throw new Error(`${name} cannot carry a fingerprint of its own`);
  const parts = shiftTimes(marked)
    .replaceAll(CAPTURED_KEY, target.publicKey)
    .replaceAll('handler000', `handler${`${v}`.padStart(3, '0')}`)
    .split(id);
  const headers: Record<string, string> = { ...target.headers };
  for (const [name, value] of Object.entries(captured.headers))
    if (!['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))
      headers[name] = value.replaceAll(CAPTURED_KEY, target.publicKey);
  return {
    path: captured.url
      .replace('/api/1/', `/api/${target.projectId}/`)
      .replaceAll(CAPTURED_KEY, target.publicKey),
    headers,
    build: gzip ? gzipSplicer(wire.subarray(0, 10), parts) : (id: string) => Buffer.from(parts.join(id)),
  };
}

/**
 * Draws ranks 0..n-1 by Zipf's law (rank k weighs 1/(k+1)^s): a few ranks get most draws and a
 * long tail a few each, as errors spread over issues in real projects.
 */
export function zipf(n: number, s: number): () => number {
  let total = 0;
  const cumulative = Array.from({ length: n }, (_, k) => {
    total += 1 / (k + 1) ** s;
    return total;
  });
  return () => {
    const x = Math.random() * total;
    return cumulative.findIndex((c) => c >= x);
  };
}

/**
 * autocannon requests of real SDK error envelopes for `target`: one of 200 fingerprints (even ones
 * Node's payload, odd ones Python's, gzipped as its SDK sends it) drawn with a Zipf skew, each with
 * an event id never sent before. `uniqueIssues`: Node's payload only, each request a new issue.
 */
export function ingestRequests(
  target: IngestTarget,
  options: { uniqueIssues?: boolean; acknowledged?: string[] } = {},
): Request[] {
  const templates = options.uniqueIssues
    ? [template(UNIQUE_CAPTURE, target, 0, true)]
    : Array.from({ length: VARIANTS }, (_, v) =>
        template(CAPTURED[v % CAPTURED.length] as string, target, v),
      );
  const pick = templates.length === 1 ? () => 0 : zipf(VARIANTS, SKEW);
  return requestsOf(templates, pick, options.acknowledged);
}

/**
 * autocannon requests of `templates`, each request the one `pick` draws, with an id never sent
 * before; the ids of those answered 2xx go to `acknowledged` when given.
 */
function requestsOf(
  templates: readonly ReturnType<typeof template>[],
  pick: () => number,
  acknowledged?: string[],
): Request[] {
  const prefix = randomBytes(8).toString('hex');
  let sent = 0;
  const setupRequest = (request: Request, context: Record<string, unknown>): Request => {
    const { path, headers, build } = templates[pick()] as (typeof templates)[number];
    const id = prefix + (sent++).toString(16).padStart(16, '0');
    // One request in flight per connection: its context names the request that an answer is for.
    context.id = id;
    return Object.assign(request, { method: 'POST', path, headers, body: build(id) });
  };
  const onResponse = (status: number, _body: string, context: Record<string, unknown>) => {
    if (status >= 200 && status < 300) acknowledged?.push(context.id as string);
  };
  return [{ method: 'POST', setupRequest, ...(acknowledged ? { onResponse } : {}) }];
}

/** The span and the log envelope @sentry/node 11 sent for one traced request (bench/payloads/). */
const TRACING_CAPTURES = { spans: 'node-tracing/trace-spans', logs: 'node-tracing/trace-logs' } as const;

/**
 * autocannon requests of the span v2 envelope or the log envelope of one traced web request, each
 * request a trace never sent before; how many spans or log records (rows) each envelope holds; and
 * the trace ids of the requests answered 2xx.
 */
export function tracingRequests(target: IngestTarget, kind: keyof typeof TRACING_CAPTURES) {
  const name = TRACING_CAPTURES[kind];
  const body = readFileSync(path.resolve(import.meta.dirname, '../payloads', `${name}.body`), 'utf8');
  const rowsPerRequest = Number(/"item_count":(\d+)/.exec(body)?.[1]);
  if (!(rowsPerRequest > 0)) throw new Error(`${name} has no item_count`);
  const acknowledged: string[] = [];
  const requests = requestsOf([template(name, target, 0)], () => 0, acknowledged);
  return { requests, rowsPerRequest, acknowledged };
}
