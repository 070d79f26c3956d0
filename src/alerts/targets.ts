// Whom a fired rule's actions reach, as Sentry's mail action and notify-service actions pick them.
// Errata has no ownership rules, so "issue owners" is always Sentry's fallthrough.
import {
  DISCORD_WEBHOOK_ACTION,
  EMAIL_ACTION,
  type RuleAction,
  SERVICE_ACTION,
  SLACK_WEBHOOK_ACTION,
  TEAMS_WEBHOOK_ACTION,
} from './rule-model.js';

export interface EmailRecipient {
  readonly userId: number;
  readonly email: string;
}

/** Where a rule's HTTP actions post: the project's webhooks, or a Slack, Discord or Teams incoming webhook. */
export interface HttpTarget {
  readonly channel: 'webhook' | 'slack' | 'discord' | 'teams';
  readonly url: string;
}

/** A joined member of the project's organization (pending invites have no user, and get no mail). */
export interface AudienceMember {
  readonly userId: number;
  readonly email: string;
  readonly role: string;
  /** Their teams (those of the project at least). */
  readonly teamIds: readonly number[];
}

/** Who may hear of a project's issues. */
export interface ProjectAudience {
  readonly projectTeamIds: readonly number[];
  readonly openMembership: boolean;
  readonly members: readonly AudienceMember[];
}

/** Whether the actions mail anyone, so that the audience is worth reading. */
export function mailsAnyone(actions: readonly RuleAction[]): boolean {
  return actions.some((a) => a.id === EMAIL_ACTION);
}

/** Whether the actions post to the project's webhooks (Sentry's webhooks plugin), so that their URLs are worth reading. */
export function postsToProjectWebhooks(actions: readonly RuleAction[]): boolean {
  return actions.some((a) => a.id === SERVICE_ACTION && a.service === 'webhooks');
}

/**
 * The addresses a rule's email actions reach, each user once, without those who turned alert email
 * off for the project:
 * - IssueOwners: its fallthrough. `ActiveMembers` (the default) and `AllMembers` are both the
 *   members of the project's teams: Sentry narrows ActiveMembers to the 20 most recently active,
 *   which needs sign-in times that live in the control store, out of digest's reach. `NoOne`: nobody.
 * - Team: the members of that team, when it is one of the project's.
 * - Member: that user, while a member who reaches the project (api/access.ts: a role above member,
 *   open membership, or a team of the project).
 */
export function emailRecipients(
  actions: readonly RuleAction[],
  audience: ProjectAudience,
  optedOut: ReadonlySet<number>,
): EmailRecipient[] {
  const projectTeams = new Set(audience.projectTeamIds);
  const inProjectTeam = (m: AudienceMember) => m.teamIds.some((t) => projectTeams.has(t));
  const picked = new Map<number, EmailRecipient>();
  const add = (members: readonly AudienceMember[]) => {
    for (const m of members) {
      if (!optedOut.has(m.userId) && !picked.has(m.userId))
        picked.set(m.userId, { userId: m.userId, email: m.email });
    }
  };
  for (const action of actions) {
    if (action.id !== EMAIL_ACTION) continue;
    switch (action.targetType) {
      case 'IssueOwners':
        if ((action.fallthroughType ?? 'ActiveMembers') !== 'NoOne')
          add(audience.members.filter(inProjectTeam));
        break;
      case 'Team': {
        const teamId = Number(action.targetIdentifier);
        if (projectTeams.has(teamId)) add(audience.members.filter((m) => m.teamIds.includes(teamId)));
        break;
      }
      case 'Member': {
        const userId = Number(action.targetIdentifier);
        add(
          audience.members.filter(
            (m) =>
              m.userId === userId && (m.role !== 'member' || audience.openMembership || inProjectTeam(m)),
          ),
        );
        break;
      }
    }
  }
  return [...picked.values()];
}

/** The URLs a rule's HTTP actions post to, each (channel, URL) once. */
export function httpTargets(
  actions: readonly RuleAction[],
  projectWebhooks: readonly string[],
): HttpTarget[] {
  const targets = new Map<string, HttpTarget>();
  const add = (channel: HttpTarget['channel'], url: string) => {
    targets.set(`${channel} ${url}`, { channel, url });
  };
  for (const action of actions) {
    switch (action.id) {
      case SERVICE_ACTION:
        if (action.service === 'webhooks') for (const url of projectWebhooks) add('webhook', url);
        break;
      case SLACK_WEBHOOK_ACTION:
        add('slack', action.webhookUrl);
        break;
      case DISCORD_WEBHOOK_ACTION:
        add('discord', action.webhookUrl);
        break;
      case TEAMS_WEBHOOK_ACTION:
        add('teams', action.webhookUrl);
        break;
    }
  }
  return [...targets.values()];
}
