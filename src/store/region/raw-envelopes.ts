import { type Kysely, sql } from 'kysely';
import { type BodyEncoding, decodeSync } from '../../lib/compression.js';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** What ingest keeps of one accepted request until digest has turned it into rows. */
export interface RawEnvelope {
  readonly projectId: number;
  readonly keyId: number;
  /** `envelope` (an envelope body) or `store` (one event JSON from the legacy endpoint). */
  readonly kind: 'envelope' | 'store';
  readonly receivedAt: number;
  /** The id ingest answered with, when the request held an event. */
  readonly eventId: string | null;
  readonly clientIp: string | null;
  /** The body as stored: as it came on the wire, compressed when `encoding` says so. */
  readonly payload: Buffer;
  /** The Content-Encoding it came with (kept compressed: a tenth of the bytes to write), or null. */
  readonly encoding: BodyEncoding | null;
}

/** A raw envelope read back for digest: its payload decompressed. */
export interface StoredRawEnvelope extends RawEnvelope {
  readonly id: number;
  readonly encoding: null;
}

/**
 * Inserts a batch of raw envelopes in one statement (the caller's transaction is the commit) and
 * returns their ids in the order given (PostgreSQL and SQLite return the rows of a multi-row
 * INSERT … RETURNING in VALUES order).
 */
export async function insertRawEnvelopes(
  db: Db,
  rows: readonly RawEnvelope[],
  /** The committing process (see `claimRawEnvelopes`), or null for any node to claim. */
  nodeId: string | null = null,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insertInto('raw_envelopes')
    .values(
      rows.map((r) => ({
        project_id: r.projectId,
        key_id: r.keyId,
        kind: r.kind,
        received_at: r.receivedAt,
        event_id: r.eventId,
        client_ip: r.clientIp,
        payload: r.payload,
        encoding: r.encoding,
        node_id: nodeId,
      })),
    )
    .returning('id')
    .execute();
  return inserted.map((r) => r.id);
}

/**
 * The one-row insert as plain SQL with its parameters, for the SQLite ingest thread, which commits
 * synchronously on its own connection (the same columns as `insertRawEnvelopes`).
 */
export const INSERT_RAW_ENVELOPE_SQL =
  'insert into raw_envelopes (project_id, key_id, kind, received_at, event_id, client_ip, payload, encoding, node_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)';

export function rawEnvelopeParameters(r: RawEnvelope, nodeId: string | null): unknown[] {
  return [r.projectId, r.keyId, r.kind, r.receivedAt, r.eventId, r.clientIp, r.payload, r.encoding, nodeId];
}

/**
 * Which raw envelopes a digest may claim: those its own process committed (it holds what ingest
 * computed of them), and another node's only once they are older than `orphanBefore` (epoch ms),
 * when that node is gone or far behind. Without it, with several nodes, each one's digest took the
 * other's envelopes (the oldest first) and parsed them again: 93 % of them, measured with two nodes.
 */
export interface ClaimScope {
  readonly nodeId: string;
  readonly orphanBefore: number;
}

/**
 * The oldest raw envelopes, locked for this transaction. On PostgreSQL rows another node holds are
 * skipped (`FOR UPDATE SKIP LOCKED`), so each is digested once whichever node picks it up; SQLite
 * has one writer, and the transaction's write lock does the same.
 */
export async function claimRawEnvelopes(
  db: Db,
  engine: Engine,
  limit: number,
  /** Payloads the caller holds already (decoded), which are then not read back. */
  held?: (id: number) => Buffer | undefined,
  /** Only these envelopes; every one when not given. */
  scope?: ClaimScope,
): Promise<StoredRawEnvelope[]> {
  // Without payloads held, one query reads everything; with them, the payloads not held come after.
  let query = db
    .selectFrom('raw_envelopes')
    .select(['id', 'project_id', 'key_id', 'kind', 'received_at', 'event_id', 'client_ip'])
    .$if(held === undefined, (q) => q.select(['payload', 'encoding']))
    .where('digest_error', 'is', null)
    .$if(scope !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb('node_id', 'is', null),
          eb('node_id', '=', scope?.nodeId as string),
          eb('received_at', '<', scope?.orphanBefore as number),
        ]),
      ),
    )
    .orderBy('id')
    .limit(limit);
  if (engine === 'postgres') query = query.modifyEnd(sql`for update skip locked`);
  const rows = await query.execute();
  const payloads = new Map<number, Buffer>();
  const decoded = (payload: Uint8Array, encoding: string | null | undefined) =>
    // Decoded once already at ingest, within the size limits.
    encoding ? decodeSync(encoding as BodyEncoding, Buffer.from(payload)) : Buffer.from(payload);
  for (const r of rows) {
    const payload = r.payload ? decoded(r.payload, r.encoding) : held?.(r.id);
    if (payload) payloads.set(r.id, payload);
  }
  const missing = rows.filter((r) => !payloads.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    const stored = await db
      .selectFrom('raw_envelopes')
      .select(['id', 'payload', 'encoding'])
      .where('id', 'in', missing)
      .execute();
    for (const r of stored) payloads.set(r.id, decoded(r.payload, r.encoding));
  }
  return rows.map((r) => ({
    id: r.id,
    projectId: r.project_id,
    keyId: r.key_id,
    kind: r.kind as RawEnvelope['kind'],
    receivedAt: r.received_at,
    eventId: r.event_id,
    clientIp: r.client_ip,
    payload: payloads.get(r.id) as Buffer,
    encoding: null,
  }));
}

export async function deleteRawEnvelopes(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .deleteFrom('raw_envelopes')
    .where('id', 'in', [...ids])
    .execute();
}

/** Sets an envelope aside when digesting it fails on its own: kept for inspection, never retried blindly. */
export async function markRawEnvelopeFailed(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('raw_envelopes')
    .set({ digest_error: error.slice(0, 2000) })
    .where('id', '=', id)
    .execute();
}

/** Raw envelopes still waiting for digest (failed ones excluded). */
export async function countRawEnvelopes(db: Db): Promise<number> {
  const row = await db
    .selectFrom('raw_envelopes')
    .where('digest_error', 'is', null)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
