import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** Content-Encodings Errata decodes (HTTP's names). */
export type BodyEncoding = 'gzip' | 'deflate' | 'br';

/** The encoding a Content-Encoding header names, null for none, undefined for one Errata cannot decode. */
export function bodyEncoding(header: string | undefined): BodyEncoding | null | undefined {
  const encoding = (header ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity' || encoding === 'utf-8') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return 'gzip';
  if (encoding === 'deflate' || encoding === 'br') return encoding;
  return undefined;
}

// HTTP's "deflate" is zlib-wrapped, but some SDKs send raw deflate: the first byte tells them apart.
function zlibWrapped(body: Buffer): boolean {
  const first = body[0] as number;
  return (first & 0x0f) === 8 && first >> 4 <= 7;
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** Output decoded in place, on the calling thread, before the rest goes to the thread pool. */
const DECODE_IN_PLACE = 1024 * 1024;

/**
 * Decodes a body, refusing to produce more than `maxOutputLength` bytes (zlib stops there and fails
 * with ERR_BUFFER_TOO_LARGE, so a small bomb is never held whole). An SDK's body (a few KB that
 * inflate to tens) decodes right here: the thread pool's round trip costs the calling thread more
 * than the inflate itself. Only a body that inflates past 1 MiB is decoded again on the pool, so
 * no body holds this thread for more than about a millisecond.
 */
export async function decode(encoding: BodyEncoding, body: Buffer, maxOutputLength: number): Promise<Buffer> {
  try {
    return decodeSync(encoding, body, Math.min(maxOutputLength, DECODE_IN_PLACE));
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    if (!tooLarge || maxOutputLength <= DECODE_IN_PLACE) throw error;
  }
  return decodeOnPool(encoding, body, maxOutputLength);
}

function decodeOnPool(encoding: BodyEncoding, body: Buffer, maxOutputLength: number): Promise<Buffer> {
  const options = { maxOutputLength };
  switch (encoding) {
    case 'gzip':
      return gunzip(body, options);
    case 'deflate':
      return zlibWrapped(body) ? inflate(body, options) : inflateRaw(body, options);
    case 'br':
      return brotli(body, options);
  }
}

/** A streaming decoder for the body (to decode only its start: see `decode` for whole bodies). */
export function decoderStream(
  encoding: BodyEncoding,
  body: Buffer,
): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress {
  switch (encoding) {
    case 'gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlibWrapped(body) ? zlib.createInflate() : zlib.createInflateRaw();
    case 'br':
      return zlib.createBrotliDecompress();
  }
}

/**
 * The same, synchronously: for bodies that were decoded once already (at ingest) and stored as
 * sent, or with a small `maxOutputLength`.
 */
export function decodeSync(encoding: BodyEncoding, body: Buffer, maxOutputLength?: number): Buffer {
  const options = maxOutputLength === undefined ? {} : { maxOutputLength };
  switch (encoding) {
    case 'gzip':
      return zlib.gunzipSync(body, options);
    case 'deflate':
      return zlibWrapped(body) ? zlib.inflateSync(body, options) : zlib.inflateRawSync(body, options);
    case 'br':
      return zlib.brotliDecompressSync(body, options);
  }
}

/**
 * Stored documents are brotli at quality 1: about as small as gzip at level 1 makes them, in less
 * time, and as fast to read back.
 * The window stays at 22 bits: its header makes every stream start with a byte whose low four bits
 * are 0xb, so it never starts like gzip (0x1f 0x8b), which documents written before were.
 */
const BROTLI_OPTIONS = {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 22,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  },
};

/** A stored JSON document, compressed (from a Buffer: zlib takes a string slower than the same bytes). */
export function compressDocument(document: string | Buffer): Buffer {
  const bytes = typeof document === 'string' ? Buffer.from(document, 'utf8') : document;
  // The size hint lets the encoder size its buffers to the document rather than to the window:
  // the same bytes out, less to allocate and clear for every document.
  return zlib.brotliCompressSync(bytes, {
    params: { ...BROTLI_OPTIONS.params, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
}

/** Documents shorter than this are stored as text: too small to be worth it. */
const COMPRESS_FROM = 512;

/** A document as it is stored: compressed, or the text itself when it is short. */
export function packDocument(document: string | Buffer): string | Buffer {
  if (document.length < COMPRESS_FROM) return document.toString();
  return compressDocument(document);
}

export function decompressDocument(stored: Uint8Array): string {
  if (stored[0] === 0x1f && stored[1] === 0x8b) return zlib.gunzipSync(stored).toString('utf8');
  return zlib.brotliDecompressSync(stored).toString('utf8');
}
