import type { PreparedRecords } from '../digest/digest-envelope.js';

/** What the writer thread keeps of a committed raw envelope until digest takes it. */
export interface Retained {
  /** Digest records of its event items, computed at ingest. */
  readonly records: PreparedRecords | undefined;
  /** Its body, decoded: then digest neither reads it back nor decompresses it. */
  readonly payload: Buffer | undefined;
}

/**
 * Raw envelopes' ingest extras by raw envelope id, within a byte budget: while digest keeps up the
 * backlog is small; when it falls behind, envelopes past the budget are simply not kept, and digest
 * reads and parses those from the database as after a restart.
 */
export class RetainedEnvelopes {
  private readonly entries = new Map<number, { retained: Retained; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Keeps what fits in the budget; true when kept. */
  keep(id: number, retained: Retained): boolean {
    let bytes = retained.payload?.length ?? 0;
    for (const record of retained.records?.values() ?? []) bytes += record.row.data.length + 1024;
    if (bytes === 0 || this.bytes + bytes > this.maxBytes) return false;
    this.entries.set(id, { retained, bytes });
    this.bytes += bytes;
    return true;
  }

  payload(id: number): Buffer | undefined {
    return this.entries.get(id)?.retained.payload;
  }

  /** Hands over and forgets what is kept of the envelope. */
  take(id: number): Retained | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
    return entry.retained;
  }

  /** Bytes kept now (for tests and metrics). */
  get size(): number {
    return this.bytes;
  }
}
