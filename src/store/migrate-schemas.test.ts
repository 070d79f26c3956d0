import { describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES } from '../../test/support/engines.js';

// Kysely's migrator, unless told the schema, takes a table of the same name in any schema as its
// own: a second Errata schema in one PostgreSQL database then never got its migration tables.
describe.runIf(TEST_ENGINES.includes('postgres'))(
  'migrations on PostgreSQL with two Errata schemas in one database',
  () => {
    it('migrates the second schema as fully as the first', async () => {
      const first = await openTestDatabase('postgres');
      try {
        const second = await openTestDatabase('postgres');
        try {
          const tables = await second.db.control.introspection.getTables({ withInternalKyselyTables: true });
          const own = tables.filter((t) => t.schema === second.schema).map((t) => t.name);
          expect(own).toEqual(
            expect.arrayContaining(['errata_control_migrations', 'errata_control_migrations_lock', 'users']),
          );
        } finally {
          await second.drop();
        }
      } finally {
        await first.drop();
      }
    });
  },
);
