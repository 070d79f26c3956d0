import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big, binary, withId } from '../column-types.js';

/**
 * Source-map uploads: the database blob store, the chunks sentry-cli uploads (bytes in blobs),
 * the queue of bundles waiting for assembly, and the assembled artifact bundles with their
 * projects, releases and files (bytes in blobs), indexed by debug id and by release and URL.
 */
export function artifactBundles(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('blobs')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('data', binary(engine), (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('upload_chunks')
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('checksum', 'text', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('date_created', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_chunks_pk', ['organization_id', 'checksum'])
        .execute();
      await db.schema
        .createIndex('upload_chunks_created')
        .on('upload_chunks')
        .column('date_created')
        .execute();

      await withId(engine, db.schema.createTable('bundle_assemblies'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('checksum', 'text', (c) => c.notNull())
        .addColumn('chunks', 'text', (c) => c.notNull())
        .addColumn('project_ids', 'text', (c) => c.notNull())
        .addColumn('release', 'text')
        .addColumn('dist', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('date_created', big, (c) => c.notNull())
        .addColumn('date_updated', big, (c) => c.notNull())
        .addUniqueConstraint('bundle_assemblies_organization_checksum', ['organization_id', 'checksum'])
        .execute();
      await db.schema
        .createIndex('bundle_assemblies_state')
        .on('bundle_assemblies')
        .columns(['state', 'date_updated'])
        .execute();

      await withId(engine, db.schema.createTable('artifact_bundles'))
        .addColumn('organization_id', big, (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('bundle_id', 'text', (c) => c.notNull())
        .addColumn('checksum', 'text', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('file_count', big, (c) => c.notNull())
        .addColumn('date_uploaded', big, (c) => c.notNull())
        .addColumn('date_modified', big, (c) => c.notNull())
        .addColumn('date_last_used', big, (c) => c.notNull())
        .addUniqueConstraint('artifact_bundles_organization_checksum', ['organization_id', 'checksum'])
        .execute();
      await db.schema
        .createIndex('artifact_bundles_last_used')
        .on('artifact_bundles')
        .column('date_last_used')
        .execute();

      await db.schema
        .createTable('artifact_bundle_projects')
        .addColumn('artifact_bundle_id', big, (c) =>
          c.notNull().references('artifact_bundles.id').onDelete('cascade'),
        )
        .addColumn('project_id', big, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('artifact_bundle_projects_pk', ['artifact_bundle_id', 'project_id'])
        .execute();
      await db.schema
        .createIndex('artifact_bundle_projects_project')
        .on('artifact_bundle_projects')
        .column('project_id')
        .execute();

      // dist '' stands for "no dist", so that the key is unique without NULLs.
      await db.schema
        .createTable('artifact_bundle_releases')
        .addColumn('artifact_bundle_id', big, (c) =>
          c.notNull().references('artifact_bundles.id').onDelete('cascade'),
        )
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('dist', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('artifact_bundle_releases_pk', ['artifact_bundle_id', 'release', 'dist'])
        .execute();
      await db.schema
        .createIndex('artifact_bundle_releases_release')
        .on('artifact_bundle_releases')
        .columns(['release', 'dist'])
        .execute();

      await withId(engine, db.schema.createTable('artifact_bundle_files'))
        .addColumn('artifact_bundle_id', big, (c) =>
          c.notNull().references('artifact_bundles.id').onDelete('cascade'),
        )
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('file_type', 'text', (c) => c.notNull())
        .addColumn('debug_id', 'text')
        .addColumn('sourcemap', 'text')
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('artifact_bundle_files_bundle')
        .on('artifact_bundle_files')
        .column('artifact_bundle_id')
        .execute();
      await db.schema
        .createIndex('artifact_bundle_files_debug_id')
        .on('artifact_bundle_files')
        .columns(['debug_id', 'file_type'])
        .execute();
      await db.schema
        .createIndex('artifact_bundle_files_url')
        .on('artifact_bundle_files')
        .column('url')
        .execute();
    },
  };
}
