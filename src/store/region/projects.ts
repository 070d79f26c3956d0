import type { Kysely, Selectable } from 'kysely';
import { parseId } from '../../lib/ids.js';
import type { ProjectTable, RegionSchema } from '../schema.js';
import type { PageRequest, Project } from '../types.js';

type Db = Kysely<RegionSchema>;

function toProject(row: Selectable<ProjectTable>): Project {
  return {
    id: row.id,
    organizationId: row.organization_id,
    slug: row.slug,
    name: row.name,
    platform: row.platform,
    dateCreated: row.date_created,
    firstEvent: row.first_event,
  };
}

export async function insertProject(
  db: Db,
  project: { organizationId: number; slug: string; name: string; platform: string | null; now: number },
): Promise<Project> {
  const row = await db
    .insertInto('projects')
    .values({
      organization_id: project.organizationId,
      slug: project.slug,
      name: project.name,
      platform: project.platform,
      date_created: project.now,
      first_event: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProject(row);
}

/** Finds a project of the organization by slug, or by id when the text is all digits. */
export async function findProject(
  db: Db,
  organizationId: number,
  idOrSlug: string,
): Promise<Project | undefined> {
  const query = db.selectFrom('projects').selectAll().where('organization_id', '=', organizationId);
  if (!/^\d+$/.test(idOrSlug)) {
    const row = await query.where('slug', '=', idOrSlug).executeTakeFirst();
    return row && toProject(row);
  }
  const id = parseId(idOrSlug);
  const row = id === null ? undefined : await query.where('id', '=', id).executeTakeFirst();
  return row && toProject(row);
}

export async function findProjectById(db: Db, id: number): Promise<Project | undefined> {
  const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toProject(row);
}

export async function listProjects(
  db: Db,
  organizationId: number,
  page: PageRequest,
  filter: { query?: string; teamId?: number } = {},
): Promise<Project[]> {
  let q = db
    .selectFrom('projects')
    .selectAll('projects')
    .where('projects.organization_id', '=', organizationId);
  if (filter.teamId !== undefined) {
    const teamId = filter.teamId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('project_teams')
          .select('project_teams.project_id')
          .whereRef('project_teams.project_id', '=', 'projects.id')
          .where('project_teams.team_id', '=', teamId),
      ),
    );
  }
  if (filter.query) {
    const like = `%${filter.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('projects.slug', 'like', like), eb('projects.name', 'like', like)]));
  }
  const rows = await q
    .orderBy('projects.slug')
    .orderBy('projects.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toProject);
}

export async function updateProject(
  db: Db,
  id: number,
  changes: { slug?: string; name?: string; platform?: string | null },
): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db.updateTable('projects').set(changes).where('id', '=', id).execute();
}

export async function deleteProject(db: Db, id: number): Promise<void> {
  await db.deleteFrom('projects').where('id', '=', id).execute();
}

export async function addProjectTeam(db: Db, projectId: number, teamId: number): Promise<void> {
  await db.insertInto('project_teams').values({ project_id: projectId, team_id: teamId }).execute();
}

export async function removeProjectTeam(db: Db, projectId: number, teamId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('project_teams')
    .where('project_id', '=', projectId)
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Team ids of each project, for serializing and for team-based access. */
export async function listTeamIdsOfProjects(
  db: Db,
  projectIds: readonly number[],
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(projectIds.map((id) => [id, []]));
  if (projectIds.length === 0) return out;
  const rows = await db
    .selectFrom('project_teams')
    .select(['project_id', 'team_id'])
    .where('project_id', 'in', [...projectIds])
    .orderBy('team_id')
    .execute();
  for (const row of rows) out.get(row.project_id)?.push(row.team_id);
  return out;
}

export async function listProjectIdsOfTeams(
  db: Db,
  teamIds: readonly number[],
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(teamIds.map((id) => [id, []]));
  if (teamIds.length === 0) return out;
  const rows = await db
    .selectFrom('project_teams')
    .select(['project_id', 'team_id'])
    .where('team_id', 'in', [...teamIds])
    .execute();
  for (const row of rows) out.get(row.team_id)?.push(row.project_id);
  return out;
}
