import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/**
 * What the control side must know of each region's organizations to answer without reading a
 * region: an organization's name and early-adopter flag (for the organization list), and which
 * users belong to it (membership mappings). Each region writes them when they change there, and
 * reconciles them at start.
 */
export function regionMappings(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('org_mappings')
        .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('org_mappings')
        .addColumn('is_early_adopter', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('org_member_mappings')
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('org_mappings.id').onDelete('cascade'),
        )
        .addColumn('user_id', big, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('date_created', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('org_member_mappings_pk', ['organization_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('org_member_mappings_user_id')
        .on('org_member_mappings')
        .column('user_id')
        .execute();
    },
  };
}
