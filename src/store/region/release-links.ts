import { type Kysely, sql } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** A release as ordering and resolution need it. */
export interface ReleaseRef {
  readonly id: number;
  readonly version: string;
  readonly dateCreated: number;
  readonly dateReleased: number | null;
}

/** The date releases are ordered by where versions are not compared: released, else created. */
export function orderDateOf(release: ReleaseRef): number {
  return release.dateReleased ?? release.dateCreated;
}

/** A release an event of the batch names: its project, version and the earliest event time. */
export interface EventRelease {
  readonly projectId: number;
  readonly version: string;
  readonly firstSeen: number;
}

/** The key of a project's release in the map `recordEventReleases` answers. */
export const projectReleaseKey = (projectId: number, version: string) => `${projectId}\u0000${version}`;

/**
 * Makes sure the releases a batch's events name exist, each in its organization and linked to the
 * event's project, as Sentry creates a release on the first event that names it (dated by that
 * event). One read finds what exists; only what is missing is inserted, one statement for the
 * releases and one for their projects, so a batch of known releases costs a single indexed read.
 * Inserts are sorted, so that concurrent digest transactions take their locks in one order.
 *
 * Answers every named release by `projectReleaseKey`, and the project links this call made.
 */
export async function recordEventReleases(
  db: Db,
  seen: readonly EventRelease[],
): Promise<{ releases: Map<string, ReleaseRef>; linked: { releaseId: number; projectId: number }[] }> {
  const releases = new Map<string, ReleaseRef>();
  if (seen.length === 0) return { releases, linked: [] };
  const versions = [...new Set(seen.map((s) => s.version))];
  const rows = await db
    .selectFrom('projects as p')
    .leftJoin('releases as r', (join) =>
      join.onRef('r.organization_id', '=', 'p.organization_id').on('r.version', 'in', versions),
    )
    .leftJoin('release_projects as rp', (join) =>
      join.onRef('rp.release_id', '=', 'r.id').onRef('rp.project_id', '=', 'p.id'),
    )
    .select([
      'p.id as project_id',
      'p.organization_id',
      'r.id',
      'r.version',
      'r.date_created',
      'r.date_released',
      'rp.project_id as linked_project',
    ])
    .where('p.id', 'in', [...new Set(seen.map((s) => s.projectId))])
    .execute();

  const orgOf = new Map<number, number>();
  const byOrgVersion = new Map<string, ReleaseRef>();
  const links = new Set<string>();
  const orgKey = (org: number, version: string) => `${org}\u0000${version}`;
  for (const row of rows) {
    orgOf.set(row.project_id, row.organization_id);
    if (row.id === null || row.version === null || row.date_created === null) continue;
    byOrgVersion.set(orgKey(row.organization_id, row.version), {
      id: row.id,
      version: row.version,
      dateCreated: row.date_created,
      dateReleased: row.date_released,
    });
    if (row.linked_project !== null) links.add(projectReleaseKey(row.project_id, row.version));
  }

  // Releases nobody made yet, dated by their earliest event in the batch.
  const missing = new Map<string, { organization_id: number; version: string; date_created: number }>();
  for (const s of seen) {
    const org = orgOf.get(s.projectId);
    if (org === undefined || byOrgVersion.has(orgKey(org, s.version))) continue;
    const key = orgKey(org, s.version);
    const known = missing.get(key);
    if (!known || s.firstSeen < known.date_created) {
      missing.set(key, { organization_id: org, version: s.version, date_created: s.firstSeen });
    }
  }
  if (missing.size > 0) {
    const values = [...missing.values()].sort(
      (a, b) => a.organization_id - b.organization_id || (a.version < b.version ? -1 : 1),
    );
    const made = await db
      .insertInto('releases')
      .values(values.map((v) => ({ ...v, ref: null, url: null, date_started: null, date_released: null })))
      .onConflict((oc) => oc.columns(['organization_id', 'version']).doNothing())
      .returning(['id', 'organization_id', 'version', 'date_created', 'date_released'])
      .execute();
    // A concurrent transaction may have made some first (nothing returned for those): read them.
    const lost = values.filter(
      (v) => !made.some((m) => m.organization_id === v.organization_id && m.version === v.version),
    );
    const found =
      lost.length === 0
        ? []
        : await db
            .selectFrom('releases')
            .select(['id', 'organization_id', 'version', 'date_created', 'date_released'])
            .where((eb) =>
              eb.or(
                lost.map((v) =>
                  eb.and([eb('organization_id', '=', v.organization_id), eb('version', '=', v.version)]),
                ),
              ),
            )
            .execute();
    for (const r of [...made, ...found]) {
      byOrgVersion.set(orgKey(r.organization_id, r.version), {
        id: r.id,
        version: r.version,
        dateCreated: r.date_created,
        dateReleased: r.date_released,
      });
    }
  }

  const linked: { releaseId: number; projectId: number }[] = [];
  for (const s of seen) {
    const org = orgOf.get(s.projectId);
    const release = org === undefined ? undefined : byOrgVersion.get(orgKey(org, s.version));
    if (!release) continue;
    const key = projectReleaseKey(s.projectId, s.version);
    if (!releases.has(key) && !links.has(key)) linked.push({ releaseId: release.id, projectId: s.projectId });
    releases.set(key, release);
  }
  if (linked.length > 0) {
    linked.sort((a, b) => a.releaseId - b.releaseId || a.projectId - b.projectId);
    await db
      .insertInto('release_projects')
      .values(linked.map((l) => ({ release_id: l.releaseId, project_id: l.projectId })))
      .onConflict((oc) => oc.columns(['release_id', 'project_id']).doNothing())
      .execute();
  }
  return { releases, linked };
}

/** A release of a project, as listing it for ordering needs. */
export interface ProjectRelease extends ReleaseRef {
  readonly projectId: number;
}

/** Every release of the projects, oldest first (by date created, then id), one row per project. */
export async function listProjectReleases(db: Db, projectIds: readonly number[]): Promise<ProjectRelease[]> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .selectFrom('release_projects as rp')
    .innerJoin('releases as r', 'r.id', 'rp.release_id')
    .select(['rp.project_id', 'r.id', 'r.version', 'r.date_created', 'r.date_released'])
    .where('rp.project_id', 'in', [...projectIds])
    .orderBy('r.date_created')
    .orderBy('r.id')
    .execute();
  return rows.map((r) => ({
    projectId: r.project_id,
    id: r.id,
    version: r.version,
    dateCreated: r.date_created,
    dateReleased: r.date_released,
  }));
}

/**
 * The versions of each project's most recent releases (by date created), newest first, at most
 * `limit` each: what tells whether a project follows semver.
 */
export async function listRecentReleaseVersions(
  db: Db,
  projectIds: readonly number[],
  limit = 10,
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(projectIds.map((id) => [id, []]));
  if (projectIds.length === 0) return out;
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('release_projects as rp')
        .innerJoin('releases as r', 'r.id', 'rp.release_id')
        .select([
          'rp.project_id',
          'r.version',
          'r.date_created',
          'r.id',
          sql<number>`row_number() over (partition by rp.project_id order by r.date_created desc, r.id desc)`.as(
            'n',
          ),
        ])
        .where('rp.project_id', 'in', [...projectIds])
        .as('recent'),
    )
    .select(['project_id', 'version'])
    .where('n', '<=', limit)
    .orderBy('project_id')
    .orderBy('date_created', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const row of rows) out.get(row.project_id)?.push(row.version);
  return out;
}

/** Releases by id (those that exist). */
export async function findReleaseRefs(db: Db, ids: readonly number[]): Promise<Map<number, ReleaseRef>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('releases')
    .select(['id', 'version', 'date_created', 'date_released'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, version: r.version, dateCreated: r.date_created, dateReleased: r.date_released },
    ]),
  );
}

/** The release of this version in the project, if the project has one. */
export async function findProjectRelease(
  db: Db,
  projectId: number,
  version: string,
): Promise<ReleaseRef | undefined> {
  const row = await db
    .selectFrom('release_projects as rp')
    .innerJoin('releases as r', 'r.id', 'rp.release_id')
    .select(['r.id', 'r.version', 'r.date_created', 'r.date_released'])
    .where('rp.project_id', '=', projectId)
    .where('r.version', '=', version)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      version: row.version,
      dateCreated: row.date_created,
      dateReleased: row.date_released,
    }
  );
}
