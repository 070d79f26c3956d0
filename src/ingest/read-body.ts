import type { IncomingMessage } from 'node:http';
import { AppError } from '../lib/app-error.js';
import { type BodyEncoding, bodyEncoding, decode } from '../lib/compression.js';

export interface BodyLimits {
  /** Bytes as sent on the wire. */
  readonly maxCompressed: number;
  /** Bytes after decompression: a small gzip bomb stops here, while streaming. */
  readonly maxDecompressed: number;
}

export function tooLarge(what: string): AppError {
  return new AppError(
    'too_large',
    `envelope exceeded size limits for type '${what}' (https://develop.sentry.dev/sdk/envelopes/#size-limits)`,
  );
}

/**
 * The request body as sent, stopping at `max` bytes: past it the rest is read and dropped (so the
 * 413 still reaches the client) and the promise rejects.
 */
function readWire(raw: IncomingMessage, max: number): Promise<Buffer> {
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
    const cleanup = () => {
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

/** A request body: decoded, and as sent (the same buffer when it came plain). */
export interface RequestBody {
  readonly body: Buffer;
  readonly wire: Buffer;
  readonly encoding: BodyEncoding | null;
}

/**
 * Reads a request body and decompresses gzip, deflate (zlib or raw) or br, applying both size
 * limits: the wire limit while the bytes arrive, the decompressed one inside zlib
 * (`maxOutputLength`), so that a small gzip bomb stops there and is never held in memory.
 * Decompression runs on libuv's thread pool, off the thread that answers HTTP.
 * An empty, `identity` or `UTF-8` Content-Encoding means none (SDKs in the wild send those).
 */
export async function readBody(
  raw: IncomingMessage,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): Promise<RequestBody> {
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
  );
  if (encoding === null || wire.length === 0) return { body: wire, wire, encoding: null };
  try {
    return { body: await decode(encoding, wire, limits.maxDecompressed), wire, encoding };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('envelope');
    if (
      code.startsWith('Z_') ||
      code.startsWith('ERR_BROTLI') ||
      code.startsWith('ERR__') ||
      /incorrect header|invalid|unexpected end/i.test(String(error))
    ) {
      throw new AppError('bad_request', `failed to decode ${encoding} payload`);
    }
    throw error;
  }
}
