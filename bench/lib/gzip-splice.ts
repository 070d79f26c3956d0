import zlib from 'node:zlib';

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** Length of a gzip member's header (RFC 1952 §2.3), so a captured body's own header can be reused. */
export function gzipHeaderLength(gzip: Buffer): number {
  if (gzip[0] !== 0x1f || gzip[1] !== 0x8b || gzip[2] !== 8) throw new Error('not a gzip (deflate) body');
  const flags = gzip[3] as number;
  let at = 10;
  if (flags & FEXTRA) at += 2 + gzip.readUInt16LE(at);
  if (flags & FNAME) at = gzip.indexOf(0, at) + 1;
  if (flags & FCOMMENT) at = gzip.indexOf(0, at) + 1;
  if (flags & FHCRC) at += 2;
  return at;
}

function storedBlock(data: Buffer): Buffer {
  if (data.length > 0xffff) throw new Error('a stored block holds at most 65535 bytes');
  const head = Buffer.alloc(5);
  head[0] = 0; // BFINAL 0, BTYPE 00 (stored); the stream is byte-aligned here, so the padding is this byte's rest
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/**
 * A gzip body whose few short variable parts (event ids) change on every request without
 * recompressing it: the fixed parts are compressed once, each ending on a byte boundary with a
 * full flush (so no back-reference crosses it), and each variable part goes between them as a
 * stored deflate block. The result is one ordinary gzip member that any gunzip reads; per body only
 * the CRC-32 over the plain bytes is computed. Costs a few bytes over compressing the whole.
 *
 * @example
 * const splice = new GzipSplice(header, ['{"event_id":"', '","level":"error"}'], 9);
 * splice.build([Buffer.from(eventId)]); // gzip of {"event_id":"<id>","level":"error"}
 */
export class GzipSplice {
  private readonly fixed: Buffer[];
  private readonly compressed: Buffer[];
  private readonly fixedBytes: number;

  constructor(
    private readonly header: Buffer,
    fixed: readonly (string | Buffer)[],
    level: number,
  ) {
    this.fixed = fixed.map((f) => (typeof f === 'string' ? Buffer.from(f) : f));
    const last = this.fixed.length - 1;
    this.compressed = this.fixed.map((part, i) =>
      zlib.deflateRawSync(part, {
        level,
        finishFlush: i === last ? zlib.constants.Z_FINISH : zlib.constants.Z_FULL_FLUSH,
      }),
    );
    this.fixedBytes = this.fixed.reduce((n, f) => n + f.length, 0);
  }

  /** One body with `variable[i]` between fixed parts i and i+1. */
  build(variable: readonly Buffer[]): Buffer {
    if (variable.length !== this.fixed.length - 1)
      throw new Error('one variable part goes between each two fixed parts');
    const pieces: Buffer[] = [this.header, this.compressed[0] as Buffer];
    let crc = zlib.crc32(this.fixed[0] as Buffer);
    let size = this.fixedBytes;
    for (let i = 0; i < variable.length; i++) {
      const part = variable[i] as Buffer;
      pieces.push(storedBlock(part), this.compressed[i + 1] as Buffer);
      crc = zlib.crc32(this.fixed[i + 1] as Buffer, zlib.crc32(part, crc));
      size += part.length;
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size >>> 0, 4);
    pieces.push(trailer);
    return Buffer.concat(pieces);
  }
}
