import type { Kysely, Selectable } from 'kysely';
import type { BundleAssemblyTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** Where an uploaded bundle stands before it is an artifact bundle (Sentry's assemble states). */
export type AssemblyState = 'created' | 'assembling' | 'error';

/** A bundle whose chunks are all uploaded, queued for assembly (or failed in it). */
export interface BundleAssembly {
  readonly id: number;
  readonly organizationId: number;
  readonly checksum: string;
  readonly chunks: readonly string[];
  readonly projectIds: readonly number[];
  readonly release: string | null;
  readonly dist: string | null;
  readonly state: AssemblyState;
  readonly detail: string | null;
  readonly dateCreated: number;
  readonly dateUpdated: number;
}

export type NewBundleAssembly = Pick<
  BundleAssembly,
  'organizationId' | 'checksum' | 'chunks' | 'projectIds' | 'release' | 'dist'
>;

function toAssembly(row: Selectable<BundleAssemblyTable>): BundleAssembly {
  return {
    id: row.id,
    organizationId: row.organization_id,
    checksum: row.checksum,
    chunks: JSON.parse(row.chunks) as string[],
    projectIds: JSON.parse(row.project_ids) as number[],
    release: row.release,
    dist: row.dist,
    state: row.state as AssemblyState,
    detail: row.detail,
    dateCreated: row.date_created,
    dateUpdated: row.date_updated,
  };
}

export async function findBundleAssembly(
  db: Db,
  organizationId: number,
  checksum: string,
): Promise<BundleAssembly | undefined> {
  const row = await db
    .selectFrom('bundle_assemblies')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('checksum', '=', checksum)
    .executeTakeFirst();
  return row && toAssembly(row);
}

/** Queues a bundle for assembly; throws a unique violation when one of that checksum is queued already. */
export async function insertBundleAssembly(
  db: Db,
  assembly: NewBundleAssembly,
  now: number,
): Promise<BundleAssembly> {
  const row = await db
    .insertInto('bundle_assemblies')
    .values({
      organization_id: assembly.organizationId,
      checksum: assembly.checksum,
      chunks: JSON.stringify(assembly.chunks),
      project_ids: JSON.stringify(assembly.projectIds),
      release: assembly.release,
      dist: assembly.dist,
      state: 'created',
      detail: null,
      date_created: now,
      date_updated: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAssembly(row);
}

/**
 * Takes the oldest queued bundle for assembly: one `created`, or one left `assembling` since before
 * `staleBefore` by a process that stopped. The update names the state and time it read, so that of
 * two nodes reaching for the same row only one gets it. Undefined when there is nothing to do.
 */
export async function claimBundleAssembly(
  db: Db,
  now: number,
  staleBefore: number,
): Promise<BundleAssembly | undefined> {
  for (;;) {
    const row = await db
      .selectFrom('bundle_assemblies')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('state', '=', 'created'),
          eb.and([eb('state', '=', 'assembling'), eb('date_updated', '<', staleBefore)]),
        ]),
      )
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    const claimed = await db
      .updateTable('bundle_assemblies')
      .set({ state: 'assembling', date_updated: now })
      .where('id', '=', row.id)
      .where('state', '=', row.state)
      .where('date_updated', '=', row.date_updated)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) {
      return toAssembly({ ...row, state: 'assembling', date_updated: now });
    }
  }
}

/** Marks a bundle's assembly failed: sentry-cli shows `detail` to its user. */
export async function failBundleAssembly(db: Db, id: number, detail: string, now: number): Promise<void> {
  await db
    .updateTable('bundle_assemblies')
    .set({ state: 'error', detail, date_updated: now })
    .where('id', '=', id)
    .execute();
}

export async function deleteBundleAssembly(db: Db, id: number): Promise<void> {
  await db.deleteFrom('bundle_assemblies').where('id', '=', id).execute();
}

/** Forgets failed assemblies last changed before `cutoff`: a client polling for them has long given up. */
export async function deleteFailedAssembliesBefore(db: Db, cutoff: number): Promise<number> {
  const result = await db
    .deleteFrom('bundle_assemblies')
    .where('state', '=', 'error')
    .where('date_updated', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
