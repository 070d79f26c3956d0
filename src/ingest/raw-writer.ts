import type { Kysely } from 'kysely';
import { GroupCommit } from '../lib/group-commit.js';
import { insertRawEnvelopes, type RawEnvelope } from '../store/region/raw-envelopes.js';
import type { RegionSchema } from '../store/schema.js';

/**
 * Durable raw writes for ingest: each request waits until its envelope is committed, and the
 * requests in flight together share one transaction. `onCommit` tells digest there is work.
 */
export function createRawWriter(db: Kysely<RegionSchema>, onCommit: () => void, maxBatch = 500): RawWriter {
  return new GroupCommit<RawEnvelope>(
    (rows) => db.transaction().execute((trx) => insertRawEnvelopes(trx, rows)),
    maxBatch,
    onCommit,
  );
}

/** Where ingest hands a raw envelope: resolves once it is committed, rejects when it is not. */
export interface RawWriter {
  add(row: RawEnvelope): Promise<void>;
}
