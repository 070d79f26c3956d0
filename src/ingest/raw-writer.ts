import type { Kysely } from 'kysely';
import type { PreparedRecords } from '../digest/digest-envelope.js';
import { GroupCommit } from '../lib/group-commit.js';
import { insertRawEnvelopes, type RawEnvelope } from '../store/region/raw-envelopes.js';
import type { RegionSchema } from '../store/schema.js';

/**
 * Durable raw writes for ingest: each request waits until its envelope is committed, and the
 * requests in flight together share one transaction. `onCommit` tells digest there is work.
 * This writer (PostgreSQL, SQLite in memory) keeps no extras: digest reads and parses again.
 */
export function createRawWriter(db: Kysely<RegionSchema>, onCommit: () => void, maxBatch = 500): RawWriter {
  return new GroupCommit<RawEnvelope>(
    (rows) => db.transaction().execute((trx) => insertRawEnvelopes(trx, rows)),
    maxBatch,
    onCommit,
  );
}

/**
 * What ingest has of a raw envelope beyond its row, which a writer that digests in the same process
 * may keep for digest: the digest records of its event items, and its body decoded (when it is
 * stored compressed). Digest reads and parses the envelope again when it has neither.
 */
export interface IngestedExtras {
  readonly records?: PreparedRecords;
  readonly plain?: Buffer;
}

/** Where ingest hands a raw envelope: resolves once it is committed, rejects when it is not. */
export interface RawWriter {
  add(row: RawEnvelope, extras?: IngestedExtras): Promise<void>;
}
