import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { binary } from '../column-types.js';

/**
 * Payloads kept compressed: a raw envelope as it came on the wire (`encoding`: its
 * Content-Encoding, null when it came plain), and an event's stored document gzipped in `data_gz`
 * (then `data` is empty; rows written before keep their document in `data`).
 */
export function compressedPayloads(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('raw_envelopes').addColumn('encoding', 'text').execute();
      await db.schema.alterTable('events').addColumn('data_gz', binary(engine)).execute();
    },
  };
}
