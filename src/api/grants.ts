import { ORG_ROLES, type OrgRole, ROLE_SCOPES, type TeamRole } from '../auth/scopes.js';
import type { OrgAccess } from './access.js';

// Who may hand out what. One place for every route that grants or manages a role (invites, role
// changes, removals, the organization's default role, team memberships), so that none of them
// lets a caller give more than it holds.

const rank = (role: OrgRole) => ORG_ROLES.indexOf(role);

/**
 * Whether the caller may grant (or manage someone holding) an organization role: a role no higher
 * than its own (organization tokens have none), and, beyond `member`, only while the caller's
 * effective scopes hold every scope of that role, so a narrow token cannot make an owner.
 */
export function canGrantRole(access: OrgAccess, role: OrgRole): boolean {
  const ranked = access.role === null || rank(role) <= rank(access.role as OrgRole);
  return ranked && (role === 'member' || [...ROLE_SCOPES[role]].every((s) => access.scopes.has(s)));
}

/**
 * Whether the caller may put a member into team `teamId` with this team role. Contributor: team:write,
 * or the caller is in the team, or membership is open. Admin: team:admin, or the caller is the
 * team's admin.
 */
export function canGrantTeamRole(access: OrgAccess, teamId: number, role: TeamRole): boolean {
  const mine = access.teams.find((t) => t.teamId === teamId);
  if (role === 'admin') return access.scopes.has('team:admin') || mine?.role === 'admin';
  return access.scopes.has('team:write') || mine !== undefined || access.org.openMembership;
}

/** Whether the caller may see (and so hand on) the link of an invite with this role. */
export function canManageInvite(access: OrgAccess, role: OrgRole): boolean {
  return access.scopes.has('member:admin') && canGrantRole(access, role);
}
