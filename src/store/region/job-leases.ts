import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/**
 * Takes or renews the lease on a job until `until`: won when no node holds it, when the lease of
 * the node that held it ran out (it stopped or hung), or when `holder` holds it already. One
 * conditional upsert, so that of several nodes asking at once one wins.
 */
export async function claimJobLease(
  db: Db,
  name: string,
  holder: string,
  now: number,
  until: number,
): Promise<boolean> {
  const row = await db
    .insertInto('job_leases')
    .values({ name, holder, expires_at: until })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: until })
        .where((eb) => eb.or([eb('job_leases.expires_at', '<=', now), eb('job_leases.holder', '=', holder)])),
    )
    .returning('name')
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives the lease up, if `holder` holds it, so that another node may run the job at once. */
export async function releaseJobLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('job_leases').where('name', '=', name).where('holder', '=', holder).execute();
}
