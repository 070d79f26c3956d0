import type { AlertRuleSettings } from '../alerts/rule-model.js';
import { notFound } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import { findUsersByIds } from '../store/control/users.js';
import {
  countAlertRules,
  deleteAlertRule,
  findAlertRule,
  insertAlertRule,
  listAlertRules,
  type StoredAlertRule,
  updateAlertRule,
} from '../store/region/alert-rules.js';
import { hasOrganizationEnvironment } from '../store/region/environments.js';
import { filterMemberUserIds } from '../store/region/members.js';
import { findTeam } from '../store/region/teams.js';
import { type ProjectAccess, projectEndpoint } from './access.js';
import { emailTargetsOf, invalidRule, parseRuleBody } from './alert-rule-input.js';
import { userOf } from './identity.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { object } from './schema.js';
import { serializeAlertRule } from './serializers/alert-rule.js';

// A project's issue alert rules (Sentry's /projects/{org}/{project}/rules/): listed newest first,
// created, read, replaced and deleted. What a rule may say is in alert-rule-input.ts.

async function respond(call: ApiCall, access: ProjectAccess, rules: readonly StoredAlertRule[]) {
  const authors = await findUsersByIds(
    call.ctx.db.control,
    rules.flatMap((r) => (r.createdById === null ? [] : [r.createdById])),
  );
  return rules.map((r) =>
    serializeAlertRule(
      r,
      access.project.slug,
      r.createdById === null ? undefined : authors.get(r.createdById),
    ),
  );
}

/** Checks what only the database knows: the environment, and each email action's team or member, are the organization's. */
async function checkInOrganization(call: ApiCall, access: ProjectAccess, settings: AlertRuleSettings) {
  const region = call.ctx.db.region;
  if (
    settings.environment !== null &&
    !(await hasOrganizationEnvironment(region, access.org.id, settings.environment))
  ) {
    throw invalidRule('environment', 'This environment has not been created.');
  }
  const targets = emailTargetsOf(settings);
  const members = await filterMemberUserIds(
    region,
    access.org.id,
    targets.filter((t) => t.targetType === 'Member').map((t) => t.id),
  );
  for (const target of targets) {
    const exists =
      target.targetType === 'Team'
        ? (await findTeam(region, access.org.id, String(target.id))) !== undefined
        : members.has(target.id);
    if (!exists) {
      throw invalidRule(
        'actions',
        `${target.targetType} ${target.id} is not in this organization.`,
        `actions[${target.index}].targetIdentifier`,
      );
    }
  }
}

async function ruleTarget(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.alertRules);
  const id = parseId(call.params.rule as string);
  const rule = id === null ? undefined : await findAlertRule(call.ctx.db.region, access.project.id, id);
  if (!rule) throw notFound();
  return { access, rule };
}

async function listRules(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.alertRules);
  const rules = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listAlertRules(call.ctx.db.region, access.project.id, page),
  );
  return respond(call, access, rules);
}

/**
 * Rules per project: digest runs every event through each of its project's rules. Sentry's own
 * bounds are of the same order (100 rules with frequency conditions, 500 without).
 */
const MAX_RULES_PER_PROJECT = 100;

/** Sentry answers a created rule with 200, not 201 (its endpoint returns the serialized rule as is). */
async function createRule(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.alertRules);
  const settings = parseRuleBody(call.body as Record<string, unknown>);
  await checkInOrganization(call, access, settings);
  if ((await countAlertRules(call.ctx.db.region, access.project.id)) >= MAX_RULES_PER_PROJECT) {
    throw invalidRule('conditions', `You may not exceed ${MAX_RULES_PER_PROJECT} rules per project.`);
  }
  const rule = await insertAlertRule(call.ctx.db.region, {
    ...settings,
    projectId: access.project.id,
    createdById: userOf(call.identity)?.id ?? null,
    now: call.ctx.now(),
  });
  return (await respond(call, access, [rule]))[0];
}

async function getRule(call: ApiCall) {
  const { access, rule } = await ruleTarget(call);
  return (await respond(call, access, [rule]))[0];
}

async function putRule(call: ApiCall) {
  const { access, rule } = await ruleTarget(call);
  const settings = parseRuleBody(call.body as Record<string, unknown>);
  await checkInOrganization(call, access, settings);
  const now = call.ctx.now();
  await updateAlertRule(call.ctx.db.region, rule.id, settings, now);
  return (await respond(call, access, [{ ...rule, ...settings, dateModified: now }]))[0];
}

/** Sentry answers 202 (its deletion is scheduled); Errata's is done when it answers. */
async function removeRule(call: ApiCall) {
  const { access, rule } = await ruleTarget(call);
  await deleteAlertRule(call.ctx.db.region, access.project.id, rule.id);
  return noContent(call, 202);
}

const RULES = '/projects/:org/:project/rules/';
const RULE = `${RULES}:rule/`;

export const alertRuleRoutes: ApiRoute[] = [
  { method: 'GET', url: RULES, auth: PERMISSIONS.alertRules, handler: listRules },
  { method: 'POST', url: RULES, auth: PERMISSIONS.alertRules, body: object({}), handler: createRule },
  { method: 'GET', url: RULE, auth: PERMISSIONS.alertRules, handler: getRule },
  { method: 'PUT', url: RULE, auth: PERMISSIONS.alertRules, body: object({}), handler: putRule },
  { method: 'DELETE', url: RULE, auth: PERMISSIONS.alertRules, handler: removeRule },
];
