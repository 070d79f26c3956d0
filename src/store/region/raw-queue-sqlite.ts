import type SQLite from 'better-sqlite3';
import {
  type ClaimedEnvelope,
  claimed,
  decodedPayload,
  type HeldBodies,
  MAX_DIGEST_ERROR,
  type RawEnvelope,
  type RawQueue,
  type RawRow,
  type StoredBody,
} from './raw-queue.js';

type ClaimedRow = Omit<RawRow, 'payload' | 'encoding' | 'digest_error'>;

/**
 * The queue on the writer thread's own SQLite connection, as prepared statements: the same rows
 * as `kyselyRawQueue`, without building a query per call on the thread that does all the writing.
 * That connection digests at synchronous=NORMAL; `add` commits at FULL, so nothing acknowledged
 * waits for a later fsync. With `held`, as `kyselyRawQueue`.
 */
export function sqliteRawQueue(sqlite: SQLite.Database, held?: HeldBodies): RawQueue {
  const insert = sqlite.prepare(
    'insert into raw_envelopes (project_id, key_id, kind, received_at, event_id, client_ip, payload, encoding) values (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertAll = sqlite.transaction((envelopes: readonly RawEnvelope[]) =>
    envelopes.map(
      (r) =>
        insert.run(r.projectId, r.keyId, r.kind, r.receivedAt, r.eventId, r.clientIp, r.payload, r.encoding)
          .lastInsertRowid,
    ),
  );
  const oldest = sqlite.prepare<[number], ClaimedRow>(
    'select id, project_id, key_id, kind, received_at, event_id, client_ip from raw_envelopes where digest_error is null order by id limit ?',
  );
  const body = sqlite.prepare<[number], StoredBody>(
    'select payload, encoding from raw_envelopes where id = ?',
  );
  const remove = sqlite.prepare<[number]>('delete from raw_envelopes where id = ?');
  const setAside = sqlite.prepare<[string, number]>('update raw_envelopes set digest_error = ? where id = ?');
  return {
    async add(envelopes) {
      // A digest transaction of this connection is open between two of its statements: after it.
      while (sqlite.inTransaction) await new Promise((resolve) => setImmediate(resolve));
      sqlite.pragma('synchronous = FULL');
      try {
        const ids = insertAll.immediate(envelopes);
        envelopes.forEach((r, i) => {
          held?.hold(Number(ids[i]), r.payload, r.encoding);
        });
      } finally {
        try {
          sqlite.pragma('synchronous = NORMAL');
        } catch {
          // The next commit sets FULL again; a broken connection fails that one.
        }
      }
    },
    async claim(limit): Promise<ClaimedEnvelope[]> {
      return oldest.all(limit).map((r) => {
        const stored = held?.take(r.id) ?? (body.get(r.id) as StoredBody);
        return claimed(r, decodedPayload(stored.payload, stored.encoding));
      });
    },
    async delete(ids) {
      for (const id of ids) remove.run(id);
    },
    async setAside(id, error) {
      setAside.run(error.slice(0, MAX_DIGEST_ERROR), id);
    },
  };
}
