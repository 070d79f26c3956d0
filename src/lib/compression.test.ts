import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bodyEncoding, compressDocument, decode, decodeSync, decompressDocument } from './compression.js';

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
  });
});
