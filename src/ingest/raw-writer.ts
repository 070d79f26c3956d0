import type { Kysely } from 'kysely';
import type { PreparedRecords } from '../digest/digest-envelope.js';
import { GroupCommit } from '../lib/group-commit.js';
import { insertRawEnvelopes, type RawEnvelope } from '../store/region/raw-envelopes.js';
import type { RegionSchema } from '../store/schema.js';

/**
 * Durable raw writes for ingest: each request waits until its envelope is committed, and the
 * requests in flight together share one transaction. `onCommit` tells digest there is work.
 * This writer (PostgreSQL, SQLite in memory) keeps no prepared records: digest parses again.
 */
export function createRawWriter(db: Kysely<RegionSchema>, onCommit: () => void, maxBatch = 500): RawWriter {
  return new GroupCommit<RawEnvelope>(
    (rows) => db.transaction().execute((trx) => insertRawEnvelopes(trx, rows)),
    maxBatch,
    onCommit,
  );
}

/**
 * Where ingest hands a raw envelope: resolves once it is committed, rejects when it is not.
 * `prepared` are the digest records of its event items, which a writer that digests in the same
 * process may keep for digest (it parses the envelope again when it has none).
 */
export interface RawWriter {
  add(row: RawEnvelope, prepared?: PreparedRecords): Promise<void>;
}
