// The issue alert rule as Errata keeps it: Sentry's shape (conditions, filters and actions named by
// Sentry's ids, with their fields as Sentry's API takes them), checked once when the rule is saved,
// so that evaluation and delivery read well-formed values only.

export const FIRST_SEEN = 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition';
export const REGRESSION = 'sentry.rules.conditions.regression_event.RegressionEventCondition';
export const REAPPEARED = 'sentry.rules.conditions.reappeared_event.ReappearedEventCondition';
export const EVENT_FREQUENCY = 'sentry.rules.conditions.event_frequency.EventFrequencyCondition';
export const USER_FREQUENCY = 'sentry.rules.conditions.event_frequency.EventUniqueUserFrequencyCondition';

export const LEVEL_FILTER = 'sentry.rules.filters.level.LevelFilter';
export const TAGGED_EVENT_FILTER = 'sentry.rules.filters.tagged_event.TaggedEventFilter';
export const AGE_FILTER = 'sentry.rules.filters.age_comparison.AgeComparisonFilter';
/** Sentry keeps the rule's environment in its own field; Errata also takes it as a filter. */
export const ENVIRONMENT_FILTER = 'errata.rules.filters.environment.EnvironmentFilter';

export const EMAIL_ACTION = 'sentry.mail.actions.NotifyEmailAction';
export const SERVICE_ACTION = 'sentry.rules.actions.notify_event_service.NotifyEventServiceAction';
/** Errata's own: incoming webhooks by URL, without an installed integration. */
export const SLACK_WEBHOOK_ACTION = 'errata.rules.actions.SlackWebhookAction';
export const DISCORD_WEBHOOK_ACTION = 'errata.rules.actions.DiscordWebhookAction';
export const TEAMS_WEBHOOK_ACTION = 'errata.rules.actions.TeamsWebhookAction';

/** Sentry's intervals for frequency conditions. */
export const FREQUENCY_INTERVALS = {
  '1m': 60_000,
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
  '1w': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
} as const;
export type FrequencyInterval = keyof typeof FREQUENCY_INTERVALS;

export type RuleCondition =
  | { readonly id: typeof FIRST_SEEN | typeof REGRESSION | typeof REAPPEARED }
  | {
      readonly id: typeof EVENT_FREQUENCY | typeof USER_FREQUENCY;
      /** Fires when the count within `interval` is above this. */
      readonly value: number;
      readonly interval: FrequencyInterval;
      /** Sentry's `comparisonType`: only `count` is taken. */
      readonly comparisonType: 'count';
    };

/** Sentry's match operators of the tagged-event filter. */
export type TagMatch = 'eq' | 'ne' | 'sw' | 'nsw' | 'ew' | 'new' | 'co' | 'nc' | 'is' | 'ns';
export type LevelMatch = 'eq' | 'gte' | 'lte';

/**
 * Sentry's event levels by the number its level filter names them with (`"level": "40"`), as its
 * API takes and answers them (and the Terraform provider sends them).
 */
export const LEVELS = {
  '0': 'sample',
  '10': 'debug',
  '20': 'info',
  '30': 'warning',
  '40': 'error',
  '50': 'fatal',
} as const;
export type LevelNumber = keyof typeof LEVELS;

export type RuleFilter =
  | {
      readonly id: typeof LEVEL_FILTER;
      readonly match: LevelMatch;
      /** Sentry's number of the level, as text: `"40"` is error (LEVELS). */
      readonly level: LevelNumber;
    }
  | {
      readonly id: typeof TAGGED_EVENT_FILTER;
      readonly key: string;
      readonly match: TagMatch;
      /** Empty for `is` and `ns`, which take no value. */
      readonly value: string;
    }
  | {
      readonly id: typeof AGE_FILTER;
      /** `older`/`newer` than `value` `time` units (Sentry's units: minute, hour, day, week). */
      readonly comparison_type: 'older' | 'newer';
      readonly value: number;
      readonly time: 'minute' | 'hour' | 'day' | 'week';
    }
  | { readonly id: typeof ENVIRONMENT_FILTER; readonly environment: string };

export type RuleAction =
  | {
      readonly id: typeof EMAIL_ACTION;
      readonly targetType: 'IssueOwners' | 'Team' | 'Member';
      /** Team or member (user) id as text; empty for IssueOwners. */
      readonly targetIdentifier: string;
      /** For IssueOwners without owners: `ActiveMembers`, `AllMembers` or `NoOne` (Sentry's). */
      readonly fallthroughType?: 'ActiveMembers' | 'AllMembers' | 'NoOne';
    }
  | { readonly id: typeof SERVICE_ACTION; readonly service: 'webhooks' }
  | {
      readonly id: typeof SLACK_WEBHOOK_ACTION | typeof DISCORD_WEBHOOK_ACTION | typeof TEAMS_WEBHOOK_ACTION;
      readonly webhookUrl: string;
    };

export type MatchMode = 'all' | 'any' | 'none';

export interface AlertRule {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  readonly actionMatch: MatchMode;
  readonly filterMatch: MatchMode;
  /** Minutes between two notifications of this rule for one issue. */
  readonly frequency: number;
  /** Events of this environment only; null: any. */
  readonly environment: string | null;
  readonly conditions: readonly RuleCondition[];
  readonly filters: readonly RuleFilter[];
  readonly actions: readonly RuleAction[];
  readonly createdById: number | null;
  readonly dateCreated: number;
}

/** What a rule says, as the API takes it: the rule without its id, project, author and date. */
export type AlertRuleSettings = Omit<AlertRule, 'id' | 'projectId' | 'createdById' | 'dateCreated'>;
