import type { Kysely, Selectable } from 'kysely';
import { parseId } from '../../lib/ids.js';
import type { RegionSchema, TeamTable } from '../schema.js';
import type { Member, PageRequest, Team, TeamMembership } from '../types.js';
import { toMember } from './members.js';

type Db = Kysely<RegionSchema>;

function toTeam(row: Selectable<TeamTable>): Team {
  return {
    id: row.id,
    organizationId: row.organization_id,
    slug: row.slug,
    name: row.name,
    dateCreated: row.date_created,
  };
}

export async function insertTeam(
  db: Db,
  team: { organizationId: number; slug: string; name: string; now: number },
): Promise<Team> {
  const row = await db
    .insertInto('teams')
    .values({
      organization_id: team.organizationId,
      slug: team.slug,
      name: team.name,
      date_created: team.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTeam(row);
}

/** Finds a team of the organization by slug, or by id when the text is all digits. */
export async function findTeam(db: Db, organizationId: number, idOrSlug: string): Promise<Team | undefined> {
  const query = db.selectFrom('teams').selectAll().where('organization_id', '=', organizationId);
  if (!/^\d+$/.test(idOrSlug)) {
    const row = await query.where('slug', '=', idOrSlug).executeTakeFirst();
    return row && toTeam(row);
  }
  const id = parseId(idOrSlug);
  const row = id === null ? undefined : await query.where('id', '=', id).executeTakeFirst();
  return row && toTeam(row);
}

export async function listTeams(
  db: Db,
  organizationId: number,
  page: PageRequest,
  query?: string,
): Promise<Team[]> {
  let q = db.selectFrom('teams').selectAll().where('organization_id', '=', organizationId);
  if (query) {
    const like = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('slug', 'like', like), eb('name', 'like', like)]));
  }
  const rows = await q.orderBy('slug').orderBy('id').limit(page.limit).offset(page.offset).execute();
  return rows.map(toTeam);
}

export async function listTeamsByIds(db: Db, ids: readonly number[]): Promise<Team[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('teams')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('slug')
    .execute();
  return rows.map(toTeam);
}

export async function updateTeam(
  db: Db,
  id: number,
  changes: { slug?: string; name?: string },
): Promise<void> {
  if (changes.slug === undefined && changes.name === undefined) return;
  await db.updateTable('teams').set(changes).where('id', '=', id).execute();
}

export async function deleteTeam(db: Db, id: number): Promise<void> {
  await db.deleteFrom('teams').where('id', '=', id).execute();
}

export async function addTeamMember(
  db: Db,
  teamId: number,
  memberId: number,
  role: string | null,
): Promise<void> {
  await db.insertInto('team_members').values({ team_id: teamId, member_id: memberId, role }).execute();
}

export async function removeTeamMember(db: Db, teamId: number, memberId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('team_members')
    .where('team_id', '=', teamId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findTeamMembership(
  db: Db,
  teamId: number,
  memberId: number,
): Promise<TeamMembership | undefined> {
  const row = await db
    .selectFrom('team_members')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return row && { teamId: row.team_id, memberId: row.member_id, role: row.role };
}

/** Members of a team, with their team role. */
export async function listMembersOfTeam(
  db: Db,
  teamId: number,
  page: PageRequest,
): Promise<{ member: Member; teamRole: string | null }[]> {
  const rows = await db
    .selectFrom('team_members')
    .innerJoin('members', 'members.id', 'team_members.member_id')
    .selectAll('members')
    .select('team_members.role as team_role')
    .where('team_members.team_id', '=', teamId)
    .orderBy('members.email')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(({ team_role, ...member }) => ({ member: toMember(member), teamRole: team_role }));
}

export async function countTeamMembers(db: Db, teamIds: readonly number[]): Promise<Map<number, number>> {
  if (teamIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('team_members')
    .select(['team_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('team_id', 'in', [...teamIds])
    .groupBy('team_id')
    .execute();
  return new Map(rows.map((row) => [row.team_id, Number(row.n)]));
}
