import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

// yauzl rather than fflate: it reads the central directory first, so every declared size is known
// before anything is inflated, and it inflates as a stream that fails once a file passes its
// declared size (a lying zip bomb stops there); fflate inflates whole entries into memory and
// leaves such checks to its caller.

/** What a zip may hold before it is refused (see the upload settings in config/). */
export interface ZipLimits {
  /** Files in the archive. */
  readonly maxEntries: number;
  /** All files together, unpacked. */
  readonly maxUnpackedBytes: number;
  /** How many times a file may inflate; checked only for files of at least `ratioFloorBytes`. */
  readonly maxRatio: number;
  readonly ratioFloorBytes: number;
}

/** Why a zip cannot be read: corrupt, truncated, encrypted, or over a limit (a bomb). */
export class ZipProblem extends Error {}

/** An open archive: its file names, and each file's bytes on request (checked against its size and CRC-32). */
export interface ZipArchive {
  readonly names: readonly string[];
  read(name: string): Promise<Buffer>;
  close(): void;
}

/**
 * Opens a zip held in memory. Offsets are taken from the start of `bytes`, so an archive behind a
 * header (Sentry's source bundles start with `SYSB` and a version) opens as it is.
 *
 * Everything a bomb could lie about is checked before inflating: the declared sizes against
 * `limits`; then, while inflating, yauzl stops a file at its declared size, so a file that
 * declares little and inflates to much fails after that little.
 */
export async function openZip(bytes: Buffer, limits: ZipLimits): Promise<ZipArchive> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    throw new ZipProblem(`not a readable zip archive (${(error as Error).message})`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ZipProblem(
        `the archive holds ${zip.entryCount} files, more than the limit of ${limits.maxEntries}`,
      );
    }
    const entries = new Map<string, yauzl.Entry>();
    let unpacked = 0;
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      if (!entry.canDecodeFileData()) {
        throw new ZipProblem(
          `${entry.fileName} is encrypted or uses a compression method other than deflate`,
        );
      }
      unpacked += entry.uncompressedSize;
      if (unpacked > limits.maxUnpackedBytes) {
        throw new ZipProblem(`the files unpack to more than the limit of ${limits.maxUnpackedBytes} bytes`);
      }
      if (
        entry.uncompressedSize >= limits.ratioFloorBytes &&
        entry.uncompressedSize > limits.maxRatio * Math.max(entry.compressedSize, 1)
      ) {
        throw new ZipProblem(
          `${entry.fileName} inflates ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))} times, more than the limit of ${limits.maxRatio}`,
        );
      }
      if (entries.has(entry.fileName)) throw new ZipProblem(`${entry.fileName} is in the archive twice`);
      entries.set(entry.fileName, entry);
    }
    return {
      names: [...entries.keys()],
      read: (name) => readEntry(zip, entries, name),
      close: () => zip.close(),
    };
  } catch (error) {
    zip.close();
    if (error instanceof ZipProblem) throw error;
    throw new ZipProblem(`the archive is corrupt (${(error as Error).message})`);
  }
}

async function readEntry(
  zip: yauzl.ZipFile,
  entries: Map<string, yauzl.Entry>,
  name: string,
): Promise<Buffer> {
  const entry = entries.get(name);
  if (!entry) throw new ZipProblem(`${name} is not in the archive`);
  const parts: Buffer[] = [];
  try {
    const stream = await zip.openReadStreamPromise(entry);
    for await (const part of stream) parts.push(part as Buffer);
  } catch (error) {
    throw new ZipProblem(`${name} is corrupt or truncated (${(error as Error).message})`);
  }
  const data = Buffer.concat(parts);
  // yauzl leaves the CRC to its caller; a damaged stored (uncompressed) file is caught only here.
  if (crc32(data) !== entry.crc32) throw new ZipProblem(`${name} is corrupt (its CRC-32 does not match)`);
  return data;
}
