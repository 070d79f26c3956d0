import type { IncomingMessage } from 'node:http';
import { AppError } from '../lib/app-error.js';
import { type BodyEncoding, bodyEncoding, decode, decoderStream } from '../lib/compression.js';

export interface BodyLimits {
  /** Bytes as sent on the wire. */
  readonly maxCompressed: number;
  /** Bytes after decompression: a small gzip bomb stops here, while streaming. */
  readonly maxDecompressed: number;
  /** How long reading the body may take once its headers are in. */
  readonly timeoutMs: number;
}

export function tooLarge(what: string): AppError {
  return new AppError(
    'too_large',
    `envelope exceeded size limits for type '${what}' (https://develop.sentry.dev/sdk/envelopes/#size-limits)`,
  );
}

/** Bytes ingest has decompressed since the process started: for metrics, and to show what a refusal cost. */
let inflatedBytes = 0;

export function ingestInflatedBytes(): number {
  return inflatedBytes;
}

function timedOut(timeoutMs: number): AppError {
  // The rest of such a body is not worth waiting for: the connection closes after the answer.
  return new AppError('request_timeout', `the request body did not arrive within ${timeoutMs} ms`, {
    Connection: 'close',
  });
}

/**
 * The request body as sent, stopping at `max` bytes: past it the rest is read and dropped (so the
 * 413 still reaches the client) and the promise rejects. A body still incomplete after
 * `timeoutMs` rejects with a 408 whose answer closes the connection.
 */
function readWire(raw: IncomingMessage, max: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    let failed = false;
    const onData = (chunk: Buffer) => {
      if (failed) return;
      seen += chunk.length;
      if (seen > max) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge('envelope'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, seen));
    };
    const onError = (error: Error) => {
      cleanup();
      if (!failed) reject(error);
      failed = true;
    };
    const onClose = () => {
      if (!raw.complete) onError(new Error('the client closed the connection before sending the whole body'));
    };
    const timer = setTimeout(() => {
      raw.off('data', onData);
      if (!failed) reject(timedOut(timeoutMs));
      failed = true;
      chunks.length = 0;
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
      raw.off('close', onClose);
      // Whatever is left is read and dropped.
      raw.resume();
    };
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onError);
    raw.on('close', onClose);
  });
}

/** A request body as sent, before any decompression. */
export interface WireBody {
  readonly wire: Buffer;
  readonly encoding: BodyEncoding | null;
}

/** A request body: decoded, and as sent (the same buffer when it came plain). */
export interface RequestBody extends WireBody {
  readonly body: Buffer;
}

/**
 * Reads a request body as sent, applying the wire limit while the bytes arrive (and the
 * decompressed one too when it comes plain) and the read timeout. Nothing is decompressed here,
 * so the caller can check the key first. An empty, `identity` or `UTF-8` Content-Encoding means
 * none (SDKs in the wild send those); gzip, deflate (zlib or raw) and br are decoded later.
 */
export async function readWireBody(
  raw: IncomingMessage,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): Promise<WireBody> {
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxCompressed) throw tooLarge('envelope');
  const encoding = bodyEncoding(contentEncoding);
  if (encoding === undefined) {
    raw.resume();
    throw new AppError(
      'bad_request',
      `unsupported content encoding: ${(contentEncoding ?? '').trim().toLowerCase()}`,
    );
  }
  const wire = await readWire(
    raw,
    encoding === null ? Math.min(limits.maxCompressed, limits.maxDecompressed) : limits.maxCompressed,
    limits.timeoutMs,
  );
  return { wire, encoding: wire.length === 0 ? null : encoding };
}

function decodeError(error: unknown, encoding: BodyEncoding): unknown {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'ERR_BUFFER_TOO_LARGE') return tooLarge('envelope');
  if (
    code.startsWith('Z_') ||
    code.startsWith('ERR_BROTLI') ||
    code.startsWith('ERR__') ||
    /incorrect header|invalid|unexpected end/i.test(String(error))
  ) {
    return new AppError('bad_request', `failed to decode ${encoding} payload`);
  }
  return error;
}

/**
 * Decompresses a whole body, the decompressed limit applied inside zlib (`maxOutputLength`), so
 * that a small gzip bomb stops there and is never held in memory. Large bodies decode on libuv's
 * thread pool, off the thread that answers HTTP.
 */
export async function decodeBody(read: WireBody, maxDecompressed: number): Promise<RequestBody> {
  if (read.encoding === null) return { ...read, body: read.wire };
  try {
    const body = await decode(read.encoding, read.wire, maxDecompressed);
    inflatedBytes += body.length;
    return { ...read, body };
  } catch (error) {
    throw decodeError(error, read.encoding);
  }
}

/**
 * The body's first line (without its newline), decompressing no more than it takes: an
 * envelope's header, where its `dsn` may name the key, read before the rest is worth decoding.
 * Past `max` bytes without a newline it stops with a 400.
 */
export function decodeFirstLine(read: WireBody, max: number): Promise<Buffer> {
  const { wire, encoding } = read;
  if (encoding === null) {
    const end = wire.indexOf(0x0a);
    const line = end === -1 ? wire : wire.subarray(0, end);
    return line.length > max ? Promise.reject(headerTooLong(max)) : Promise.resolve(line);
  }
  return new Promise((resolve, reject) => {
    const stream = decoderStream(encoding, wire);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if (error === undefined) resolve(Buffer.concat(chunks, size));
      else reject(error);
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      inflatedBytes += chunk.length;
      const end = chunk.indexOf(0x0a);
      const part = end === -1 ? chunk : chunk.subarray(0, end);
      chunks.push(part);
      size += part.length;
      if (size > max) finish(headerTooLong(max));
      else if (end !== -1) finish();
    });
    stream.on('end', () => finish());
    stream.on('error', (error) => finish(decodeError(error, encoding)));
    stream.end(wire);
  });
}

function headerTooLong(max: number): AppError {
  return new AppError('bad_request', `invalid envelope header: longer than ${max} bytes`);
}
