import type { Kysely, Selectable } from 'kysely';
import type {
  AlertRule,
  AlertRuleSettings,
  MatchMode,
  RuleAction,
  RuleCondition,
  RuleFilter,
} from '../../alerts/rule-model.js';
import type { AlertRuleTable, RegionSchema } from '../schema.js';
import type { PageRequest } from '../types.js';

type Db = Kysely<RegionSchema>;

/** A stored rule also knows when it last changed, which only the API shows. */
export interface StoredAlertRule extends AlertRule {
  readonly dateModified: number;
}

// The lists were checked against the rule model when the rule was saved (api/alert-rule-input.ts).
function toAlertRule(row: Selectable<AlertRuleTable>): StoredAlertRule {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    actionMatch: row.action_match as MatchMode,
    filterMatch: row.filter_match as MatchMode,
    frequency: row.frequency,
    environment: row.environment,
    conditions: JSON.parse(row.conditions) as RuleCondition[],
    filters: JSON.parse(row.filters) as RuleFilter[],
    actions: JSON.parse(row.actions) as RuleAction[],
    createdById: row.created_by_id,
    dateCreated: row.date_created,
    dateModified: row.date_modified,
  };
}

function columnsOf(settings: AlertRuleSettings) {
  return {
    name: settings.name,
    action_match: settings.actionMatch,
    filter_match: settings.filterMatch,
    frequency: settings.frequency,
    environment: settings.environment,
    conditions: JSON.stringify(settings.conditions),
    filters: JSON.stringify(settings.filters),
    actions: JSON.stringify(settings.actions),
  };
}

export async function insertAlertRule(
  db: Db,
  rule: AlertRuleSettings & { projectId: number; createdById: number | null; now: number },
): Promise<StoredAlertRule> {
  const row = await db
    .insertInto('alert_rules')
    .values({
      project_id: rule.projectId,
      ...columnsOf(rule),
      created_by_id: rule.createdById,
      date_created: rule.now,
      date_modified: rule.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAlertRule(row);
}

/** The project's rule with this id; undefined for another project's. */
export async function findAlertRule(
  db: Db,
  projectId: number,
  id: number,
): Promise<StoredAlertRule | undefined> {
  const row = await db
    .selectFrom('alert_rules')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toAlertRule(row);
}

/** The project's rules, newest first (Sentry's order). */
export async function listAlertRules(
  db: Db,
  projectId: number,
  page: PageRequest,
): Promise<StoredAlertRule[]> {
  const rows = await db
    .selectFrom('alert_rules')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toAlertRule);
}

export async function countAlertRules(db: Db, projectId: number): Promise<number> {
  const row = await db
    .selectFrom('alert_rules')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Every rule of these projects, oldest first within a project, for evaluation: one query for a
 * batch of events. A project without rules has no entry.
 */
export async function listRulesOfProjects(
  db: Db,
  projectIds: readonly number[],
): Promise<Map<number, AlertRule[]>> {
  const out = new Map<number, AlertRule[]>();
  if (projectIds.length === 0) return out;
  const rows = await db
    .selectFrom('alert_rules')
    .selectAll()
    .where('project_id', 'in', [...new Set(projectIds)])
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const { dateModified: _, ...rule } = toAlertRule(row);
    const list = out.get(rule.projectId);
    if (list) list.push(rule);
    else out.set(rule.projectId, [rule]);
  }
  return out;
}

/** Replaces what the rule says (Sentry's PUT overwrites the whole rule). */
export async function updateAlertRule(
  db: Db,
  id: number,
  settings: AlertRuleSettings,
  now: number,
): Promise<void> {
  await db
    .updateTable('alert_rules')
    .set({ ...columnsOf(settings), date_modified: now })
    .where('id', '=', id)
    .execute();
}

export async function deleteAlertRule(db: Db, projectId: number, id: number): Promise<boolean> {
  const result = await db
    .deleteFrom('alert_rules')
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The legacy webhooks plugin of a project: disabled and without URLs until configured. */
export interface WebhookPlugin {
  readonly enabled: boolean;
  readonly urls: readonly string[];
}

const splitUrls = (text: string) => text.split('\n').filter((url) => url !== '');

export async function findWebhookPlugin(db: Db, projectId: number): Promise<WebhookPlugin> {
  const row = await db
    .selectFrom('webhook_plugins')
    .select(['enabled', 'urls'])
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row ? { enabled: row.enabled === 1, urls: splitUrls(row.urls) } : { enabled: false, urls: [] };
}

/** The URLs a rule's webhooks action posts to: none while the plugin is disabled. */
export async function findWebhookUrls(db: Db, projectId: number): Promise<string[]> {
  const plugin = await findWebhookPlugin(db, projectId);
  return plugin.enabled ? [...plugin.urls] : [];
}

/** Changes the plugin's flag or URLs (or both), creating its row on first use. */
export async function updateWebhookPlugin(
  db: Db,
  projectId: number,
  changes: { enabled?: boolean; urls?: readonly string[] },
  now: number,
): Promise<void> {
  const set = {
    ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
    ...(changes.urls === undefined ? {} : { urls: changes.urls.join('\n') }),
    date_modified: now,
  };
  await db
    .insertInto('webhook_plugins')
    .values({ project_id: projectId, ...set })
    .onConflict((oc) => oc.column('project_id').doUpdateSet(set))
    .execute();
}
