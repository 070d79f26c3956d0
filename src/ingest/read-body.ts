import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { AppError } from '../lib/app-error.js';

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

type Decode = (body: Buffer, options: zlib.ZlibOptions & zlib.BrotliOptions) => Promise<Buffer>;

const gunzip = promisify(zlib.gunzip) as Decode;
const inflate = promisify(zlib.inflate) as Decode;
const inflateRaw = promisify(zlib.inflateRaw) as Decode;
const brotli = promisify(zlib.brotliDecompress) as Decode;

// zlib "deflate" per HTTP, but some SDKs send raw deflate: the first byte tells them apart.
const deflate: Decode = (body, options) => {
  const first = body[0] as number;
  return (first & 0x0f) === 8 && first >> 4 <= 7 ? inflate(body, options) : inflateRaw(body, options);
};

function decoder(encoding: string): Decode | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return gunzip;
    case 'deflate':
      return deflate;
    case 'br':
      return brotli;
    default:
      return null;
  }
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
): Promise<Buffer> {
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxCompressed) throw tooLarge('envelope');
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const plain = encoding === '' || encoding === 'identity' || encoding === 'utf-8';
  const decode = plain ? null : decoder(encoding);
  if (!plain && !decode) {
    raw.resume();
    throw new AppError('bad_request', `unsupported content encoding: ${encoding}`);
  }
  const body = await readWire(
    raw,
    plain ? Math.min(limits.maxCompressed, limits.maxDecompressed) : limits.maxCompressed,
  );
  if (!decode || body.length === 0) return body;
  try {
    return await decode(body, { maxOutputLength: limits.maxDecompressed });
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
