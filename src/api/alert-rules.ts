import type { AlertRuleSettings } from '../alerts/rule-model.js';
import { badRequest, notFound } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import { sendTestNotifications } from '../services/test-notifications.js';
import { findUsersByIds } from '../store/control/users.js';
import { findRulesLastFired } from '../store/region/alert-rule-fires.js';
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
import { type Delivery, listDeliveries } from '../store/region/notification-outbox.js';
import { findTeam } from '../store/region/teams.js';
import { type ProjectAccess, projectEndpoint } from './access.js';
import { emailTargetsOf, invalidRule, parseRuleActions, parseRuleBody } from './alert-rule-input.js';
import { userOf } from './identity.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { object } from './schema.js';
import { actionLabel, serializeAlertRule } from './serializers/alert-rule.js';
import { isoDate, isoDateOrNull } from './serializers/dates.js';

// A project's issue alert rules (Sentry's /projects/{org}/{project}/rules/): listed newest first,
// created, read, replaced and deleted; each rule's delivery history (Errata's own route), and
// Sentry's test of a rule's actions (rule-actions/). What a rule may say is in alert-rule-input.ts.

/** Whether `expand=lastTriggered` (Sentry's) is asked for. */
function expands(call: ApiCall, what: string): boolean {
  const expand = call.query.expand;
  return (Array.isArray(expand) ? expand : [expand]).includes(what);
}

async function respond(call: ApiCall, access: ProjectAccess, rules: readonly StoredAlertRule[]) {
  const authors = await findUsersByIds(
    call.ctx.db.control,
    rules.flatMap((r) => (r.createdById === null ? [] : [r.createdById])),
  );
  const lastFired = expands(call, 'lastTriggered')
    ? await findRulesLastFired(
        call.ctx.db.region,
        rules.map((r) => r.id),
      )
    : undefined;
  const emailOff = call.ctx.config.smtpUrl === null;
  return rules.map((r) =>
    serializeAlertRule(r, {
      projectSlug: access.project.slug,
      createdBy: r.createdById === null ? undefined : authors.get(r.createdById),
      emailOff,
      ...(lastFired ? { lastTriggered: lastFired.get(r.id) ?? null } : {}),
    }),
  );
}

/** Checks what only the database knows: the environment, and each email action's team or member, are the organization's. */
async function checkInOrganization(call: ApiCall, access: ProjectAccess, settings: AlertRuleSettings) {
  if (
    settings.environment !== null &&
    !(await hasOrganizationEnvironment(call.ctx.db.region, access.org.id, settings.environment))
  ) {
    throw invalidRule('environment', 'This environment has not been created.');
  }
  await checkTargets(call, access, settings);
}

/** Checks that each email action's team or member is the organization's. */
async function checkTargets(
  call: ApiCall,
  access: ProjectAccess,
  settings: Pick<AlertRuleSettings, 'actions'>,
) {
  const region = call.ctx.db.region;
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

/** A delivery of the history as the API shows it: targets as the outbox keeps them (no webhook secret). */
function serializeDelivery(d: Delivery) {
  return {
    id: String(d.id),
    ruleId: d.ruleId === null ? null : String(d.ruleId),
    issueId: d.issueId === null ? null : String(d.issueId),
    channel: d.channel,
    target: d.target,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: isoDateOrNull(d.nextAttemptAt),
    lastError: d.lastError,
    dateCreated: isoDate(d.dateCreated),
    dateSent: isoDateOrNull(d.dateSent),
    tries: d.history.map((t) => ({
      date: isoDate(t.at),
      ok: t.ok,
      error: t.error,
      durationMs: t.durationMs,
    })),
  };
}

/** Errata's own: a rule's notifications, newest first, with every try of each. */
async function listRuleDeliveries(call: ApiCall) {
  const { rule } = await ruleTarget(call);
  const deliveries = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listDeliveries(call.ctx.db.region, { ruleId: rule.id, limit: page.limit, offset: page.offset }),
  );
  return deliveries.map(serializeDelivery);
}

/** The rule a test names (`ruleId`), so that its history records the test; null for none. */
async function testedRule(call: ApiCall, access: ProjectAccess, body: Record<string, unknown>) {
  const value = body.ruleId;
  if (value === undefined || value === null || value === '') return null;
  const id = typeof value === 'number' || typeof value === 'string' ? parseId(String(value)) : null;
  const rule = id === null ? undefined : await findAlertRule(call.ctx.db.region, access.project.id, id);
  if (!rule) throw invalidRule('ruleId', 'This project has no such rule.');
  return rule;
}

/**
 * Sentry's "send test notification": fires the given actions once, now, about the project's latest
 * issue, marked as a test. 200 when every notification went out; otherwise Sentry's 400
 * `{"actions": [reason, ...]}`, one reason per failed action or target.
 */
async function testRuleActions(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.alertRules);
  const body = call.body as Record<string, unknown>;
  const actions = parseRuleActions(body);
  await checkTargets(call, access, { actions });
  const rule = await testedRule(call, access, body);
  const outcomes = await sendTestNotifications(call.ctx, {
    organizationSlug: access.org.slug,
    project: access.project,
    actions,
    ruleId: rule?.id ?? null,
    ruleName:
      rule?.name ??
      (typeof body.name === 'string' && body.name.trim() ? body.name.trim() : 'Test notification'),
  });
  const reasons = outcomes.flatMap((o) => {
    const label = actionLabel(o.action);
    if (o.nothingSent) return [`${label}: ${o.nothingSent}`];
    return o.deliveries
      .filter((d) => d.status !== 'sent')
      .map((d) => `${label} (${d.target}): ${d.lastError ?? 'not sent'}`);
  });
  if (reasons.length > 0) {
    throw badRequest({ actions: reasons, detail: `The test notification failed: ${reasons.join(' ')}` });
  }
  return noContent(call, 200);
}

const RULES = '/projects/:org/:project/rules/';
const RULE = `${RULES}:rule/`;

export const alertRuleRoutes: ApiRoute[] = [
  { method: 'GET', url: RULES, auth: PERMISSIONS.alertRules, handler: listRules },
  { method: 'POST', url: RULES, auth: PERMISSIONS.alertRules, body: object({}), handler: createRule },
  { method: 'GET', url: RULE, auth: PERMISSIONS.alertRules, handler: getRule },
  { method: 'PUT', url: RULE, auth: PERMISSIONS.alertRules, body: object({}), handler: putRule },
  { method: 'DELETE', url: RULE, auth: PERMISSIONS.alertRules, handler: removeRule },
  { method: 'GET', url: `${RULE}deliveries/`, auth: PERMISSIONS.alertRules, handler: listRuleDeliveries },
  {
    method: 'POST',
    url: '/projects/:org/:project/rule-actions/',
    auth: PERMISSIONS.alertRules,
    body: object({}),
    handler: testRuleActions,
  },
];
