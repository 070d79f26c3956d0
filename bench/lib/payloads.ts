import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GzipSplice, gzipHeaderLength } from './gzip-splice.js';
import { shiftTimestamps } from './timestamps.js';

export const PAYLOAD_DIR = path.resolve(import.meta.dirname, '../payloads');
/** The DSN public key and project id the payloads were captured with (capture.ts). */
const CAPTURED_KEY = 'b3c1f0d2a4e54b7c9a8d6e5f4a3b2c1d';
const CAPTURED_PROJECT = '1';
/** Every function name of the captured stack traces holds this; variants rename it (same length). */
const VARIANT_TOKEN = 'handler000';
/** Headers that belong to one connection or one body, not to the payload. */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);

export type Sdk = 'node' | 'python';

/** One request as an SDK sent it (captured by bench/payloads/capture.ts). */
export interface CapturedRequest {
  readonly sdk: Sdk;
  readonly file: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The body as sent (gzipped when `content-encoding: gzip`). */
  readonly wire: Buffer;
  /** The envelope after undoing the encoding. */
  readonly plain: Buffer;
}

function read(sdk: Sdk, file: string): CapturedRequest {
  const dir = path.join(PAYLOAD_DIR, sdk);
  const request = JSON.parse(readFileSync(path.join(dir, `${file}.request.json`), 'utf8')) as {
    url: string;
    headers: Record<string, string>;
  };
  const wire = readFileSync(path.join(dir, `${file}.body`));
  const plain = request.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
  return { sdk, file, url: request.url, headers: request.headers, wire, plain };
}

/** The captured error envelope of each SDK: the body of `<sdk>/error*.body` that holds an event item. */
export function loadCapturedErrors(): CapturedRequest[] {
  return (['node', 'python'] as const).map((sdk) => {
    const files = readdirSync(path.join(PAYLOAD_DIR, sdk))
      .filter((f) => /^error(-\d+)?\.body$/.test(f))
      .map((f) => read(sdk, f.slice(0, -'.body'.length)));
    const found = files.find((r) => r.url.includes('/envelope/') && r.plain.includes('{"type":"event"'));
    if (!found) throw new Error(`no error envelope among bench/payloads/${sdk}/error*.body`);
    return found;
  });
}

/** The frame count of the captured event's first exception (what the report says about the payload). */
export function frameCount(request: CapturedRequest): number {
  const lines = request.plain.toString('utf8').split('\n');
  for (let i = 1; i + 1 < lines.length; i++) {
    if (!(lines[i] as string).includes('"type":"event"')) continue;
    const event = JSON.parse(lines[i + 1] as string) as {
      exception: { values: { stacktrace: { frames: unknown[] } }[] };
    };
    return event.exception.values.at(-1)?.stacktrace.frames.length ?? 0;
  }
  return 0;
}

/** Where one server takes envelopes: its DSN's public key and project id. */
export interface IngestTarget {
  readonly publicKey: string;
  readonly projectId: string;
  /** Headers some servers need and the SDK did not send (Spotlight needs a Content-Type). */
  readonly extraHeaders?: Record<string, string>;
}

/** One fingerprint's request: method, path and headers fixed; the body built per request around a fresh event id. */
export interface BodyTemplate {
  readonly sdk: Sdk;
  readonly variant: number;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** Bytes of the envelope after decompression. */
  readonly plainBytes: number;
  build(eventId: string): Buffer;
}

function capturedAt(plain: string): number {
  const sentAt = /"sent_at":"([^"]+)"/.exec(plain)?.[1];
  if (!sentAt) throw new Error('captured envelope has no sent_at header');
  return Date.parse(sentAt.endsWith('Z') ? sentAt : `${sentAt}Z`);
}

function template(
  request: CapturedRequest,
  target: IngestTarget,
  variant: number,
  now: number,
): BodyTemplate {
  const original = request.plain.toString('utf8');
  const eventId = /"event_id":"([0-9a-f]{32})"/.exec(original)?.[1];
  if (!eventId) throw new Error(`${request.sdk}/${request.file}: no event_id`);
  const plain = shiftTimestamps(original, capturedAt(original), now - capturedAt(original))
    .replaceAll(CAPTURED_KEY, target.publicKey)
    .replaceAll(VARIANT_TOKEN, `handler${String(variant).padStart(3, '0')}`);
  const fixed = plain.split(eventId);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!HOP_HEADERS.has(name)) headers[name] = value.replaceAll(CAPTURED_KEY, target.publicKey);
  }
  Object.assign(headers, target.extraHeaders);
  const path = request.url
    .replace(`/api/${CAPTURED_PROJECT}/`, `/api/${target.projectId}/`)
    .replaceAll(CAPTURED_KEY, target.publicKey);
  const plainBytes = Buffer.byteLength(plain);
  if (request.headers['content-encoding'] === 'gzip') {
    const header = request.wire.subarray(0, gzipHeaderLength(request.wire));
    // Python's gzip module compresses at level 9.
    const splice = new GzipSplice(header, fixed, 9);
    return {
      sdk: request.sdk,
      variant,
      path,
      headers,
      plainBytes,
      build: (id) => {
        const part = Buffer.from(id);
        return splice.build(fixed.slice(1).map(() => part));
      },
    };
  }
  const parts = fixed.map((f) => Buffer.from(f));
  return {
    sdk: request.sdk,
    variant,
    path,
    headers,
    plainBytes,
    build: (id) => {
      const part = Buffer.from(id);
      const pieces: Buffer[] = [parts[0] as Buffer];
      for (let i = 1; i < parts.length; i++) pieces.push(part, parts[i] as Buffer);
      return Buffer.concat(pieces);
    },
  };
}

/**
 * `variants` fingerprints for one server, alternating SDKs (even: Node, odd: Python): variant v
 * renames every `handler000` function to `handler<v>`, so each variant groups into its own issue.
 * Timestamps are moved to `now` (the SDKs' clocks are right), and the DSN is the target's.
 */
export function bodyTemplates(
  captured: readonly CapturedRequest[],
  target: IngestTarget,
  variants: number,
  now = Date.now(),
): BodyTemplate[] {
  const templates: BodyTemplate[] = [];
  for (let v = 0; v < variants; v++) {
    templates.push(template(captured[v % captured.length] as CapturedRequest, target, v, now));
  }
  return templates;
}
