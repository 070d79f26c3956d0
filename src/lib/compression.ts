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

/**
 * Decodes a body on libuv's thread pool, refusing to produce more than `maxOutputLength` bytes
 * (zlib stops there and fails with ERR_BUFFER_TOO_LARGE, so a small bomb is never held whole).
 */
export function decode(encoding: BodyEncoding, body: Buffer, maxOutputLength: number): Promise<Buffer> {
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

/** The same, synchronously, for bodies that were decoded once already (at ingest) and stored as sent. */
export function decodeSync(encoding: BodyEncoding, body: Buffer): Buffer {
  switch (encoding) {
    case 'gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlibWrapped(body) ? zlib.inflateSync(body) : zlib.inflateRawSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
  }
}

/**
 * A stored JSON document, gzipped at level 1: a 27 KB event with a stack trace becomes ~4 KB in
 * ~40 µs, which costs less than writing the difference to the WAL and again at checkpoint (issue #6).
 */
export function compressDocument(text: string): Buffer {
  return zlib.gzipSync(text, { level: 1 });
}

export function decompressDocument(stored: Uint8Array): string {
  return zlib.gunzipSync(stored).toString('utf8');
}
