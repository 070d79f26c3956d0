import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../../test/support/engines.js';
import { createPgSchema } from '../../test/support/pg-schema.js';
import { openDatabase } from './db.js';

describe.skipIf(!TEST_ENGINES.includes('postgres'))('PostgreSQL introspection', () => {
  it("reads the tables of the search path's schema only, with their columns", async () => {
    const ours = await createPgSchema('errata_introspect');
    const other = await createPgSchema('errata_introspect_other');
    const db = openDatabase({ engine: 'postgres', url: ours.url() });
    try {
      const setup = await ours.connect();
      await setup.query(
        'create table things (id bigserial primary key, name text not null, note text default $$x$$)',
      );
      await setup.query('create view thing_names as select name from things');
      await setup.query('create table errata_region_migrations (name text)');
      await setup.query(`create table ${other.name}.strangers (id int)`);
      await setup.end();

      const tables = await db.region.introspection.getTables();
      expect(tables.map((t) => [t.schema, t.name, t.isView])).toEqual([
        [ours.name, 'thing_names', true],
        [ours.name, 'things', false],
      ]);
      expect(tables[1]?.columns).toEqual([
        {
          name: 'id',
          dataType: 'int8',
          dataTypeSchema: 'pg_catalog',
          isNullable: false,
          hasDefaultValue: true,
          isAutoIncrementing: true,
        },
        {
          name: 'name',
          dataType: 'text',
          dataTypeSchema: 'pg_catalog',
          isNullable: false,
          hasDefaultValue: false,
          isAutoIncrementing: false,
        },
        {
          name: 'note',
          dataType: 'text',
          dataTypeSchema: 'pg_catalog',
          isNullable: true,
          hasDefaultValue: true,
          isAutoIncrementing: false,
        },
      ]);
      const withKysely = await db.region.introspection.getTables({ withInternalKyselyTables: true });
      expect(withKysely.map((t) => t.name)).toContain('errata_region_migrations');
      expect((await db.region.introspection.getSchemas()).map((s) => s.name)).toEqual([ours.name]);

      // Another schema dropped while this connection reads is none of its business.
      await other.drop();
      expect((await db.region.introspection.getTables()).map((t) => t.name)).toEqual([
        'thing_names',
        'things',
      ]);
    } finally {
      await db.destroy();
      await ours.drop();
      await other.drop();
    }
  });
});
