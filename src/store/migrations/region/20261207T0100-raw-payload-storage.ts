import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';

/**
 * On PostgreSQL, raw envelope bodies and packed event documents are stored out of line without
 * PostgreSQL's own compression: a raw body lives for milliseconds, so compressing it on every
 * insert is CPU spent for nothing, and a packed document is compressed already. SQLite has no such
 * setting.
 */
export function rawPayloadStorage(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      if (engine !== 'postgres') return;
      await sql`alter table raw_envelopes alter column payload set storage external`.execute(db);
      await sql`alter table events alter column data_packed set storage external`.execute(db);
    },
  };
}
