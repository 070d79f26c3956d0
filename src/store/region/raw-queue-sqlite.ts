import type SQLite from 'better-sqlite3';
import {
  type ClaimedEnvelope,
  decodedPayload,
  MAX_DIGEST_ERROR,
  type RawEnvelope,
  type RawEnvelopeKind,
  type RawQueue,
} from './raw-queue.js';

interface RawRow {
  id: number;
  project_id: number;
  key_id: number;
  kind: string;
  received_at: number;
  event_id: string | null;
  client_ip: string | null;
  payload: Buffer;
  encoding: string | null;
}

/**
 * The queue on the writer thread's own SQLite connection, as prepared statements: the same rows
 * as `kyselyRawQueue`, without building a query per call on the thread that does all the writing.
 * That connection digests at synchronous=NORMAL; `add` commits at FULL, so nothing acknowledged
 * waits for a later fsync.
 */
export function sqliteRawQueue(sqlite: SQLite.Database): RawQueue {
  const insert = sqlite.prepare(
    'insert into raw_envelopes (project_id, key_id, kind, received_at, event_id, client_ip, payload, encoding) values (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertAll = sqlite.transaction((envelopes: readonly RawEnvelope[]) => {
    for (const r of envelopes)
      insert.run(r.projectId, r.keyId, r.kind, r.receivedAt, r.eventId, r.clientIp, r.payload, r.encoding);
  });
  const oldest = sqlite.prepare<[number], RawRow>(
    'select id, project_id, key_id, kind, received_at, event_id, client_ip, payload, encoding from raw_envelopes where digest_error is null order by id limit ?',
  );
  const remove = sqlite.prepare<[number]>('delete from raw_envelopes where id = ?');
  const setAside = sqlite.prepare<[string, number]>('update raw_envelopes set digest_error = ? where id = ?');
  return {
    async add(envelopes) {
      // A digest transaction of this connection is open between two of its statements: after it.
      while (sqlite.inTransaction) await new Promise((resolve) => setImmediate(resolve));
      sqlite.pragma('synchronous = FULL');
      try {
        insertAll.immediate(envelopes);
      } finally {
        try {
          sqlite.pragma('synchronous = NORMAL');
        } catch {
          // The next commit sets FULL again; a broken connection fails that one.
        }
      }
    },
    async claim(limit): Promise<ClaimedEnvelope[]> {
      return oldest.all(limit).map((r) => ({
        id: r.id,
        projectId: r.project_id,
        keyId: r.key_id,
        kind: r.kind as RawEnvelopeKind,
        receivedAt: r.received_at,
        eventId: r.event_id,
        clientIp: r.client_ip,
        payload: decodedPayload(r.payload, r.encoding),
      }));
    },
    async delete(ids) {
      for (const id of ids) remove.run(id);
    },
    async setAside(id, error) {
      setAside.run(error.slice(0, MAX_DIGEST_ERROR), id);
    },
  };
}
