import {
  AGE_FILTER,
  DISCORD_WEBHOOK_ACTION,
  EMAIL_ACTION,
  ENVIRONMENT_FILTER,
  EVENT_FREQUENCY,
  FIRST_SEEN,
  LEVEL_FILTER,
  LEVELS,
  REAPPEARED,
  REGRESSION,
  type RuleAction,
  type RuleCondition,
  type RuleFilter,
  SERVICE_ACTION,
  SLACK_WEBHOOK_ACTION,
  TAGGED_EVENT_FILTER,
  TEAMS_WEBHOOK_ACTION,
  USER_FREQUENCY,
} from '../../alerts/rule-model.js';
import type { StoredAlertRule } from '../../store/region/alert-rules.js';
import type { User } from '../../store/types.js';
import { isoDate } from './dates.js';

// Sentry's rule serializer: each condition, filter and action as it was saved, with the `name`
// Sentry renders for it (its rule editor's sentence), ids as text.

const TAG_MATCH_WORDS: Record<string, string> = {
  eq: 'equals',
  ne: 'does not equal',
  sw: 'starts with',
  nsw: 'does not start with',
  ew: 'ends with',
  new: 'does not end with',
  co: 'contains',
  nc: 'does not contain',
  is: 'is set',
  ns: 'is not set',
};
const LEVEL_MATCH_WORDS: Record<string, string> = {
  eq: 'equal to',
  gte: 'greater than or equal to',
  lte: 'less than or equal to',
};

function conditionLabel(c: RuleCondition): string {
  switch (c.id) {
    case FIRST_SEEN:
      return 'A new issue is created';
    case REGRESSION:
      return 'The issue changes state from resolved to unresolved';
    case REAPPEARED:
      return 'The issue changes state from ignored to unresolved';
    case EVENT_FREQUENCY:
      return `The issue is seen more than ${c.value} times in ${c.interval}`;
    case USER_FREQUENCY:
      return `The issue is seen by more than ${c.value} users in ${c.interval}`;
  }
}

function filterLabel(f: RuleFilter): string {
  switch (f.id) {
    case LEVEL_FILTER:
      return `The event's level is ${LEVEL_MATCH_WORDS[f.match]} ${LEVELS[f.level]}`;
    case TAGGED_EVENT_FILTER:
      return `The event's tags match ${f.key} ${TAG_MATCH_WORDS[f.match]}${f.value === '' ? '' : ` ${f.value}`}`;
    case AGE_FILTER:
      return `The issue is ${f.comparison_type} than ${f.value} ${f.time}${f.value === 1 ? '' : 's'}`;
    case ENVIRONMENT_FILTER:
      return `The event's environment is ${f.environment}`;
  }
}

/** An action as Sentry's rule editor says it. */
export function actionLabel(a: RuleAction): string {
  switch (a.id) {
    case EMAIL_ACTION:
      return a.targetType === 'IssueOwners' && a.fallthroughType
        ? `Send a notification to IssueOwners and if none can be found then send a notification to ${a.fallthroughType}`
        : `Send a notification to ${a.targetType}`;
    case SERVICE_ACTION:
      return `Send a notification via ${a.service}`;
    case SLACK_WEBHOOK_ACTION:
      return 'Send a notification to a Slack incoming webhook';
    case DISCORD_WEBHOOK_ACTION:
      return 'Send a notification to a Discord webhook';
    case TEAMS_WEBHOOK_ACTION:
      return 'Send a notification to a Microsoft Teams incoming webhook';
  }
}

/** An email action's target as Sentry answers it: a team's or user's id as a number. */
function actionFields(a: RuleAction): Record<string, unknown> {
  if (a.id === EMAIL_ACTION && a.targetType !== 'IssueOwners') {
    return { ...a, targetIdentifier: Number(a.targetIdentifier) };
  }
  return { ...a };
}

/** What the serializer needs beyond the rule. */
export interface RuleContext {
  readonly projectSlug: string;
  readonly createdBy: User | undefined;
  /** Email is off on this server (ERRATA_SMTP_URL unset): the rule's email actions send nothing. */
  readonly emailOff: boolean;
  /** With `expand=lastTriggered`: when the rule last fired, or null for never. */
  readonly lastTriggered?: number | null;
}

export const EMAIL_OFF_NOTE =
  'Email is off on this server (ERRATA_SMTP_URL and ERRATA_EMAIL_FROM are not set): the email actions of this rule send nothing.';

/** Sentry's `errors`: what keeps the rule's actions from working, each as a `detail`. */
function ruleErrors(rule: StoredAlertRule, context: RuleContext): { detail: string }[] {
  const mails = rule.actions.some((a) => a.id === EMAIL_ACTION);
  return mails && context.emailOff ? [{ detail: EMAIL_OFF_NOTE }] : [];
}

export function serializeAlertRule(rule: StoredAlertRule, context: RuleContext) {
  const { projectSlug, createdBy } = context;
  const errors = ruleErrors(rule, context);
  return {
    id: String(rule.id),
    conditions: rule.conditions.map((c) => ({ ...c, name: conditionLabel(c) })),
    filters: rule.filters.map((f) => ({ ...f, name: filterLabel(f) })),
    actions: rule.actions.map((a) => ({ ...actionFields(a), name: actionLabel(a) })),
    actionMatch: rule.actionMatch,
    filterMatch: rule.filterMatch,
    frequency: rule.frequency,
    name: rule.name,
    dateCreated: isoDate(rule.dateCreated),
    owner: null,
    createdBy: createdBy
      ? { id: createdBy.id, name: createdBy.name || createdBy.email, email: createdBy.email }
      : null,
    environment: rule.environment,
    projects: [projectSlug],
    status: 'active',
    snooze: false,
    // Sentry's serializer leaves both out unless they have something to say (or were asked for).
    ...(errors.length > 0 ? { errors } : {}),
    ...(context.lastTriggered === undefined
      ? {}
      : { lastTriggered: context.lastTriggered === null ? null : isoDate(context.lastTriggered) }),
  };
}
