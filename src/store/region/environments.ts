import type { Kysely } from 'kysely';
import { isEnvironmentName } from '../../protocol/environment-name.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** An environment as a project sees it. */
export interface Environment {
  readonly id: number;
  readonly name: string;
  readonly isHidden: boolean;
}

/** A project saw an environment (from an event or a deploy), in a release when one is named. */
export interface EnvironmentSighting {
  readonly projectId: number;
  readonly environment: string | null;
  readonly release: string | null;
  readonly at: number;
}

export type Visibility = 'all' | 'hidden' | 'visible';

const key = (...parts: (string | number)[]) => parts.join('\u0000');
/** Rows in key order, so that concurrent transactions (PostgreSQL) take unique-index locks in one order. */
const sorted = <T>(rows: Map<string, T>) =>
  [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);

/**
 * Records the environments these sightings name: the organization's environment, the project's
 * link to it, and the release's appearance in it. Two reads find what is known already, which is
 * all of it once a project has been seen in its environments, so a batch then writes nothing. A
 * name Sentry would refuse (a slash, a line break, too long) is skipped: the event keeps it as a tag.
 */
export async function recordEnvironments(db: Db, sightings: readonly EnvironmentSighting[]): Promise<void> {
  const named = sightings.filter(
    (s): s is EnvironmentSighting & { environment: string } =>
      s.environment !== null && isEnvironmentName(s.environment),
  );
  if (named.length === 0) return;
  const projectIds = [...new Set(named.map((s) => s.projectId))];
  const names = [...new Set(named.map((s) => s.environment))];
  const knownLinks = await db
    .selectFrom('environment_projects')
    .innerJoin('environments', 'environments.id', 'environment_projects.environment_id')
    .select(['environment_projects.project_id', 'environments.name'])
    .where('environment_projects.project_id', 'in', projectIds)
    .where('environments.name', 'in', names)
    .execute();
  const linked = new Set(knownLinks.map((r) => key(Number(r.project_id), r.name)));
  const withRelease = named.filter((s) => s.release !== null);
  const knownReleases =
    withRelease.length === 0
      ? []
      : await db
          .selectFrom('release_environments')
          .select(['project_id', 'release', 'environment'])
          .where('project_id', 'in', projectIds)
          .where('environment', 'in', names)
          .where('release', 'in', [...new Set(withRelease.map((s) => s.release as string))])
          .execute();
  const seen = new Set(knownReleases.map((r) => key(Number(r.project_id), r.release, r.environment)));

  const unlinked = named.filter((s) => !linked.has(key(s.projectId, s.environment)));
  if (unlinked.length > 0) await linkEnvironments(db, unlinked);
  const releases = new Map<
    string,
    { project_id: number; release: string; environment: string; first_seen: number }
  >();
  for (const s of withRelease) {
    const k = key(s.projectId, s.release as string, s.environment);
    if (seen.has(k)) continue;
    const known = releases.get(k);
    if (!known || s.at < known.first_seen) {
      releases.set(k, {
        project_id: s.projectId,
        release: s.release as string,
        environment: s.environment,
        first_seen: s.at,
      });
    }
  }
  if (releases.size > 0) {
    await db
      .insertInto('release_environments')
      .values(sorted(releases))
      .onConflict((oc) => oc.columns(['project_id', 'release', 'environment']).doNothing())
      .execute();
  }
}

/** Creates the organization's environments these name (where missing) and links their projects. */
async function linkEnvironments(
  db: Db,
  sightings: readonly (EnvironmentSighting & { environment: string })[],
): Promise<void> {
  const projects = await db
    .selectFrom('projects')
    .select(['id', 'organization_id'])
    .where('id', 'in', [...new Set(sightings.map((s) => s.projectId))])
    .execute();
  const orgOf = new Map(projects.map((p) => [Number(p.id), Number(p.organization_id)]));
  const environments = new Map<string, { organization_id: number; name: string; date_created: number }>();
  for (const s of sightings) {
    const org = orgOf.get(s.projectId);
    const k = key(org ?? -1, s.environment);
    if (org !== undefined && !environments.has(k)) {
      environments.set(k, { organization_id: org, name: s.environment, date_created: s.at });
    }
  }
  if (environments.size === 0) return;
  const rows = sorted(environments);
  await db
    .insertInto('environments')
    .values(rows)
    .onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing())
    .execute();
  const ids = await db
    .selectFrom('environments')
    .select(['id', 'organization_id', 'name'])
    .where('organization_id', 'in', [...new Set(rows.map((r) => r.organization_id))])
    .where('name', 'in', [...new Set(rows.map((r) => r.name))])
    .execute();
  const idOf = new Map(ids.map((r) => [key(Number(r.organization_id), r.name), Number(r.id)]));
  const links = new Map<string, { environment_id: number; project_id: number }>();
  for (const s of sightings) {
    const id = idOf.get(key(orgOf.get(s.projectId) ?? -1, s.environment));
    if (id !== undefined) links.set(key(s.projectId, id), { environment_id: id, project_id: s.projectId });
  }
  // A name the database stores otherwise than it was sent is found under no id: nothing to link.
  if (links.size === 0) return;
  await db
    .insertInto('environment_projects')
    .values(sorted(links))
    .onConflict((oc) => oc.columns(['project_id', 'environment_id']).doNothing())
    .execute();
}

function visible(visibility: Visibility) {
  return visibility === 'all' ? null : visibility === 'hidden' ? 1 : 0;
}

/** The environments of these projects, by name; one is hidden only where every project hides it. */
export async function listEnvironments(
  db: Db,
  projectIds: readonly number[],
  visibility: Visibility,
): Promise<Environment[]> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .selectFrom('environments')
    .innerJoin('environment_projects', 'environment_projects.environment_id', 'environments.id')
    .select(({ fn }) => [
      'environments.id',
      'environments.name',
      fn.min('environment_projects.is_hidden').as('hidden'),
    ])
    .where('environment_projects.project_id', 'in', [...projectIds])
    .groupBy(['environments.id', 'environments.name'])
    .orderBy('environments.name')
    .execute();
  const want = visible(visibility);
  return rows
    .map((r) => ({ id: Number(r.id), name: r.name, isHidden: Number(r.hidden) === 1 }))
    .filter((e) => want === null || Number(e.isHidden) === want);
}

/** Whether an event or deploy of the organization has named this environment (Sentry's check of a rule's). */
export async function hasOrganizationEnvironment(
  db: Db,
  organizationId: number,
  name: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('environments')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row !== undefined;
}

/** One environment of a project, by name. */
export async function findProjectEnvironment(
  db: Db,
  projectId: number,
  name: string,
): Promise<Environment | undefined> {
  return (await listProjectEnvironments(db, projectId, 'all', [name]))[0];
}

/** A project's environments by name, optionally only those named. */
export async function listProjectEnvironments(
  db: Db,
  projectId: number,
  visibility: Visibility,
  names?: readonly string[],
): Promise<Environment[]> {
  if (names?.length === 0) return [];
  let q = db
    .selectFrom('environments')
    .innerJoin('environment_projects', 'environment_projects.environment_id', 'environments.id')
    .select(['environments.id', 'environments.name', 'environment_projects.is_hidden'])
    .where('environment_projects.project_id', '=', projectId);
  const want = visible(visibility);
  if (want !== null) q = q.where('environment_projects.is_hidden', '=', want);
  if (names) q = q.where('environments.name', 'in', [...names]);
  const rows = await q.orderBy('environments.name').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, isHidden: Number(r.is_hidden) === 1 }));
}

/** Hides or shows these environments of the project. */
export async function setEnvironmentsHidden(
  db: Db,
  projectId: number,
  environmentIds: readonly number[],
  hidden: boolean,
): Promise<void> {
  if (environmentIds.length === 0) return;
  await db
    .updateTable('environment_projects')
    .set({ is_hidden: hidden ? 1 : 0 })
    .where('project_id', '=', projectId)
    .where('environment_id', 'in', [...environmentIds])
    .execute();
}
