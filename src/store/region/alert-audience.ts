import type { Kysely } from 'kysely';
import type { ProjectAudience } from '../../alerts/targets.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/**
 * The project's teams, its organization's open membership, and the joined members an alert may
 * mail (pending invites have no user): those in a team of the project, with their teams among the
 * project's, and those of `userIds` wherever they stand. Undefined when the project is gone.
 */
export async function findProjectAudience(
  db: Db,
  projectId: number,
  userIds: readonly number[],
): Promise<ProjectAudience | undefined> {
  const project = await db
    .selectFrom('projects')
    .innerJoin('organizations', 'organizations.id', 'projects.organization_id')
    .select(['projects.organization_id', 'organizations.open_membership'])
    .where('projects.id', '=', projectId)
    .executeTakeFirst();
  if (!project) return undefined;
  const teams = await db
    .selectFrom('project_teams')
    .select('team_id')
    .where('project_id', '=', projectId)
    .execute();
  const projectTeamIds = teams.map((t) => t.team_id);
  const rows = await db
    .selectFrom('members')
    .leftJoin('team_members', (join) =>
      join
        .onRef('team_members.member_id', '=', 'members.id')
        // A project without teams joins no membership (SQL has no empty IN list).
        .on('team_members.team_id', 'in', projectTeamIds.length > 0 ? projectTeamIds : [-1]),
    )
    .select(['members.user_id', 'members.email', 'members.role', 'team_members.team_id'])
    .where('members.organization_id', '=', project.organization_id)
    .where('members.user_id', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('team_members.team_id', 'is not', null),
        ...(userIds.length > 0 ? [eb('members.user_id', 'in', [...userIds])] : []),
      ]),
    )
    .execute();
  const members = new Map<number, { userId: number; email: string; role: string; teamIds: number[] }>();
  for (const row of rows) {
    const userId = row.user_id as number;
    let member = members.get(userId);
    if (!member) {
      member = { userId, email: row.email, role: row.role, teamIds: [] };
      members.set(userId, member);
    }
    if (row.team_id !== null) member.teamIds.push(row.team_id);
  }
  return {
    projectTeamIds,
    openMembership: project.open_membership === 1,
    members: [...members.values()],
  };
}
