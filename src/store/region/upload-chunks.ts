import type { Kysely } from 'kysely';
import { blobStoreOf } from '../blob-store.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** A chunk as sentry-cli sends it: its bytes and their SHA-1 (lowercase hex). */
export interface NewChunk {
  readonly checksum: string;
  readonly data: Uint8Array;
}

const chunkKey = (organizationId: number, checksum: string) => `chunk/${organizationId}/${checksum}`;

/**
 * Stores chunks of an organization; one already stored keeps its bytes (same SHA-1, same bytes)
 * and counts as uploaded now, so that retention does not take it from an upload under way. Run it
 * in a transaction so that a failure stores none of them.
 */
export async function insertChunks(
  db: Db,
  organizationId: number,
  chunks: readonly NewChunk[],
  now: number,
): Promise<void> {
  const blobs = blobStoreOf(db);
  const known = await findStoredChunks(
    db,
    organizationId,
    chunks.map((c) => c.checksum),
  );
  await touchChunks(db, organizationId, [...known], now);
  for (const chunk of chunks) {
    if (known.has(chunk.checksum)) continue;
    known.add(chunk.checksum);
    await blobs.put(chunkKey(organizationId, chunk.checksum), chunk.data);
    await db
      .insertInto('upload_chunks')
      .values({
        organization_id: organizationId,
        checksum: chunk.checksum,
        size: chunk.data.length,
        date_created: now,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'checksum']).doNothing())
      .execute();
  }
}

/** Counts these chunks as uploaded now (an upload that found them stored is about to use them). */
export async function touchChunks(
  db: Db,
  organizationId: number,
  checksums: readonly string[],
  now: number,
): Promise<void> {
  const unique = [...new Set(checksums)];
  for (let i = 0; i < unique.length; i += 500) {
    await db
      .updateTable('upload_chunks')
      .set({ date_created: now })
      .where('organization_id', '=', organizationId)
      .where('checksum', 'in', unique.slice(i, i + 500))
      .execute();
  }
}

/** Which of these checksums the organization has uploaded, with each one's size. */
export async function findChunkSizes(
  db: Db,
  organizationId: number,
  checksums: readonly string[],
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const unique = [...new Set(checksums)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('upload_chunks')
      .select(['checksum', 'size'])
      .where('organization_id', '=', organizationId)
      .where('checksum', 'in', unique.slice(i, i + 500))
      .execute();
    for (const row of rows) sizes.set(row.checksum, row.size);
  }
  return sizes;
}

export async function findStoredChunks(
  db: Db,
  organizationId: number,
  checksums: readonly string[],
): Promise<Set<string>> {
  return new Set((await findChunkSizes(db, organizationId, checksums)).keys());
}

/** The bytes of one chunk, or undefined when it is not (or no longer) stored. */
export async function readChunk(
  db: Db,
  organizationId: number,
  checksum: string,
): Promise<Buffer | undefined> {
  return blobStoreOf(db).get(chunkKey(organizationId, checksum));
}

export async function deleteChunks(
  db: Db,
  organizationId: number,
  checksums: readonly string[],
): Promise<void> {
  const unique = [...new Set(checksums)];
  for (let i = 0; i < unique.length; i += 500) {
    await db
      .deleteFrom('upload_chunks')
      .where('organization_id', '=', organizationId)
      .where('checksum', 'in', unique.slice(i, i + 500))
      .execute();
  }
  await blobStoreOf(db).delete(unique.map((c) => chunkKey(organizationId, c)));
}

/** Deletes up to `limit` chunks uploaded before `cutoff` (no bundle was assembled from them); returns how many. */
export async function deleteChunksBefore(db: Db, cutoff: number, limit = 500): Promise<number> {
  const rows = await db
    .selectFrom('upload_chunks')
    .select(['organization_id', 'checksum'])
    .where('date_created', '<', cutoff)
    .limit(limit)
    .execute();
  for (const row of rows) await deleteChunks(db, row.organization_id, [row.checksum]);
  return rows.length;
}
