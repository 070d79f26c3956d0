import type { Kysely } from 'kysely';
import { alertFrames } from '../alerts/alert-frames.js';
import type { FiredAlert } from '../alerts/alert-notifications.js';
import {
  type ChangeEvent,
  evaluateRule,
  type FrequencyNeed,
  type IssueChange,
  needKey,
} from '../alerts/evaluate.js';
import type { IssueAlert } from '../alerts/issue-alert.js';
import { type AlertRule, EMAIL_ACTION } from '../alerts/rule-model.js';
import {
  emailRecipients,
  httpTargets,
  mailsAnyone,
  type ProjectAudience,
  postsToProjectWebhooks,
} from '../alerts/targets.js';
import { decompressDocument } from '../lib/compression.js';
import { findProjectAudience } from '../store/region/alert-audience.js';
import {
  claimRuleFires,
  findRuleFires,
  type RuleIssue,
  ruleIssueKey,
} from '../store/region/alert-rule-fires.js';
import { type AlertSubject, alertedIssue, findAlertSubjects } from '../store/region/alert-subjects.js';
import { countIssueFrequencies } from '../store/region/issue-frequencies.js';
import type { IssueEventsUpdate, IssueState } from '../store/region/issues.js';
import type { RegionSchema } from '../store/schema.js';
import type { AlertStore } from './alert-store.js';
import type { GroupedEvent } from './group-event.js';

type Db = Kysely<RegionSchema>;

/** How digest evaluates issue alert rules. */
export interface IssueAlerting {
  readonly store: AlertStore;
  /** The region's base URL (Config's `url`): issue links in notifications start with it. */
  readonly baseUrl: string;
  /** The time rules are evaluated at. */
  readonly now: () => number;
}

/** What a digest batch did to one issue, as counting it found. */
export interface IssueBatch {
  readonly projectId: number;
  readonly issueId: number;
  /** Created by this batch. */
  readonly created: boolean;
  /** Its state before the batch. */
  readonly before: IssueState;
  readonly update: IssueEventsUpdate;
  /** Its events of the batch, in order. */
  readonly events: readonly GroupedEvent[];
}

/** A rule that may fire for an issue. */
interface Candidate {
  readonly rule: AlertRule;
  readonly change: IssueChange;
  readonly batch: IssueBatch;
  /** The counts that decide it; none when the batch alone did. */
  readonly needs: readonly FrequencyNeed[];
}

/**
 * Evaluates the rules of the batch's projects against what the batch did to their issues and
 * enqueues the notifications of those that fire, in the digest transaction, after the issues were
 * counted and the events written. A batch whose projects have no rules costs the one read of
 * rules. Otherwise, in as few statements as it takes: what the batch alone decides (conditions on
 * the issue's change, filters, counts the batch alone exceeds or the issue's totals cannot reach);
 * when each rule that may fire last fired, so a rule resting for its `frequency` counts nothing;
 * the counts left, all in one read; then the claim of each fire (store/region/alert-rule-fires.ts),
 * so that of transactions digesting one issue at once, one only fires a rule per interval.
 */
export async function alertOnIssues(
  trx: Db,
  batches: readonly IssueBatch[],
  alerting: IssueAlerting,
): Promise<void> {
  if (batches.length === 0) return;
  const rules = await alerting.store.rulesOf(trx, [...new Set(batches.map((b) => b.projectId))]);
  if (![...rules.values()].some((list) => list.length > 0)) return;
  const now = alerting.now();

  const maybe: Candidate[] = [];
  const decided: Candidate[] = [];
  for (const batch of batches) {
    const list = rules.get(batch.projectId);
    if (!list || list.length === 0) continue;
    const change = issueChange(batch);
    for (const rule of list) {
      const verdict = evaluateRule(rule, change, now);
      if (verdict.kind === 'fire') decided.push({ rule, change, batch, needs: [] });
      else if (verdict.kind === 'count') maybe.push({ rule, change, batch, needs: verdict.needs });
    }
  }
  if (decided.length + maybe.length === 0) return;

  const lastFired = await findRuleFires(trx, [...decided, ...maybe].map(pairOf));
  const awake = (c: Candidate) => {
    const last = lastFired.get(ruleIssueKey(pairOf(c)));
    return last === undefined || last <= now - c.rule.frequency * 60_000;
  };
  const firing = decided.filter(awake);
  firing.push(...(await decideByCounts(trx, maybe.filter(awake), now)));
  if (firing.length === 0) return;

  const claimed = await claimFires(trx, firing, now);
  if (claimed.length === 0) return;
  const alerts = await buildAlerts(trx, claimed, alerting);
  if (alerts.length > 0) await alerting.store.enqueue(trx, alerts, now);
}

const pairOf = (c: Candidate): RuleIssue => ({ ruleId: c.rule.id, issueId: c.change.issueId });

/** The candidates whose frequency conditions, counted in one read for all, make them fire. */
async function decideByCounts(trx: Db, candidates: readonly Candidate[], now: number): Promise<Candidate[]> {
  if (candidates.length === 0) return [];
  const windows = new Map<string, FrequencyNeed>();
  for (const c of candidates) for (const need of c.needs) windows.set(needKey(need), need);
  const list = [...windows.values()];
  const issueIds = [...new Set(candidates.map((c) => c.change.issueId))];
  const counts = await countIssueFrequencies(trx, issueIds, list);
  return candidates.filter((c) => {
    const own = counts.get(c.change.issueId);
    const byNeed = new Map(list.map((w, i) => [needKey(w), own?.[i] ?? 0]));
    return evaluateRule(c.rule, c.change, now, byNeed).kind === 'fire';
  });
}

/** The candidates this transaction may fire: one conditional upsert per distinct rule frequency. */
async function claimFires(trx: Db, firing: readonly Candidate[], now: number): Promise<Candidate[]> {
  const byFrequency = new Map<number, Candidate[]>();
  for (const c of firing) {
    const list = byFrequency.get(c.rule.frequency);
    if (list) list.push(c);
    else byFrequency.set(c.rule.frequency, [c]);
  }
  const claimed = new Set<string>();
  for (const [minutes, list] of [...byFrequency].sort(([a], [b]) => a - b)) {
    for (const pair of await claimRuleFires(trx, list.map(pairOf), minutes * 60_000, now))
      claimed.add(ruleIssueKey(pair));
  }
  return firing.filter((c) => claimed.has(ruleIssueKey(pairOf(c))));
}

/** The fired rules' facts and recipients; those that reach nobody are left out. */
async function buildAlerts(
  trx: Db,
  fired: readonly Candidate[],
  alerting: IssueAlerting,
): Promise<FiredAlert[]> {
  const subjects = await findAlertSubjects(trx, [...new Set(fired.map((c) => c.change.issueId))]);
  const reach = new Map<number, ProjectReach>();
  for (const projectId of new Set(fired.map((c) => c.change.projectId))) {
    const rules = fired.filter((c) => c.change.projectId === projectId).map((c) => c.rule);
    reach.set(projectId, await projectReach(trx, alerting.store, projectId, rules));
  }
  const alerts: FiredAlert[] = [];
  for (const c of fired) {
    const subject = subjects.get(c.change.issueId);
    const project = reach.get(c.change.projectId) as ProjectReach;
    if (!subject) continue;
    const emails = project.audience
      ? emailRecipients(c.rule.actions, project.audience, project.optedOut)
      : [];
    const posts = httpTargets(c.rule.actions, project.webhookUrls);
    if (emails.length + posts.length === 0) continue;
    alerts.push({
      ruleId: c.rule.id,
      projectId: c.change.projectId,
      issueId: c.change.issueId,
      alert: issueAlert(c, subject, alerting.baseUrl),
      emails,
      posts,
    });
  }
  return alerts;
}

/** What a project's fired rules may reach, read only as far as their actions need it. */
interface ProjectReach {
  readonly audience: ProjectAudience | undefined;
  readonly optedOut: ReadonlySet<number>;
  readonly webhookUrls: readonly string[];
}

async function projectReach(
  trx: Db,
  store: AlertStore,
  projectId: number,
  rules: readonly AlertRule[],
): Promise<ProjectReach> {
  const actions = rules.flatMap((r) => r.actions);
  const mails = mailsAnyone(actions);
  const named = actions.flatMap((a) =>
    a.id === EMAIL_ACTION && a.targetType === 'Member' && /^\d+$/.test(a.targetIdentifier)
      ? [Number(a.targetIdentifier)]
      : [],
  );
  return {
    audience: mails ? await findProjectAudience(trx, projectId, named) : undefined,
    optedOut: mails ? await store.optedOut(trx, projectId) : new Set(),
    webhookUrls: postsToProjectWebhooks(actions) ? await store.webhookUrls(trx, projectId) : [],
  };
}

/** What the fired rule's messages say: the issue after the batch, and its last event of the batch. */
function issueAlert(c: Candidate, subject: AlertSubject, baseUrl: string): IssueAlert {
  const { project } = subject;
  const last = c.batch.events.at(-1) as GroupedEvent;
  const { row } = last;
  return {
    baseUrl,
    organizationSlug: subject.organizationSlug,
    project,
    issue: alertedIssue(subject),
    event: {
      eventId: row.eventId,
      message: row.message,
      environment: row.environment,
      release: row.release,
      logger: last.logger,
      tags: row.tags,
      timestamp: row.timestamp,
    },
    frames: alertFrames(JSON.parse(documentText(row.data))),
    rules: [c.rule.name],
  };
}

/** The stored document's text, packed or not (lib/compression.ts `packDocument`). */
function documentText(data: string | Uint8Array): string {
  return typeof data === 'string' ? data : decompressDocument(data);
}

/** What rules read of an issue's batch. */
function issueChange(batch: IssueBatch): IssueChange {
  const { before, update } = batch;
  const events = batch.events.map(
    ({ row }): ChangeEvent => ({
      timestamp: row.timestamp,
      level: row.level,
      environment: row.environment,
      userKey: row.userKey,
      tags: row.tags,
    }),
  );
  return {
    issueId: batch.issueId,
    projectId: batch.projectId,
    isNew: batch.created,
    isRegression: update.status?.substatus === 'regressed',
    hasReappeared: before.status === 'ignored' && update.status?.status === 'unresolved',
    unresolved: (update.status?.status ?? before.status) === 'unresolved',
    firstSeen: Math.min(before.firstSeen, update.firstSeen),
    timesSeen: before.timesSeen + update.count,
    userCount: before.userCount + update.newUsers,
    events: events as [ChangeEvent, ...ChangeEvent[]],
  };
}
