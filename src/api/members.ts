import type { Kysely } from 'kysely';
import { isOrgRole } from '../auth/scopes.js';
import { hashToken, randomSecret, sameDigest } from '../auth/tokens.js';
import { AppError, notFound } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import { inviteEmail } from '../services/emails.js';
import { normalizeEmail } from '../services/users.js';
import { isUniqueViolation } from '../store/conflict.js';
import { addMemberMapping, findOrgMapping, removeMemberMapping } from '../store/control/org-mappings.js';
import { findUsersByIds } from '../store/control/users.js';
import {
  acceptInvite,
  countOwners,
  deleteMember,
  findInviteTokenHash,
  findMemberById,
  insertMember,
  listMembers,
  listTeamMembershipsOfMember,
  replaceInviteTokenHash,
  updateMemberRole,
} from '../store/region/members.js';
import { findOrganizationById } from '../store/region/organizations.js';
import { addTeamMember, findTeam, listTeamsByIds } from '../store/region/teams.js';
import type { RegionSchema } from '../store/schema.js';
import type { Member, Team } from '../store/types.js';
import { forbidden, type OrgAccess, orgEndpoint } from './access.js';
import { canGrantRole, canGrantTeamRole, canManageInvite } from './grants.js';
import { userOf } from './identity.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { bool, object, str } from './schema.js';
import { serializeMember, serializeMemberDetail } from './serializers/member.js';
import { serializeOrganization } from './serializers/organization.js';

/** Whether the caller may manage someone holding `role` (a stored role; anything unknown is not). */
const canManage = (access: OrgAccess, role: string) => isOrgRole(role) && canGrantRole(access, role);

async function memberTarget(call: ApiCall, access: OrgAccess): Promise<Member> {
  const param = call.params.member as string;
  const id = parseId(param);
  const member =
    param === 'me'
      ? access.member
      : id !== null
        ? await findMemberById(call.ctx.db.region, access.org.id, id)
        : undefined;
  if (!member) throw notFound();
  return member;
}

function inviteLinkOf(call: ApiCall, access: OrgAccess, member: Member, token: string): string {
  return `${call.ctx.config.url}/accept/${access.org.slug}/${member.id}/${token}/`;
}

/** Queues the invitation email with its link, in the transaction that made the link. */
async function queueInviteEmail(
  call: ApiCall,
  trx: Kysely<RegionSchema>,
  access: OrgAccess,
  member: Member,
  token: string,
): Promise<void> {
  const email = inviteEmail({
    to: member.email,
    link: inviteLinkOf(call, access, member, token),
    orgName: access.org.name,
    role: member.role,
    inviterName: userOf(call.identity)?.name ?? null,
  });
  await call.ctx.mailer.queue(trx, email, call.ctx.now());
}

async function memberDetail(call: ApiCall, member: Member, inviteLink: string | null) {
  const users = await findUsersByIds(
    call.ctx.db.control,
    [member.userId, member.inviterId].filter((id) => id !== null),
  );
  const memberships = await listTeamMembershipsOfMember(call.ctx.db.region, member.id);
  const teams = new Map(
    (
      await listTeamsByIds(
        call.ctx.db.region,
        memberships.map((m) => m.teamId),
      )
    ).map((t) => [t.id, t]),
  );
  const owners = await countOwners(call.ctx.db.region, member.organizationId);
  return serializeMemberDetail(
    member,
    member.userId === null ? undefined : users.get(member.userId),
    member.inviterId === null ? undefined : users.get(member.inviterId),
    memberships.flatMap((m) => {
      const team = teams.get(m.teamId);
      return team ? [{ team, role: m.role }] : [];
    }),
    { isOnlyOwner: member.role === 'owner' && !member.pending && owners <= 1, inviteLink },
  );
}

async function listOrgMembers(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.members);
  const members = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listMembers(call.ctx.db.region, access.org.id, page),
  );
  const users = await findUsersByIds(
    call.ctx.db.control,
    members.flatMap((m) => [m.userId, m.inviterId].filter((id) => id !== null)),
  );
  return members.map((m) =>
    serializeMember(
      m,
      m.userId === null ? undefined : users.get(m.userId),
      m.inviterId === null ? undefined : users.get(m.inviterId),
    ),
  );
}

interface InviteBody {
  email: string;
  orgRole?: string;
  role?: string;
  teamRoles?: { teamSlug: string; role?: string | null }[];
  teams?: string[];
  sendInvite?: boolean;
}

async function inviteMember(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.members);
  const body = call.body as InviteBody;
  const email = normalizeEmail(body.email);
  const role = body.orgRole ?? body.role ?? access.org.defaultRole;
  if (!isOrgRole(role)) {
    throw new AppError('bad_request', { orgRole: ['Invalid role'], detail: `Invalid role: ${role}` });
  }
  if (!canGrantRole(access, role))
    throw new AppError('bad_request', {
      orgRole: ['You do not have permission to set that org-level role'],
      detail: 'You do not have permission to invite a member with that role.',
    });
  const wanted = [
    ...(body.teamRoles ?? []).map((t) => ({ ...t, field: 'teamRoles' })),
    ...(body.teams ?? []).map((teamSlug) => ({ teamSlug, role: null, field: 'teams' })),
  ];
  const teams = new Map<number, { team: Team; role: string | null }>();
  for (const t of wanted) {
    const team = await findTeam(call.ctx.db.region, access.org.id, t.teamSlug);
    if (!team)
      throw new AppError('bad_request', { teams: ['Invalid team'], detail: `Unknown team: ${t.teamSlug}` });
    const teamRole = t.role === 'admin' ? 'admin' : 'contributor';
    if (!canGrantTeamRole(access, team.id, teamRole))
      throw new AppError('bad_request', {
        [t.field]: [`You do not have permission to add members to ${team.slug} as ${teamRole}`],
        detail: `You do not have permission to give the ${teamRole} role on team ${team.slug}.`,
      });
    // Sentry's UI sends a team in both `teams` and `teamRoles`: join it once, with the higher role.
    const admin = teamRole === 'admin' || teams.get(team.id)?.role === 'admin';
    teams.set(team.id, { team, role: admin ? 'admin' : null });
  }
  const inviteToken = randomSecret();
  const inviter = userOf(call.identity);
  try {
    const member = await call.ctx.db.region.transaction().execute(async (trx) => {
      const member = await insertMember(trx, {
        organizationId: access.org.id,
        userId: null,
        email,
        role,
        inviteTokenHash: hashToken(inviteToken),
        inviterId: inviter?.id ?? null,
        now: call.ctx.now(),
      });
      for (const t of teams.values()) await addTeamMember(trx, t.team.id, member.id, t.role);
      // Sentry's `sendInvite: false` adds the invite without email (the link is then shared by hand).
      if (body.sendInvite !== false) await queueInviteEmail(call, trx, access, member, inviteToken);
      return member;
    });
    return created(
      call,
      await memberDetail(
        call,
        member,
        // The link lets anyone holding it see the invite: only for those who may manage it.
        canManageInvite(access, role) ? inviteLinkOf(call, access, member, inviteToken) : null,
      ),
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', {
        email: [`The user ${email} is already a member`],
        detail: `The user ${email} is already a member or invited.`,
      });
    }
    throw error;
  }
}

async function getMember(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.member);
  return memberDetail(call, await memberTarget(call, access), null);
}

async function putMember(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.member);
  const member = await memberTarget(call, access);
  const body = call.body as { orgRole?: string; role?: string; reinvite?: boolean; regenerate?: boolean };
  const role = body.orgRole ?? body.role;
  if (body.reinvite || body.regenerate) return regenerateInvite(call, access, member, body);
  if (role !== undefined) {
    if (!isOrgRole(role))
      throw new AppError('bad_request', { orgRole: ['Invalid role'], detail: `Invalid role: ${role}` });
    // Changing roles needs member:write (member:invite only lets one invite), and both roles grantable.
    if (
      !access.scopes.has('member:write') ||
      !canGrantRole(access, role) ||
      !canManage(access, member.role)
    ) {
      throw forbidden();
    }
    if (
      member.role === 'owner' &&
      role !== 'owner' &&
      !member.pending &&
      (await countOwners(call.ctx.db.region, access.org.id)) <= 1
    ) {
      throw new AppError('forbidden', 'You cannot demote the only remaining owner of the organization.');
    }
    await updateMemberRole(call.ctx.db.region, access.org.id, member.id, role);
  }
  return memberDetail(call, { ...member, role: role ?? member.role }, null);
}

/**
 * A new link for a pending invite, for those who may manage that invite (the old link stops
 * working, as only its hash is kept): `reinvite` emails it to the invited address, as Sentry's
 * "Resend invite" does; `regenerate` alone only makes it. Either way the new link is in this
 * answer.
 */
async function regenerateInvite(
  call: ApiCall,
  access: OrgAccess,
  member: Member,
  body: { reinvite?: boolean; regenerate?: boolean; orgRole?: string; role?: string },
) {
  if (!member.pending)
    throw new AppError(
      'bad_request',
      'You cannot modify invitations sent to a user that is already a member.',
    );
  if (body.orgRole !== undefined || body.role !== undefined)
    throw new AppError('bad_request', 'Change the role and regenerate the invite link in separate requests.');
  if (!isOrgRole(member.role) || !canManageInvite(access, member.role)) throw forbidden();
  const token = randomSecret();
  const replaced = await call.ctx.db.region.transaction().execute(async (trx) => {
    if (!(await replaceInviteTokenHash(trx, access.org.id, member.id, hashToken(token)))) return false;
    if (body.reinvite) await queueInviteEmail(call, trx, access, member, token);
    return true;
  });
  if (!replaced) throw notFound();
  return memberDetail(call, member, inviteLinkOf(call, access, member, token));
}

async function removeMember(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.member);
  const member = await memberTarget(call, access);
  const self = access.member?.id === member.id;
  if (!self && (!access.scopes.has('member:admin') || !canManage(access, member.role))) throw forbidden();
  if (
    member.role === 'owner' &&
    !member.pending &&
    (await countOwners(call.ctx.db.region, access.org.id)) <= 1
  ) {
    throw new AppError('forbidden', 'You cannot remove the only remaining owner of the organization.');
  }
  await deleteMember(call.ctx.db.region, access.org.id, member.id);
  // The control side stops listing the organization for that user (after the region's write: a
  // failure here leaves a listing the region refuses, and the next start reconciles it).
  if (member.userId !== null) await removeMemberMapping(call.ctx.db.control, access.org.id, member.userId);
  return noContent(call);
}

/** An invite link's target: the organization it is for, if the link is genuine. */
async function inviteTarget(call: ApiCall) {
  const memberId = parseId(call.params.member as string);
  const token = call.params.token as string;
  const hash = memberId === null ? null : await findInviteTokenHash(call.ctx.db.region, memberId);
  if (memberId === null || !hash || !sameDigest(hash, hashToken(token)))
    throw new AppError('not_found', 'Invalid invite code');
  const mapping = await findOrgMapping(call.ctx.db.control, call.params.org as string);
  const org = mapping && (await findOrganizationById(call.ctx.db.region, mapping.id));
  if (!org) throw new AppError('not_found', 'Invalid invite code');
  const member = await findMemberById(call.ctx.db.region, org.id, memberId);
  if (!member) throw new AppError('not_found', 'Invalid invite code');
  return { org, member };
}

async function getInvite(call: ApiCall) {
  const { org, member } = await inviteTarget(call);
  return {
    orgSlug: org.slug,
    organization: serializeOrganization(org, call.ctx.config.url),
    email: member.email,
    role: member.role,
  };
}

async function postInvite(call: ApiCall) {
  const { org, member } = await inviteTarget(call);
  const user = userOf(call.identity) as NonNullable<ReturnType<typeof userOf>>;
  // The link alone is not enough: whoever holds it must be the person it was sent to.
  if (normalizeEmail(user.email) !== normalizeEmail(member.email))
    throw new AppError('forbidden', 'This invite was sent to another email address.');
  try {
    if (!(await acceptInvite(call.ctx.db.region, member.id, user.id, user.email)))
      throw new AppError('not_found', 'Invalid invite code');
    await addMemberMapping(call.ctx.db.control, org.id, user.id, call.ctx.now());
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError('conflict', 'You are already a member of this organization.');
    throw error;
  }
  return noContent(call);
}

const role = { type: 'string', maxLength: 32 } as const;

export const memberRoutes: ApiRoute[] = [
  { method: 'GET', url: '/organizations/:org/members/', auth: PERMISSIONS.members, handler: listOrgMembers },
  {
    method: 'POST',
    url: '/organizations/:org/members/',
    auth: PERMISSIONS.members,
    body: object(
      {
        email: str(254, 1),
        orgRole: role,
        role,
        teams: { type: 'array', items: str(50, 1), maxItems: 100 },
        teamRoles: {
          type: 'array',
          maxItems: 100,
          items: object({ teamSlug: str(50, 1), role: { anyOf: [role, { type: 'null' }] } }, ['teamSlug']),
        },
        sendInvite: bool,
        reinvite: bool,
      },
      ['email'],
    ),
    handler: inviteMember,
  },
  {
    method: 'GET',
    url: '/organizations/:org/members/:member/',
    auth: PERMISSIONS.member,
    handler: getMember,
  },
  {
    method: 'PUT',
    url: '/organizations/:org/members/:member/',
    auth: PERMISSIONS.member,
    body: object({ orgRole: role, role, reinvite: bool, regenerate: bool }),
    handler: putMember,
  },
  {
    method: 'DELETE',
    url: '/organizations/:org/members/:member/',
    auth: PERMISSIONS.member,
    handler: removeMember,
  },
  { method: 'GET', url: '/accept-invite/:org/:member/:token/', auth: 'session', handler: getInvite },
  { method: 'POST', url: '/accept-invite/:org/:member/:token/', auth: 'session', handler: postInvite },
];
