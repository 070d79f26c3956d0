import { describe, expect, it } from 'vitest';
import {
  DISCORD_WEBHOOK_ACTION,
  EMAIL_ACTION,
  type RuleAction,
  SERVICE_ACTION,
  SLACK_WEBHOOK_ACTION,
  TEAMS_WEBHOOK_ACTION,
} from './rule-model.js';
import { emailRecipients, httpTargets, type ProjectAudience } from './targets.js';

// The project has teams 1 and 2; team 3 is another project's. Users: 10 and 11 in team 1, 12 in
// team 2, 13 a plain member of team 3 only, 14 an admin in no team.
const audience: ProjectAudience = {
  projectTeamIds: [1, 2],
  openMembership: false,
  members: [
    { userId: 10, email: 'a@x.test', role: 'member', teamIds: [1] },
    { userId: 11, email: 'b@x.test', role: 'member', teamIds: [1, 2] },
    { userId: 12, email: 'c@x.test', role: 'member', teamIds: [2] },
    { userId: 13, email: 'd@x.test', role: 'member', teamIds: [] },
    { userId: 14, email: 'e@x.test', role: 'admin', teamIds: [] },
  ],
};

const email = (
  targetType: 'IssueOwners' | 'Team' | 'Member',
  targetIdentifier = '',
  fallthroughType?: 'ActiveMembers' | 'AllMembers' | 'NoOne',
): RuleAction => ({
  id: EMAIL_ACTION,
  targetType,
  targetIdentifier,
  ...(fallthroughType ? { fallthroughType } : {}),
});
const users = (actions: RuleAction[], a = audience, optedOut: number[] = []) =>
  emailRecipients(actions, a, new Set(optedOut)).map((r) => r.userId);

describe('email recipients of a fired rule', () => {
  it("mails issue owners' fallthrough: the members of the project's teams, unless NoOne", () => {
    expect(users([email('IssueOwners')])).toEqual([10, 11, 12]);
    expect(users([email('IssueOwners', '', 'ActiveMembers')])).toEqual([10, 11, 12]);
    expect(users([email('IssueOwners', '', 'AllMembers')])).toEqual([10, 11, 12]);
    expect(users([email('IssueOwners', '', 'NoOne')])).toEqual([]);
  });

  it("mails a team's members when the team is one of the project's", () => {
    expect(users([email('Team', '2')])).toEqual([11, 12]);
    expect(users([email('Team', '3')])).toEqual([]);
  });

  it('mails a member who reaches the project: in its team, a role above member, or open membership', () => {
    expect(users([email('Member', '12')])).toEqual([12]);
    expect(users([email('Member', '14')])).toEqual([14]);
    expect(users([email('Member', '13')])).toEqual([]);
    expect(users([email('Member', '13')], { ...audience, openMembership: true })).toEqual([13]);
    expect(users([email('Member', '99')])).toEqual([]);
  });

  it('mails each user once across actions, and never one who turned alert mail off', () => {
    const actions = [email('Team', '1'), email('Member', '10'), email('IssueOwners')];
    expect(users(actions)).toEqual([10, 11, 12]);
    expect(users(actions, audience, [11])).toEqual([10, 12]);
    expect(emailRecipients([email('Member', '14')], audience, new Set())).toEqual([
      { userId: 14, email: 'e@x.test' },
    ]);
  });
});

describe('HTTP targets of a fired rule', () => {
  it("posts to the project's webhooks and to each incoming webhook, each once", () => {
    const actions: RuleAction[] = [
      { id: SERVICE_ACTION, service: 'webhooks' },
      { id: SLACK_WEBHOOK_ACTION, webhookUrl: 'https://hooks.slack.test/1' },
      { id: DISCORD_WEBHOOK_ACTION, webhookUrl: 'https://discord.test/api/webhooks/1' },
      { id: TEAMS_WEBHOOK_ACTION, webhookUrl: 'https://teams.test/1' },
      { id: SLACK_WEBHOOK_ACTION, webhookUrl: 'https://hooks.slack.test/1' },
      email('IssueOwners'),
    ];
    expect(httpTargets(actions, ['https://a.test/hook', 'https://b.test/hook'])).toEqual([
      { channel: 'webhook', url: 'https://a.test/hook' },
      { channel: 'webhook', url: 'https://b.test/hook' },
      { channel: 'slack', url: 'https://hooks.slack.test/1' },
      { channel: 'discord', url: 'https://discord.test/api/webhooks/1' },
      { channel: 'teams', url: 'https://teams.test/1' },
    ]);
    expect(httpTargets([email('IssueOwners')], ['https://a.test/hook'])).toEqual([]);
  });
});
