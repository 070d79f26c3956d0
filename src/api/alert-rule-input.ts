import {
  AGE_FILTER,
  type AlertRuleSettings,
  DISCORD_WEBHOOK_ACTION,
  EMAIL_ACTION,
  ENVIRONMENT_FILTER,
  EVENT_FREQUENCY,
  FIRST_SEEN,
  FREQUENCY_INTERVALS,
  type FrequencyInterval,
  LEVEL_FILTER,
  LEVELS,
  type LevelMatch,
  type LevelNumber,
  type MatchMode,
  REAPPEARED,
  REGRESSION,
  type RuleAction,
  type RuleCondition,
  type RuleFilter,
  SERVICE_ACTION,
  SLACK_WEBHOOK_ACTION,
  TAGGED_EVENT_FILTER,
  type TagMatch,
  TEAMS_WEBHOOK_ACTION,
  USER_FREQUENCY,
} from '../alerts/rule-model.js';
import { type AppError, badRequest } from '../lib/app-error.js';

// An issue alert rule as Sentry's API takes it (its clients, Terraform's provider among them, send
// numbers as text: `"value": "100"`), checked field by field and normalized into the rule model.
// A wrong field is Sentry's `{"<field>": ["..."]}` with a `detail` naming the exact place.

/** Sentry's bounds of `frequency`, in minutes: five minutes to thirty days. */
export const FREQUENCY_MIN = 5;
export const FREQUENCY_MAX = 43_200;
/** Sentry's longest rule name and environment name. */
const NAME_MAX = 64;
/** Conditions, filters and actions each: every event of the project runs through them. */
const MAX_NODES = 50;
const URL_MAX = 2048;

const MATCH_MODES: readonly MatchMode[] = ['all', 'any', 'none'];
const TAG_MATCHES: readonly TagMatch[] = ['eq', 'ne', 'sw', 'nsw', 'ew', 'new', 'co', 'nc', 'is', 'ns'];
const LEVEL_MATCHES: readonly LevelMatch[] = ['eq', 'gte', 'lte'];
const AGE_UNITS = ['minute', 'hour', 'day', 'week'] as const;
const TARGET_TYPES = ['IssueOwners', 'Team', 'Member'] as const;
const FALLTHROUGH_TYPES = ['ActiveMembers', 'AllMembers', 'NoOne'] as const;
const WEBHOOK_ACTIONS = [SLACK_WEBHOOK_ACTION, DISCORD_WEBHOOK_ACTION, TEAMS_WEBHOOK_ACTION] as const;

/** Sentry's field error: the field's list of messages, and a `detail` naming the place. */
export function invalidRule(field: string, message: string, place?: string): AppError {
  return place === undefined
    ? badRequest({ [field]: [message], detail: `${field}: ${message}` })
    : badRequest({ [field]: [`${place}: ${message}`], detail: `${place}: ${message}` });
}

const REQUIRED = 'This field is required.';
const NOT_INTEGER = 'A valid integer is required.';

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}

/** A whole number given as a number or as decimal text; undefined for anything else. */
function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
  return undefined;
}

function choiceOf<T extends string>(choices: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (choices as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

const notAChoice = (value: unknown) => `"${String(value)}" is not a valid choice.`;

/** Reads the fields of one condition, filter or action, failing with the place of the field. */
class NodeReader {
  constructor(
    private readonly list: 'conditions' | 'filters' | 'actions',
    private readonly index: number,
    readonly fields: Record<string, unknown>,
  ) {}

  fail(field: string, message: string): never {
    throw invalidRule(this.list, message, `${this.list}[${this.index}].${field}`);
  }

  has(field: string): boolean {
    const value = this.fields[field];
    return value !== undefined && value !== null && value !== '';
  }

  integer(field: string, min: number): number {
    if (!this.has(field)) this.fail(field, REQUIRED);
    const value = integerOf(this.fields[field]);
    if (value === undefined) this.fail(field, NOT_INTEGER);
    if (value < min) this.fail(field, `Ensure this value is greater than or equal to ${min}.`);
    return value;
  }

  choice<T extends string>(field: string, choices: readonly T[]): T {
    if (!this.has(field)) this.fail(field, REQUIRED);
    return choiceOf(choices, this.fields[field]) ?? this.fail(field, notAChoice(this.fields[field]));
  }

  text(field: string, maxLength = 200): string {
    if (!this.has(field)) this.fail(field, REQUIRED);
    const value = this.fields[field];
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(field, 'Not a valid string.');
    const text = String(value).trim();
    if (text === '') this.fail(field, 'This field may not be blank.');
    if (text.length > maxLength)
      this.fail(field, `Ensure this field has no more than ${maxLength} characters.`);
    return text;
  }

  /** An http(s) URL, as a webhook may be posted to. */
  url(field: string): string {
    const text = this.text(field, URL_MAX);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return this.fail(field, 'Enter a valid URL.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      this.fail(field, 'Enter an http or https URL.');
    return text;
  }
}

function conditionOf(node: NodeReader, id: string): RuleCondition {
  switch (id) {
    case FIRST_SEEN:
    case REGRESSION:
    case REAPPEARED:
      return { id };
    case EVENT_FREQUENCY:
    case USER_FREQUENCY: {
      const comparisonType = node.has('comparisonType') ? node.fields.comparisonType : 'count';
      if (comparisonType !== 'count') {
        node.fail(
          'comparisonType',
          `Errata counts events only: "${String(comparisonType)}" is not supported.`,
        );
      }
      return {
        id,
        value: node.integer('value', 0),
        interval: node.choice('interval', Object.keys(FREQUENCY_INTERVALS) as FrequencyInterval[]),
        comparisonType: 'count',
      };
    }
    default:
      return unknownNode(node, id);
  }
}

/** A level by Sentry's number (`"40"`, 40) or by name (`"error"`), as its number. */
function levelOf(node: NodeReader): LevelNumber {
  if (!node.has('level')) node.fail('level', REQUIRED);
  const value = String(node.fields.level).trim();
  if (Object.hasOwn(LEVELS, value)) return value as LevelNumber;
  const byName = Object.entries(LEVELS).find(([, name]) => name === value.toLowerCase());
  return byName ? (byName[0] as LevelNumber) : node.fail('level', notAChoice(node.fields.level));
}

function filterOf(node: NodeReader, id: string): RuleFilter {
  switch (id) {
    case LEVEL_FILTER:
      return { id, match: node.choice('match', LEVEL_MATCHES), level: levelOf(node) };
    case TAGGED_EVENT_FILTER: {
      const key = node.text('key');
      const match = node.choice('match', TAG_MATCHES);
      // "is set" and "is not set" compare nothing.
      const value = match === 'is' || match === 'ns' ? '' : node.text('value');
      return { id, key, match, value };
    }
    case AGE_FILTER:
      return {
        id,
        comparison_type: node.choice('comparison_type', ['older', 'newer'] as const),
        value: node.integer('value', 0),
        time: node.choice('time', AGE_UNITS),
      };
    case ENVIRONMENT_FILTER:
      return { id, environment: node.text('environment', NAME_MAX) };
    default:
      return unknownNode(node, id);
  }
}

function emailActionOf(node: NodeReader): RuleAction {
  const targetType = node.choice('targetType', TARGET_TYPES);
  const fallthroughType = node.has('fallthroughType')
    ? node.choice('fallthroughType', FALLTHROUGH_TYPES)
    : undefined;
  if (targetType === 'IssueOwners') {
    // Sentry's default when an issue has no owners: its project's active members.
    return {
      id: EMAIL_ACTION,
      targetType,
      targetIdentifier: '',
      fallthroughType: fallthroughType ?? 'ActiveMembers',
    };
  }
  if (!node.has('targetIdentifier'))
    node.fail('targetIdentifier', 'You need to specify a Team or Member to send a mail to.');
  const targetIdentifier = String(node.integer('targetIdentifier', 1));
  return {
    id: EMAIL_ACTION,
    targetType,
    targetIdentifier,
    ...(fallthroughType === undefined ? {} : { fallthroughType }),
  };
}

function actionOf(node: NodeReader, id: string): RuleAction {
  if (id === EMAIL_ACTION) return emailActionOf(node);
  if (id === SERVICE_ACTION) {
    const service = node.text('service');
    if (service !== 'webhooks')
      node.fail('service', `${notAChoice(service)} Errata's service is "webhooks".`);
    return { id, service };
  }
  const webhook = choiceOf(WEBHOOK_ACTIONS, id);
  if (webhook) return { id: webhook, webhookUrl: node.url('webhookUrl') };
  return unknownNode(node, id);
}

function unknownNode(node: NodeReader, id: string): never {
  return node.fail('id', `Invalid node. Could not find '${id}'`);
}

function nodesOf<T>(
  body: Record<string, unknown>,
  list: 'conditions' | 'filters' | 'actions',
  read: (node: NodeReader, id: string) => T,
): T[] {
  const value = body[list];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw invalidRule(list, `Expected a list of items but got type "${typeName(value)}".`);
  }
  if (value.length > MAX_NODES)
    throw invalidRule(list, `Ensure this field has no more than ${MAX_NODES} elements.`);
  return value.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalidRule(
        list,
        `Incorrect type. Expected a mapping, but got ${typeName(item)}.`,
        `${list}[${index}]`,
      );
    }
    const node = new NodeReader(list, index, item as Record<string, unknown>);
    if (typeof node.fields.id !== 'string' || node.fields.id === '')
      node.fail('id', "Missing attribute 'id'");
    return read(node, node.fields.id as string);
  });
}

function nameOf(body: Record<string, unknown>): string {
  const value = body.name;
  if (value === undefined || value === null) throw invalidRule('name', REQUIRED);
  if (typeof value !== 'string') throw invalidRule('name', 'Not a valid string.');
  const name = value.trim();
  if (name === '') throw invalidRule('name', 'This field may not be blank.');
  if (name.length > NAME_MAX)
    throw invalidRule('name', `Ensure this field has no more than ${NAME_MAX} characters.`);
  return name;
}

function frequencyOf(body: Record<string, unknown>): number {
  if (body.frequency === undefined || body.frequency === null) throw invalidRule('frequency', REQUIRED);
  const frequency = integerOf(body.frequency);
  if (frequency === undefined) throw invalidRule('frequency', NOT_INTEGER);
  if (frequency < FREQUENCY_MIN) {
    throw invalidRule('frequency', `Ensure this value is greater than or equal to ${FREQUENCY_MIN}.`);
  }
  if (frequency > FREQUENCY_MAX) {
    throw invalidRule('frequency', `Ensure this value is less than or equal to ${FREQUENCY_MAX}.`);
  }
  return frequency;
}

function matchOf(body: Record<string, unknown>, field: 'actionMatch' | 'filterMatch'): MatchMode | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return choiceOf(MATCH_MODES, value) ?? failField(field, notAChoice(value));
}

function failField(field: string, message: string): never {
  throw invalidRule(field, message);
}

function environmentOf(body: Record<string, unknown>): string | null {
  const value = body.environment;
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw invalidRule('environment', 'Not a valid string.');
  if (value.length > NAME_MAX) {
    throw invalidRule('environment', `Ensure this field has no more than ${NAME_MAX} characters.`);
  }
  return value;
}

/**
 * The rule a POST or PUT body describes (Sentry's PUT replaces the whole rule, so both read every
 * field). `owner` is not kept. What only the database can tell (that the environment, a team or a
 * member exists in the organization) is the handler's to check.
 */
export function parseRuleBody(body: Record<string, unknown>): AlertRuleSettings {
  const name = nameOf(body);
  const actionMatch = matchOf(body, 'actionMatch');
  if (actionMatch === undefined) throw invalidRule('actionMatch', REQUIRED);
  const frequency = frequencyOf(body);
  const environment = environmentOf(body);
  const conditions = nodesOf(body, 'conditions', conditionOf);
  const filters = nodesOf(body, 'filters', filterOf);
  const actions = nodesOf(body, 'actions', actionOf);
  const filterMatch = matchOf(body, 'filterMatch');
  if (filters.length > 0 && filterMatch === undefined) {
    throw invalidRule('filterMatch', 'Must select a filter match (all, any, none) if filters are supplied.');
  }
  if (actions.length === 0) throw invalidRule('actions', 'You must add an action for this alert to fire.');
  return {
    name,
    actionMatch,
    // Sentry's default match when a rule has no filters.
    filterMatch: filterMatch ?? 'all',
    frequency,
    environment,
    conditions,
    filters,
    actions,
  };
}

/**
 * The actions of Sentry's "send test notification" body (`{"actions": [...]}`), checked as a rule's
 * are; at least one.
 */
export function parseRuleActions(body: Record<string, unknown>): RuleAction[] {
  const actions = nodesOf(body, 'actions', actionOf);
  if (actions.length === 0) throw invalidRule('actions', 'No actions to perform.');
  return actions;
}

/** Where each email action's team or member is named, to be found in the organization. */
export function emailTargetsOf(settings: Pick<AlertRuleSettings, 'actions'>) {
  return settings.actions.flatMap((action, index) =>
    action.id === EMAIL_ACTION && action.targetType !== 'IssueOwners'
      ? [{ index, targetType: action.targetType, id: Number(action.targetIdentifier) }]
      : [],
  );
}
