import type { Scope } from '../../auth/scopes.js';
import type { Team } from '../../store/types.js';
import { isoDate } from './dates.js';

/** Sentry's team object, from the caller's point of view (isMember, teamRole, access). */
export function serializeTeam(
  team: Team,
  caller: { teamRole: string | null | undefined; isMember: boolean; scopes: ReadonlySet<Scope> },
  memberCount: number,
) {
  return {
    id: String(team.id),
    slug: team.slug,
    name: team.name,
    dateCreated: isoDate(team.dateCreated),
    isMember: caller.isMember,
    teamRole: caller.isMember ? (caller.teamRole ?? 'contributor') : null,
    flags: { 'idp:provisioned': false },
    access: [...caller.scopes]
      .filter(
        (s) =>
          s.startsWith('team:') ||
          s.startsWith('project:') ||
          s.startsWith('event:') ||
          s.startsWith('alerts:'),
      )
      .sort(),
    hasAccess: true,
    isPending: false,
    memberCount,
    avatar: { avatarType: 'letter_avatar', avatarUuid: null },
  };
}

/** The short team reference embedded in projects. */
export function teamRef(team: Team) {
  return { id: String(team.id), slug: team.slug, name: team.name };
}
