import type { Kysely, Selectable } from 'kysely';
import type { MemberTable, RegionSchema } from '../schema.js';
import type { Member, PageRequest, TeamMembership } from '../types.js';

type Db = Kysely<RegionSchema>;

export function toMember(row: Selectable<MemberTable>): Member {
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.user_id,
    email: row.email,
    role: row.role,
    pending: row.user_id === null,
    inviterId: row.inviter_id,
    dateCreated: row.date_created,
  };
}

export async function insertMember(
  db: Db,
  member: {
    organizationId: number;
    userId: number | null;
    email: string;
    role: string;
    inviteTokenHash: string | null;
    inviterId: number | null;
    now: number;
  },
): Promise<Member> {
  const row = await db
    .insertInto('members')
    .values({
      organization_id: member.organizationId,
      user_id: member.userId,
      email: member.email.toLowerCase(),
      role: member.role,
      invite_token_hash: member.inviteTokenHash,
      inviter_id: member.inviterId,
      date_created: member.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMember(row);
}

export async function findMemberOfUser(
  db: Db,
  organizationId: number,
  userId: number,
): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && toMember(row);
}

export async function findMemberById(
  db: Db,
  organizationId: number,
  id: number,
): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toMember(row);
}

export async function findMemberByEmail(
  db: Db,
  organizationId: number,
  email: string,
): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
  return row && toMember(row);
}

/** A pending invite's token hash, for accepting it. */
export async function findInviteTokenHash(db: Db, memberId: number): Promise<string | null> {
  const row = await db
    .selectFrom('members')
    .select('invite_token_hash')
    .where('id', '=', memberId)
    .where('user_id', 'is', null)
    .executeTakeFirst();
  return row?.invite_token_hash ?? null;
}

export async function listMembers(db: Db, organizationId: number, page: PageRequest): Promise<Member[]> {
  const rows = await db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('email')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toMember);
}

export async function countOwners(db: Db, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('role', '=', 'owner')
    .where('user_id', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateMemberRole(
  db: Db,
  organizationId: number,
  id: number,
  role: string,
): Promise<void> {
  await db
    .updateTable('members')
    .set({ role })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Replaces a pending invite's token hash (a new link; the old one stops working). False when not pending. */
export async function replaceInviteTokenHash(
  db: Db,
  organizationId: number,
  memberId: number,
  hash: string,
): Promise<boolean> {
  const result = await db
    .updateTable('members')
    .set({ invite_token_hash: hash })
    .where('organization_id', '=', organizationId)
    .where('id', '=', memberId)
    .where('user_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function acceptInvite(
  db: Db,
  memberId: number,
  userId: number,
  email: string,
): Promise<boolean> {
  const result = await db
    .updateTable('members')
    .set({ user_id: userId, email: email.toLowerCase(), invite_token_hash: null })
    .where('id', '=', memberId)
    .where('user_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteMember(db: Db, organizationId: number, id: number): Promise<void> {
  await db.deleteFrom('members').where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export async function listTeamMembershipsOfMember(db: Db, memberId: number): Promise<TeamMembership[]> {
  const rows = await db.selectFrom('team_members').selectAll().where('member_id', '=', memberId).execute();
  return rows.map((row) => ({ teamId: row.team_id, memberId: row.member_id, role: row.role }));
}

export async function listTeamMembershipsOfMembers(
  db: Db,
  memberIds: readonly number[],
): Promise<TeamMembership[]> {
  if (memberIds.length === 0) return [];
  const rows = await db
    .selectFrom('team_members')
    .selectAll()
    .where('member_id', 'in', [...memberIds])
    .execute();
  return rows.map((row) => ({ teamId: row.team_id, memberId: row.member_id, role: row.role }));
}

/** The user ids among `userIds` that are members of the organization (invites pending excluded). */
export async function filterMemberUserIds(
  db: Db,
  organizationId: number,
  userIds: readonly number[],
): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('members')
    .select('user_id')
    .where('organization_id', '=', organizationId)
    .where('user_id', 'in', [...new Set(userIds)])
    .execute();
  return new Set(rows.flatMap((r) => (r.user_id === null ? [] : [r.user_id])));
}

/** Every joined membership of the region (organization, user): what the control side mirrors. */
export async function listJoinedMemberships(db: Db): Promise<{ organizationId: number; userId: number }[]> {
  const rows = await db
    .selectFrom('members')
    .select(['organization_id', 'user_id'])
    .where('user_id', 'is not', null)
    .execute();
  return rows.map((row) => ({ organizationId: row.organization_id, userId: row.user_id as number }));
}
