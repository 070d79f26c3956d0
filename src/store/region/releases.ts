import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { DeployTable, RegionSchema, ReleaseTable } from '../schema.js';
import type { Deploy, PageRequest, Release, ReleaseStats } from '../types.js';

type Db = Kysely<RegionSchema>;

export function toRelease(row: Selectable<ReleaseTable>): Release {
  return {
    id: row.id,
    organizationId: row.organization_id,
    version: row.version,
    ref: row.ref,
    url: row.url,
    dateCreated: row.date_created,
    dateStarted: row.date_started,
    dateReleased: row.date_released,
  };
}

function toDeploy(row: Selectable<DeployTable>): Deploy {
  return {
    id: row.id,
    releaseId: row.release_id,
    environment: row.environment,
    name: row.name,
    url: row.url,
    dateStarted: row.date_started,
    dateFinished: row.date_finished,
  };
}

export async function findRelease(
  db: Db,
  organizationId: number,
  version: string,
): Promise<Release | undefined> {
  const row = await db
    .selectFrom('releases')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && toRelease(row);
}

export async function insertRelease(db: Db, release: Omit<Release, 'id'>): Promise<Release> {
  const row = await db
    .insertInto('releases')
    .values({
      organization_id: release.organizationId,
      version: release.version,
      ref: release.ref,
      url: release.url,
      date_created: release.dateCreated,
      date_started: release.dateStarted,
      date_released: release.dateReleased,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRelease(row);
}

export async function updateRelease(
  db: Db,
  id: number,
  changes: { ref?: string | null; url?: string | null; dateReleased?: number | null },
): Promise<void> {
  const set = {
    ...(changes.ref === undefined ? {} : { ref: changes.ref }),
    ...(changes.url === undefined ? {} : { url: changes.url }),
    ...(changes.dateReleased === undefined ? {} : { date_released: changes.dateReleased }),
  };
  if (Object.keys(set).length === 0) return;
  await db.updateTable('releases').set(set).where('id', '=', id).execute();
}

export async function deleteRelease(db: Db, id: number): Promise<void> {
  await db.deleteFrom('releases').where('id', '=', id).execute();
}

/** Adds projects to a release; projects it has already are left as they are. */
export async function addReleaseProjects(
  db: Db,
  releaseId: number,
  projectIds: readonly number[],
): Promise<void> {
  if (projectIds.length === 0) return;
  await db
    .insertInto('release_projects')
    .values(projectIds.map((projectId) => ({ release_id: releaseId, project_id: projectId })))
    .onConflict((oc) => oc.columns(['release_id', 'project_id']).doNothing())
    .execute();
}

/** Project ids of each release. */
export async function listProjectIdsOfReleases(
  db: Db,
  releaseIds: readonly number[],
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(releaseIds.map((id) => [id, []]));
  if (releaseIds.length === 0) return out;
  const rows = await db
    .selectFrom('release_projects')
    .select(['release_id', 'project_id'])
    .where('release_id', 'in', [...releaseIds])
    .orderBy('project_id')
    .execute();
  for (const row of rows) out.get(row.release_id)?.push(row.project_id);
  return out;
}

/**
 * Releases of the organization that belong to one of `projectIds`, newest first. `query` keeps
 * versions that contain it, in any case (Sentry's substring match).
 */
/** What a release list may be narrowed and ordered by. */
export interface ReleaseFilter {
  /** A case-insensitive part of the version. */
  readonly query?: string;
  /** Releases seen (by an event or a deploy) in any of these environments. */
  readonly environments?: readonly string[];
  /** `date`: newest first; `sessions`: most sessions started (in those environments) first. */
  readonly sort?: 'date' | 'sessions';
}

export async function listReleases(
  db: Db,
  organizationId: number,
  projectIds: readonly number[],
  page: PageRequest,
  filter: ReleaseFilter = {},
): Promise<Release[]> {
  if (projectIds.length === 0) return [];
  let q = db
    .selectFrom('releases')
    .selectAll('releases')
    .where('releases.organization_id', '=', organizationId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('release_projects')
          .select('release_projects.release_id')
          .whereRef('release_projects.release_id', '=', 'releases.id')
          .where('release_projects.project_id', 'in', [...projectIds]),
      ),
    );
  if (filter.query) {
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive. SQLite's LIKE has no escape
    // character unless told, so % and _ in a query would match anything there.
    const pattern = `%${filter.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<SqlBool>`lower(releases.version) like lower(${pattern}) escape '\\'`);
  }
  const environments = filter.environments ?? [];
  if (environments.length > 0) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('release_environments')
          .select('release_environments.release')
          .whereRef('release_environments.release', '=', 'releases.version')
          .where('release_environments.project_id', 'in', [...projectIds])
          .where('release_environments.environment', 'in', [...environments]),
      ),
    );
  }
  if (filter.sort === 'sessions') {
    q = q.orderBy(
      (eb) =>
        eb.fn.coalesce(
          eb
            .selectFrom('release_health')
            .select((h) => h.fn.sum<number>('release_health.started').as('started'))
            .whereRef('release_health.release', '=', 'releases.version')
            .where('release_health.project_id', 'in', [...projectIds])
            .$if(environments.length > 0, (h) =>
              h.where('release_health.environment', 'in', [...environments]),
            ),
          eb.lit(0),
        ),
      'desc',
    );
  }
  const rows = await q
    .orderBy('releases.date_created', 'desc')
    .orderBy('releases.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toRelease);
}

export async function insertDeploy(db: Db, deploy: Omit<Deploy, 'id'>): Promise<Deploy> {
  const row = await db
    .insertInto('deploys')
    .values({
      release_id: deploy.releaseId,
      environment: deploy.environment,
      name: deploy.name,
      url: deploy.url,
      date_started: deploy.dateStarted,
      date_finished: deploy.dateFinished,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDeploy(row);
}

/** A release's deploys, the latest finished first. */
export async function listDeploys(db: Db, releaseId: number, page: PageRequest): Promise<Deploy[]> {
  const rows = await db
    .selectFrom('deploys')
    .selectAll()
    .where('release_id', '=', releaseId)
    .orderBy('date_finished', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toDeploy);
}

/**
 * Deploy counts, last deploys, new issues and first and last events of each release, over the
 * given projects. The events' times come from the issues' `release` tag values, which digest
 * keeps with their first and last sight, so no event is scanned.
 */
export async function releaseStats(
  db: Db,
  releases: readonly Release[],
  projectIds: readonly number[],
): Promise<Map<number, ReleaseStats>> {
  const out = new Map<number, ReleaseStats>();
  if (releases.length === 0) return out;
  const releaseIds = releases.map((r) => r.id);
  const counts = await db
    .selectFrom('deploys')
    .select(['release_id', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('release_id', 'in', releaseIds)
    .groupBy('release_id')
    .execute();
  // The latest deploy of each release: none of its deploys finished later (ties: the higher id).
  const last = await db
    .selectFrom('deploys as d')
    .selectAll('d')
    .where('d.release_id', 'in', releaseIds)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('deploys as later')
            .select('later.id')
            .whereRef('later.release_id', '=', 'd.release_id')
            .where((eb) =>
              eb.or([
                eb('later.date_finished', '>', eb.ref('d.date_finished')),
                eb.and([
                  eb('later.date_finished', '=', eb.ref('d.date_finished')),
                  eb('later.id', '>', eb.ref('d.id')),
                ]),
              ]),
            ),
        ),
      ),
    )
    .execute();
  const newGroups =
    projectIds.length === 0
      ? []
      : await db
          .selectFrom('issues')
          .select(['project_id', 'first_release', (eb) => eb.fn.countAll<number | string>().as('count')])
          .where('project_id', 'in', [...projectIds])
          .where(
            'first_release',
            'in',
            releases.map((r) => r.version),
          )
          .groupBy(['project_id', 'first_release'])
          .execute();
  const seen =
    projectIds.length === 0
      ? []
      : await db
          .selectFrom('issue_tags as t')
          .innerJoin('issues as i', 'i.id', 't.issue_id')
          .select([
            't.value',
            (eb) => eb.fn.min<number | string>('t.first_seen').as('first'),
            (eb) => eb.fn.max<number | string>('t.last_seen').as('last'),
          ])
          .where('t.key', '=', 'release')
          .where(
            't.value',
            'in',
            releases.map((r) => r.version),
          )
          .where('i.project_id', 'in', [...projectIds])
          .groupBy('t.value')
          .execute();
  for (const release of releases) {
    const count = counts.find((c) => c.release_id === release.id);
    const events = seen.find((s) => s.value === release.version);
    const lastRow = last.find((d) => d.release_id === release.id);
    const perProject = new Map<number, number>();
    for (const row of newGroups) {
      if (row.first_release === release.version) perProject.set(row.project_id, Number(row.count));
    }
    out.set(release.id, {
      deployCount: Number(count?.count ?? 0),
      lastDeploy: lastRow ? toDeploy(lastRow) : null,
      newGroups: perProject,
      firstEvent: events ? Number(events.first) : null,
      lastEvent: events ? Number(events.last) : null,
    });
  }
  return out;
}

/** Whether an issue of these projects was first seen in this version (such a release is kept). */
export async function isReleaseReferenced(
  db: Db,
  projectIds: readonly number[],
  version: string,
): Promise<boolean> {
  if (projectIds.length === 0) return false;
  const row = await db
    .selectFrom('issues')
    .select('id')
    .where('project_id', 'in', [...projectIds])
    .where('first_release', '=', version)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
