import type { Kysely } from 'kysely';
import type { RegionSchema } from './schema.js';

/**
 * Where large immutable bytes live (upload chunks, the files of artifact bundles), by key. Keys
 * name their content, so a key is written once and never changed: `put` of a key already stored
 * keeps what is there. The database implementation joins the caller's transaction, so a rollback
 * takes its writes back too; an object store can take its place by implementing the same four
 * calls (its writes then outlive a rolled-back transaction, and need sweeping: a retry rewrites the
 * same keys).
 *
 * @example
 * const blobs = databaseBlobStore(trx);
 * await blobs.put('chunk/1/0a4d55a8…', bytes);
 */
export interface BlobStore {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** The bytes of several keys at once; keys not stored are left out. */
  getMany(keys: readonly string[]): Promise<Map<string, Buffer>>;
  delete(keys: readonly string[]): Promise<void>;
}

/** Keys per statement: well below any engine's limit on bound parameters. */
const BATCH = 500;

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/** Both drivers hand back a Buffer already; copy only what is not one. */
const asBuffer = (data: Uint8Array): Buffer => (Buffer.isBuffer(data) ? data : Buffer.from(data));

/** The blob store in the region database's `blobs` table, on the given connection or transaction. */
export function databaseBlobStore(db: Kysely<RegionSchema>): BlobStore {
  return {
    async put(key, data) {
      await db
        .insertInto('blobs')
        .values({ key, size: data.length, data })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
    async get(key) {
      const row = await db.selectFrom('blobs').select('data').where('key', '=', key).executeTakeFirst();
      return row && asBuffer(row.data);
    },
    async getMany(keys) {
      const found = new Map<string, Buffer>();
      for (const batch of batches([...new Set(keys)])) {
        const rows = await db.selectFrom('blobs').select(['key', 'data']).where('key', 'in', batch).execute();
        for (const row of rows) found.set(row.key, asBuffer(row.data));
      }
      return found;
    },
    async delete(keys) {
      for (const batch of batches(keys)) await db.deleteFrom('blobs').where('key', 'in', batch).execute();
    },
  };
}

/** The blob store of the region database: the one place to put an object store instead. */
export function blobStoreOf(db: Kysely<RegionSchema>): BlobStore {
  return databaseBlobStore(db);
}
