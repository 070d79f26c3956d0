import { type Kysely, type Selectable, sql } from 'kysely';
import { type BodyEncoding, decodeSync } from '../../lib/compression.js';
import type { Engine } from '../db.js';
import type { RawEnvelopeTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;
/** A raw_envelopes row as read. */
export type RawRow = Selectable<RawEnvelopeTable>;

/** What ingest keeps of one accepted request until digest has turned it into rows. */
export interface RawEnvelope {
  readonly projectId: number;
  readonly keyId: number;
  /**
   * `envelope` (an envelope body), `store` (one event JSON from the legacy endpoint) or `outcomes`
   * (what ingest refused, for usage stats: see store/region/outcomes.ts).
   */
  readonly kind: RawEnvelopeKind;
  readonly receivedAt: number;
  /** The id ingest answered with, when the request held an event. */
  readonly eventId: string | null;
  readonly clientIp: string | null;
  /** The body as it came on the wire: compressed when `encoding` says so. */
  readonly payload: Buffer;
  /** The Content-Encoding it came with, or null: stored as sent, so a commit never compresses. */
  readonly encoding: BodyEncoding | null;
}

export type RawEnvelopeKind = 'envelope' | 'store' | 'outcomes';

/** The kind of a row that holds nothing but ingest's counts of refused requests. */
export const OUTCOMES_KIND: RawEnvelopeKind = 'outcomes';

/** A raw envelope claimed by digest: its id, and its body decoded. */
export interface ClaimedEnvelope extends Omit<RawEnvelope, 'encoding'> {
  readonly id: number;
}

/**
 * The queue between ingest and digest, one interface on both engines. Ingest adds; digest claims
 * the oldest envelopes inside its transaction, then deletes them (digested) or sets one aside (it
 * cannot be digested: kept for inspection, never claimed again).
 */
export interface RawQueue {
  /** Commits the envelopes together: on disk when it resolves. */
  add(envelopes: readonly RawEnvelope[]): Promise<void>;
  /**
   * The oldest envelopes, locked for the caller's transaction. On PostgreSQL rows another node
   * holds are skipped (`FOR UPDATE SKIP LOCKED`), so each is digested once whichever node picks it
   * up; SQLite has one writer, and the transaction's write lock does the same.
   */
  claim(limit: number): Promise<ClaimedEnvelope[]>;
  delete(ids: readonly number[]): Promise<void>;
  setAside(id: number, error: string): Promise<void>;
}

/** Where ingest hands a raw envelope: resolves once it is committed, rejects when it is not. */
export interface RawWriter {
  add(envelope: RawEnvelope): Promise<void>;
}

/** A raw body as stored: as it came, with the Content-Encoding it came with. */
export interface StoredBody {
  readonly payload: Uint8Array;
  readonly encoding: string | null;
}

/**
 * The bodies of the envelopes a queue committed, by id, until they are claimed: the process that
 * commits an envelope digests it moments later, and then need not read its body back (on
 * PostgreSQL a round trip of the whole body, hex-encoded). Within a byte budget, the oldest going
 * first: when digest falls behind, or another node took an envelope, its body is read back from
 * the database or simply ages out.
 */
export class HeldBodies {
  private readonly bodies = new Map<number, StoredBody>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  hold(id: number, payload: Uint8Array, encoding: string | null): void {
    if (payload.byteLength > this.maxBytes) return;
    // A Map iterates in insertion order: the first entries are the oldest.
    for (const [oldest] of this.bodies) {
      if (this.bytes + payload.byteLength <= this.maxBytes) break;
      this.take(oldest);
    }
    this.bodies.set(id, { payload, encoding });
    this.bytes += payload.byteLength;
  }

  /** The body as stored, forgotten here; undefined when not held. */
  take(id: number): StoredBody | undefined {
    const body = this.bodies.get(id);
    if (!body) return undefined;
    this.bodies.delete(id);
    this.bytes -= body.payload.byteLength;
    return body;
  }
}

/** Set-aside errors are kept up to this many characters. */
export const MAX_DIGEST_ERROR = 2000;

/** A claimed envelope from its row and its body, decoded. */
export function claimed(
  row: Omit<RawRow, 'payload' | 'encoding' | 'digest_error'>,
  payload: Buffer,
): ClaimedEnvelope {
  return {
    id: row.id,
    projectId: row.project_id,
    keyId: row.key_id,
    kind: row.kind as RawEnvelopeKind,
    receivedAt: row.received_at,
    eventId: row.event_id,
    clientIp: row.client_ip,
    payload,
  };
}

/** A stored body decoded: it was decoded once already at ingest, within the size limits. */
export function decodedPayload(payload: Uint8Array, encoding: string | null): Buffer {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return encoding ? decodeSync(encoding as BodyEncoding, bytes) : bytes;
}

/**
 * The queue over Kysely, on the given database or transaction: PostgreSQL, and SQLite in memory.
 * With `held`, what it adds is held there and what it claims is taken from there first.
 */
export function kyselyRawQueue(db: Db, engine: Engine, held?: HeldBodies): RawQueue {
  return {
    async add(envelopes) {
      if (envelopes.length === 0) return;
      // One statement: atomic on its own, so it needs no transaction of its own. Both engines
      // return the rows of a multi-row INSERT … RETURNING in VALUES order.
      const inserted = await db
        .insertInto('raw_envelopes')
        .values(
          envelopes.map((r) => ({
            project_id: r.projectId,
            key_id: r.keyId,
            kind: r.kind,
            received_at: r.receivedAt,
            event_id: r.eventId,
            client_ip: r.clientIp,
            payload: r.payload,
            encoding: r.encoding,
          })),
        )
        .returning('id')
        .execute();
      inserted.forEach(({ id }, i) => {
        const envelope = envelopes[i] as RawEnvelope;
        held?.hold(id, envelope.payload, envelope.encoding);
      });
    },
    async claim(limit) {
      let query = db
        .selectFrom('raw_envelopes')
        .select(['id', 'project_id', 'key_id', 'kind', 'received_at', 'event_id', 'client_ip'])
        .where('digest_error', 'is', null)
        .orderBy('id')
        .limit(limit);
      if (engine === 'postgres') query = query.modifyEnd(sql`for update skip locked`);
      const rows = await query.execute();
      const bodies = new Map(rows.map((r) => [r.id, held?.take(r.id)]));
      const missing = rows.filter((r) => bodies.get(r.id) === undefined).map((r) => r.id);
      if (missing.length > 0) {
        const stored = await db
          .selectFrom('raw_envelopes')
          .select(['id', 'payload', 'encoding'])
          .where('id', 'in', missing)
          .execute();
        for (const r of stored) bodies.set(r.id, { payload: r.payload, encoding: r.encoding });
      }
      return rows.map((r) => {
        const body = bodies.get(r.id) as StoredBody;
        return claimed(r, decodedPayload(body.payload, body.encoding));
      });
    },
    async delete(ids) {
      if (ids.length === 0) return;
      await db
        .deleteFrom('raw_envelopes')
        .where('id', 'in', [...ids])
        .execute();
    },
    async setAside(id, error) {
      await db
        .updateTable('raw_envelopes')
        .set({ digest_error: error.slice(0, MAX_DIGEST_ERROR) })
        .where('id', '=', id)
        .execute();
    },
  };
}

/**
 * Lets the caller's digest transaction commit without waiting for its WAL flush (PostgreSQL; the
 * writer thread's SQLite connection digests at synchronous=NORMAL for the same reason): a commit lost in a
 * crash takes its deletion of the raw envelopes with it, so they are digested again.
 */
export async function commitWithoutFlush(trx: Db, engine: Engine): Promise<void> {
  if (engine === 'postgres') await sql`set local synchronous_commit = off`.execute(trx);
}

/**
 * Waits until no other digest transaction holds an earlier envelope of the project (PostgreSQL,
 * where several digest at once; SQLite digests one batch at a time, in queue order). What those
 * envelopes wrote is then committed, and visible to the caller's next statement.
 */
export async function waitForEarlierEnvelopes(
  trx: Db,
  engine: Engine,
  envelope: { readonly projectId: number; readonly id: number },
): Promise<void> {
  if (engine !== 'postgres') return;
  // FOR UPDATE without SKIP LOCKED: blocks on the rows another transaction claimed until it ends;
  // rows it digested are deleted by then and so skipped.
  await trx
    .selectFrom('raw_envelopes')
    .select('id')
    .where('project_id', '=', envelope.projectId)
    .where('id', '<', envelope.id)
    .where('digest_error', 'is', null)
    .forUpdate()
    .execute();
}

/** Raw envelopes still waiting for digest (those set aside excluded). */
export async function countRawEnvelopes(db: Db): Promise<number> {
  const row = await db
    .selectFrom('raw_envelopes')
    .where('digest_error', 'is', null)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Where the queue between ingest and digest stands: how many wait, and the oldest of them. */
export interface RawQueueState {
  /** Raw envelopes waiting for digest (those set aside excluded). */
  readonly depth: number;
  /** The oldest waiting envelope (digest claims in id order), or null when none waits. */
  readonly oldest: { readonly id: number; readonly receivedAt: number } | null;
  /** Envelopes digest could not turn into rows, kept for inspection. */
  readonly setAside: number;
}

/**
 * Envelopes and store bodies only: the rows that carry ingest's counts of refused requests are
 * digested too, but are no data a client is waiting to see.
 */
export async function rawQueueState(db: Db): Promise<RawQueueState> {
  const oldest = await db
    .selectFrom('raw_envelopes')
    .where('digest_error', 'is', null)
    .where('kind', '!=', OUTCOMES_KIND)
    .select(['id', 'received_at'])
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const counts = await db
    .selectFrom('raw_envelopes')
    .where('kind', '!=', OUTCOMES_KIND)
    .select((eb) => [eb.fn.countAll<number>().as('all'), eb.fn.count<number>('digest_error').as('aside')])
    .executeTakeFirstOrThrow();
  return {
    depth: Number(counts.all) - Number(counts.aside),
    oldest: oldest ? { id: oldest.id, receivedAt: oldest.received_at } : null,
    setAside: Number(counts.aside),
  };
}
