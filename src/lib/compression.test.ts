import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  bodyEncoding,
  compressDocument,
  decode,
  decodeSync,
  decompressDocument,
  packDocument,
} from './compression.js';

const MiB = 1024 * 1024;
const twoMiB = Buffer.alloc(2 * MiB, 'a');

describe('decode', () => {
  it.each([
    ['gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['deflate', zlib.deflateRawSync],
    ['br', zlib.brotliCompressSync],
  ] as const)(
    'decodes %s, in place or past 1 MiB on the pool, and stops at the limit',
    async (encoding, encode) => {
      const small = Buffer.from('{"event_id":"a"}');
      expect(await decode(encoding, encode(small), 10 * MiB)).toEqual(small);
      expect((await decode(encoding, encode(twoMiB), 4 * MiB)).equals(twoMiB)).toBe(true);
      await expect(decode(encoding, encode(twoMiB), 1.5 * MiB)).rejects.toMatchObject({
        code: 'ERR_BUFFER_TOO_LARGE',
      });
      await expect(decode(encoding, encode(twoMiB), MiB / 2)).rejects.toMatchObject({
        code: 'ERR_BUFFER_TOO_LARGE',
      });
      expect(decodeSync(encoding, encode(small))).toEqual(small);
    },
  );

  it('fails on a body that is not what it says', async () => {
    await expect(decode('gzip', Buffer.from('not gzip'), MiB)).rejects.toThrow();
  });

  it('names the encodings it decodes', () => {
    expect([
      bodyEncoding(undefined),
      bodyEncoding(' GZIP '),
      bodyEncoding('x-gzip'),
      bodyEncoding('UTF-8'),
    ]).toEqual([null, 'gzip', 'gzip', null]);
    expect(bodyEncoding('zstd')).toBeUndefined();
  });
});

describe('stored documents', () => {
  it('round-trip, smaller', () => {
    const text = JSON.stringify({
      frames: Array.from({ length: 50 }, (_, i) => ({ function: `f${i}`, lineno: i })),
    });
    const stored = compressDocument(text);
    expect(stored.length).toBeLessThan(text.length / 3);
    expect(decompressDocument(stored)).toBe(text);
    expect(decompressDocument(compressDocument(Buffer.from(text)))).toBe(text);
  });

  it('keeps a short document as text, from a string or from bytes', () => {
    expect(packDocument('{"a":1}')).toBe('{"a":1}');
    expect(packDocument(Buffer.from('{"a":"é"}'))).toBe('{"a":"é"}');
    expect(packDocument('x'.repeat(600))).toBeInstanceOf(Buffer);
  });

  it('reads documents gzipped by earlier versions', () => {
    const text = JSON.stringify({ message: 'é'.repeat(400) });
    expect(decompressDocument(zlib.gzipSync(text, { level: 1 }))).toBe(text);
  });

  it('never writes a stream that starts like gzip', () => {
    // The first byte's low bits are brotli's window header (22 bits: 0xb), whatever the content.
    for (let i = 0; i < 200; i++) {
      const text = JSON.stringify({ i, pad: String.fromCharCode(0x1f, 0x8b).repeat(i * 7) });
      expect((compressDocument(text)[0] as number) & 0x0f).toBe(0x0b);
    }
  });
});
