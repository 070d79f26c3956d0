// Issue alert rules as the API answers them (src/api/serializers/alert-rule.ts), and the words the
// rule editor uses for each condition, filter and action Errata takes (src/alerts/rule-model.ts).

export const FIRST_SEEN = 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition';
export const REGRESSION = 'sentry.rules.conditions.regression_event.RegressionEventCondition';
export const REAPPEARED = 'sentry.rules.conditions.reappeared_event.ReappearedEventCondition';
export const EVENT_FREQUENCY = 'sentry.rules.conditions.event_frequency.EventFrequencyCondition';
export const USER_FREQUENCY = 'sentry.rules.conditions.event_frequency.EventUniqueUserFrequencyCondition';

export const LEVEL_FILTER = 'sentry.rules.filters.level.LevelFilter';
export const TAGGED_EVENT_FILTER = 'sentry.rules.filters.tagged_event.TaggedEventFilter';
export const AGE_FILTER = 'sentry.rules.filters.age_comparison.AgeComparisonFilter';
export const ENVIRONMENT_FILTER = 'errata.rules.filters.environment.EnvironmentFilter';

export const EMAIL_ACTION = 'sentry.mail.actions.NotifyEmailAction';
export const SERVICE_ACTION = 'sentry.rules.actions.notify_event_service.NotifyEventServiceAction';
export const SLACK_ACTION = 'errata.rules.actions.SlackWebhookAction';
export const DISCORD_ACTION = 'errata.rules.actions.DiscordWebhookAction';
export const TEAMS_ACTION = 'errata.rules.actions.TeamsWebhookAction';

/** One condition, filter or action: its id and its fields, as the API takes them. */
export type RuleNode = { id: string; name?: string } & Record<string, string | number | undefined>;

export interface AlertRule {
  id: string;
  name: string;
  actionMatch: 'all' | 'any' | 'none';
  filterMatch: 'all' | 'any' | 'none';
  frequency: number;
  environment: string | null;
  conditions: RuleNode[];
  filters: RuleNode[];
  actions: RuleNode[];
  dateCreated: string;
  createdBy: { id: number; name: string; email: string } | null;
  /** With `expand=lastTriggered`. */
  lastTriggered?: string | null;
  /** What keeps the rule from working (email off). */
  errors?: { detail: string }[];
}

export interface Delivery {
  id: string;
  ruleId: string | null;
  issueId: string | null;
  channel: 'email' | 'webhook' | 'slack' | 'discord' | 'teams';
  target: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  dateCreated: string;
  dateSent: string | null;
  tries: { date: string; ok: boolean; error: string | null; durationMs: number }[];
}

export const CONDITION_CHOICES: [string, string][] = [
  [FIRST_SEEN, 'A new issue is created'],
  [REGRESSION, 'The issue changes state from resolved to unresolved (regression)'],
  [REAPPEARED, 'The issue changes state from ignored to unresolved (reappeared)'],
  [EVENT_FREQUENCY, 'The issue is seen more than N times in an interval'],
  [USER_FREQUENCY, 'The issue is seen by more than N users in an interval'],
];

export const FILTER_CHOICES: [string, string][] = [
  [LEVEL_FILTER, "The event's level is…"],
  [TAGGED_EVENT_FILTER, "The event's tag…"],
  [AGE_FILTER, 'The issue is older or newer than…'],
  [ENVIRONMENT_FILTER, "The event's environment is…"],
];

export const ACTION_CHOICES: [string, string][] = [
  [EMAIL_ACTION, 'Send an email'],
  [SERVICE_ACTION, "Post to the project's webhooks (WebHooks plugin)"],
  [SLACK_ACTION, 'Post to a Slack incoming webhook'],
  [DISCORD_ACTION, 'Post to a Discord webhook'],
  [TEAMS_ACTION, 'Post to a Microsoft Teams incoming webhook'],
];

export const INTERVALS: [string, string][] = [
  ['1m', 'one minute'],
  ['5m', '5 minutes'],
  ['15m', '15 minutes'],
  ['1h', 'one hour'],
  ['1d', 'one day'],
  ['1w', 'one week'],
  ['30d', '30 days'],
];

export const LEVELS: [string, string][] = [
  ['50', 'fatal'],
  ['40', 'error'],
  ['30', 'warning'],
  ['20', 'info'],
  ['10', 'debug'],
];

export const LEVEL_MATCHES: [string, string][] = [
  ['eq', 'equal to'],
  ['gte', 'at least'],
  ['lte', 'at most'],
];

export const TAG_MATCHES: [string, string][] = [
  ['eq', 'equals'],
  ['ne', 'does not equal'],
  ['sw', 'starts with'],
  ['nsw', 'does not start with'],
  ['ew', 'ends with'],
  ['new', 'does not end with'],
  ['co', 'contains'],
  ['nc', 'does not contain'],
  ['is', 'is set'],
  ['ns', 'is not set'],
];

/** Sentry's choices of "perform actions at most once every", in minutes. */
export const FREQUENCIES: [number, string][] = [
  [5, '5 minutes'],
  [10, '10 minutes'],
  [30, '30 minutes'],
  [60, 'hour'],
  [180, '3 hours'],
  [720, '12 hours'],
  [1440, 'day'],
  [10080, 'week'],
  [43200, '30 days'],
];

export const MATCHES: [string, string][] = [
  ['all', 'all'],
  ['any', 'any'],
  ['none', 'none'],
];

/** A new node of this id with its fields' defaults. */
export function newNode(id: string): RuleNode {
  switch (id) {
    case EVENT_FREQUENCY:
    case USER_FREQUENCY:
      return { id, value: '100', interval: '1h' };
    case LEVEL_FILTER:
      return { id, match: 'gte', level: '40' };
    case TAGGED_EVENT_FILTER:
      return { id, key: '', match: 'eq', value: '' };
    case AGE_FILTER:
      return { id, comparison_type: 'older', value: '1', time: 'day' };
    case ENVIRONMENT_FILTER:
      return { id, environment: '' };
    case EMAIL_ACTION:
      return { id, targetType: 'IssueOwners', targetIdentifier: '', fallthroughType: 'ActiveMembers' };
    case SERVICE_ACTION:
      return { id, service: 'webhooks' };
    case SLACK_ACTION:
    case DISCORD_ACTION:
    case TEAMS_ACTION:
      return { id, webhookUrl: '' };
    default:
      return { id };
  }
}

/** A node as the API takes it: without the `name` it answered with, empty fields left out. */
export function nodeBody(node: RuleNode): Record<string, string | number> {
  const body: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'name' || value === undefined || value === '') continue;
    body[key] = value;
  }
  return body;
}

/** "every 30 minutes", "every hour". */
export function frequencyWords(minutes: number): string {
  const known = FREQUENCIES.find(([m]) => m === minutes);
  return known ? known[1] : `${minutes} minutes`;
}

const MATCH_WORDS: Record<string, string> = { all: 'all', any: 'any', none: 'none' };

/** "When any of these happen", "If all of these are true". */
export function matchWords(match: string, kind: 'conditions' | 'filters'): string {
  const which = MATCH_WORDS[match] ?? match;
  return kind === 'conditions'
    ? `When ${which} of these happen${which === 'none' ? 's' : ''}`
    : `If ${which} of these ${which === 'none' ? 'is' : 'are'} true`;
}
