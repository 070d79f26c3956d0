import type { PreparedRecords } from '../digest/digest-envelope.js';
import type { IngestedExtras } from '../ingest/raw-writer.js';
import type { RawEnvelope } from '../store/region/raw-envelopes.js';

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
 * reads and parses those from the database as after a restart. What is older than `maxAgeMs` is
 * dropped (with several nodes, another node may have digested the envelope).
 */
export class RetainedEnvelopes {
  private readonly entries = new Map<number, { retained: Retained; bytes: number; at: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps what fits in the budget; true when kept. */
  keep(id: number, retained: Retained): boolean {
    const now = this.now();
    // Oldest first (a Map iterates in insertion order).
    for (const [oldId, entry] of this.entries) {
      if (entry.at > now - this.maxAgeMs) break;
      this.take(oldId);
    }
    let bytes = retained.payload?.length ?? 0;
    for (const record of retained.records?.values() ?? []) bytes += record.row.data.length + 1024;
    if (bytes === 0 || this.bytes + bytes > this.maxBytes) return false;
    this.entries.set(id, { retained, bytes, at: now });
    this.bytes += bytes;
    return true;
  }

  /**
   * Keeps what ingest handed over with a committed raw envelope: its records, and its decoded body
   * (`plain`, or the row's payload when that is stored plain).
   */
  keepIngested(id: number, row: RawEnvelope, extras: IngestedExtras | undefined): boolean {
    const payload = extras?.plain ?? (row.encoding === null ? row.payload : undefined);
    return this.keep(id, {
      records: extras?.records,
      // A Buffer crosses a thread boundary as a plain Uint8Array: view it as a Buffer again.
      payload: payload && Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    });
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
