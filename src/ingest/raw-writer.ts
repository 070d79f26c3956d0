import type { Kysely } from 'kysely';
import type { PreparedRecords } from '../digest/digest-envelope.js';
import type { RetainedEnvelopes } from '../jobs/retained-envelopes.js';
import { GroupCommit } from '../lib/group-commit.js';
import { insertRawEnvelopes, type RawEnvelope } from '../store/region/raw-envelopes.js';
import type { RegionSchema } from '../store/schema.js';

/**
 * Durable raw writes for ingest: each request waits until its envelope is committed, and the
 * requests in flight together share one transaction. `onCommit` tells digest there is work.
 * What ingest computed of each envelope is kept in `retained` for this process's digest (another
 * node, or this one after a restart, reads and parses the envelope instead).
 */
export function createRawWriter(
  db: Kysely<RegionSchema>,
  onCommit: () => void,
  retained: RetainedEnvelopes,
  /** This process's id on the envelopes it commits (see `ClaimScope`). */
  nodeId: string,
  maxBatch = 500,
): RawWriter {
  const commit = new GroupCommit<{ row: RawEnvelope; extras: IngestedExtras | undefined }>(
    async (items) => {
      const ids = await db.transaction().execute((trx) =>
        insertRawEnvelopes(
          trx,
          items.map((i) => i.row),
          nodeId,
        ),
      );
      items.forEach(({ row, extras }, i) => {
        retained.keepIngested(ids[i] as number, row, extras);
      });
    },
    maxBatch,
    onCommit,
  );
  return { add: (row, extras) => commit.add({ row, extras }) };
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
