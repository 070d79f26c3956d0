import type { IncomingMessage } from 'node:http';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

/** Counts bytes through a stream and fails once they pass the limit. */
class Limit extends Transform {
  private seen = 0;
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(tooLarge(this.what));
    else done(null, chunk);
  }
}

// zlib "deflate" per HTTP, but some SDKs send raw deflate: look at the first byte to tell them apart.
function inflater(first: number): Transform {
  return (first & 0x0f) === 8 && first >> 4 <= 7 ? zlib.createInflate() : zlib.createInflateRaw();
}

function decoder(encoding: string): (() => Transform) | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return () => zlib.createGunzip();
    case 'br':
      return () => zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * Reads a request body, decompressing gzip, deflate (zlib or raw) or br as a stream and applying
 * both size limits while the bytes flow, so nothing past a limit is ever held in memory.
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
  const chunks: Buffer[] = [];
  const collect = new Transform({
    transform(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const wire = new Limit(limits.maxCompressed, 'envelope');
  const plain = new Limit(limits.maxDecompressed, 'envelope');
  // `pipe` (unlike `pipeline`) leaves the request open when the chain fails, so the 413 or 400
  // still reaches the client; the rest of the body is then read and dropped.
  const source = new PassThrough();
  raw.pipe(source);
  try {
    if (encoding === '' || encoding === 'identity' || encoding === 'utf-8') {
      await pipeline(source, wire, plain, collect);
    } else if (encoding === 'deflate') {
      // The first compressed byte decides zlib vs raw; buffer the wire body (it is bounded) first.
      const compressed: Buffer[] = [];
      await pipeline(
        source,
        wire,
        new Transform({
          transform(c: Buffer, _e, d) {
            compressed.push(c);
            d();
          },
        }),
      );
      const body = Buffer.concat(compressed);
      if (body.length === 0) return body;
      await pipeline(
        (async function* () {
          yield body;
        })(),
        inflater(body[0] as number),
        plain,
        collect,
      );
    } else {
      const make = decoder(encoding);
      if (!make) throw new AppError('bad_request', `unsupported content encoding: ${encoding}`);
      await pipeline(source, wire, make(), plain, collect);
    }
  } catch (error) {
    raw.unpipe(source);
    raw.resume();
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (
      code.startsWith('Z_') ||
      code.startsWith('ERR_BROTLI') ||
      /incorrect header|invalid|unexpected end/i.test(String(error))
    ) {
      throw new AppError('bad_request', `failed to decode ${encoding} payload`);
    }
    throw error;
  }
  return Buffer.concat(chunks);
}
