import type { Member, Team, User } from '../../store/types.js';
import { isoDate } from './dates.js';
import { ORG_ROLE_LIST, TEAM_ROLE_LIST } from './organization.js';
import { serializeUser } from './user.js';

const ROLE_NAMES: Record<string, string> = {
  member: 'Member',
  admin: 'Admin',
  manager: 'Manager',
  owner: 'Owner',
};

/** Sentry's organization member; `user` is null for a pending invite. */
export function serializeMember(member: Member, user: User | undefined, inviter: User | undefined) {
  return {
    id: String(member.id),
    email: member.email,
    name: user?.name ?? member.email,
    user: user ? serializeUser(user) : null,
    orgRole: member.role,
    role: member.role,
    roleName: ROLE_NAMES[member.role] ?? member.role,
    pending: member.pending,
    expired: false,
    flags: {
      'idp:provisioned': false,
      'idp:role-restricted': false,
      'sso:linked': false,
      'sso:invalid': false,
      'member-limit:restricted': false,
      'partnership:restricted': false,
    },
    dateCreated: isoDate(member.dateCreated),
    inviteStatus: 'approved',
    inviterName: inviter?.name ?? null,
  };
}

/** The member detail: teams and team roles, and the invite link for whoever may see it. */
export function serializeMemberDetail(
  member: Member,
  user: User | undefined,
  inviter: User | undefined,
  teams: readonly { team: Team; role: string | null }[],
  extra: { isOnlyOwner: boolean; inviteLink: string | null },
) {
  return {
    ...serializeMember(member, user, inviter),
    teams: teams.map((t) => t.team.slug),
    teamRoles: teams.map((t) => ({ teamSlug: t.team.slug, role: t.role })),
    invite_link: extra.inviteLink,
    isOnlyOwner: extra.isOnlyOwner,
    orgRoleList: ORG_ROLE_LIST,
    teamRoleList: TEAM_ROLE_LIST,
  };
}
