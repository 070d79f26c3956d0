import { alertFrames } from '../alerts/alert-frames.js';
import { alertNotifications } from '../alerts/alert-notifications.js';
import type { IssueAlert } from '../alerts/issue-alert.js';
import { EMAIL_ACTION, type RuleAction, SERVICE_ACTION } from '../alerts/rule-model.js';
import { emailRecipients, httpTargets } from '../alerts/targets.js';
import { formatShortId } from '../protocol/short-id.js';
import { findProjectAudience } from '../store/region/alert-audience.js';
import { findWebhookUrls } from '../store/region/alert-rules.js';
import { alertedIssue, findAlertSubjects, findLatestIssueId } from '../store/region/alert-subjects.js';
import { findIssueEdgeEvent } from '../store/region/issue-reads.js';
import { type Delivery, enqueueNotifications, listDeliveries } from '../store/region/notification-outbox.js';
import { listAlertEmailOptOuts } from '../store/region/notification-settings.js';
import type { ServiceContext } from './context.js';

// Sentry's "send test notification": a rule's actions fired once, now, about the project's latest
// issue (or a sample one when it has none), each message marked as a test. They go through the
// outbox like any alert, enqueued already claimed and sent at once by the delivery worker, so that
// each try is in the delivery history (the rule's, when a rule is named) and its outcome is known
// before the answer.

export interface TestRequest {
  readonly organizationSlug: string;
  readonly project: { readonly id: number; readonly slug: string; readonly name: string };
  readonly actions: readonly RuleAction[];
  /** The rule whose history records them; null for actions not saved yet. */
  readonly ruleId: number | null;
  /** The rule's name, as the messages show it. */
  readonly ruleName: string;
}

/** What became of one action: the notifications it sent, or why it sent none. */
export interface TestOutcome {
  readonly index: number;
  readonly action: RuleAction;
  /** Why nothing was sent for it (nobody to email, no webhook URL). */
  readonly nothingSent: string | null;
  readonly deliveries: readonly Delivery[];
}

/** The project's latest issue as an alert tells of it, with its latest event; undefined without issues. */
async function latestIssueAlert(ctx: ServiceContext, request: TestRequest): Promise<IssueAlert | undefined> {
  const db = ctx.db.region;
  const issueId = await findLatestIssueId(db, request.project.id);
  const subject = issueId === undefined ? undefined : (await findAlertSubjects(db, [issueId])).get(issueId);
  if (issueId === undefined || !subject) return undefined;
  const event = await findIssueEdgeEvent(db, issueId, 'latest');
  const { issue, project } = subject;
  return {
    baseUrl: ctx.config.url,
    organizationSlug: subject.organizationSlug,
    project,
    issue: alertedIssue(subject),
    event: {
      eventId: event?.eventId ?? '',
      message: event?.message ?? issue.title,
      environment: event?.environment ?? null,
      release: event?.release ?? null,
      logger: null,
      tags: event?.tags ?? [],
      timestamp: event?.timestamp ?? issue.firstSeen,
    },
    frames: event ? alertFrames(event.data) : [],
    rules: [request.ruleName],
    test: true,
  };
}

/** An issue that never happened, for a project without any. */
function sampleAlert(ctx: ServiceContext, request: TestRequest): IssueAlert {
  const now = ctx.now();
  return {
    baseUrl: ctx.config.url,
    organizationSlug: request.organizationSlug,
    project: request.project,
    issue: {
      id: 0,
      shortId: formatShortId(request.project.slug, 0),
      title: 'Error: This is an example error for a test notification',
      culprit: 'sendTestNotification (example.js)',
      level: 'error',
      count: 1,
      firstSeen: now,
    },
    event: {
      eventId: '0'.repeat(32),
      message: 'This is an example error for a test notification',
      environment: null,
      release: null,
      logger: null,
      tags: [],
      timestamp: now,
    },
    frames: [{ filename: 'example.js', function: 'sendTestNotification', lineno: 1, colno: 1, module: null }],
    rules: [request.ruleName],
    test: true,
  };
}

/**
 * Sends each action's test notification now and reports what became of it. The worker's sending is
 * bounded by the notification timeouts (ERRATA_NOTIFY_TIMEOUT_MS); a failed try is not retried.
 */
export async function sendTestNotifications(
  ctx: ServiceContext,
  request: TestRequest,
): Promise<TestOutcome[]> {
  const { delivery } = ctx;
  if (!delivery) throw new Error('test notifications need the delivery worker');
  const db = ctx.db.region;
  const alert = (await latestIssueAlert(ctx, request)) ?? sampleAlert(ctx, request);
  const mails = request.actions.some((a) => a.id === EMAIL_ACTION);
  const named = request.actions.flatMap((a) =>
    a.id === EMAIL_ACTION && a.targetType === 'Member' ? [Number(a.targetIdentifier)] : [],
  );
  const audience = mails ? await findProjectAudience(db, request.project.id, named) : undefined;
  const optedOut = mails ? await listAlertEmailOptOuts(db, request.project.id) : new Set<number>();
  const webhookUrls = request.actions.some((a) => a.id === SERVICE_ACTION)
    ? await findWebhookUrls(db, request.project.id)
    : [];

  const planned = request.actions.map((action, index) => {
    const emails = audience ? emailRecipients([action], audience, optedOut) : [];
    const posts = httpTargets([action], webhookUrls);
    const notifications = alertNotifications({
      ruleId: request.ruleId ?? 0,
      projectId: request.project.id,
      issueId: alert.issue.id,
      alert,
      emails,
      posts,
    }).map((n) => ({
      ...n,
      ruleId: request.ruleId,
      // The sample issue is no issue of the project.
      issueId: alert.issue.id === 0 ? null : alert.issue.id,
    }));
    const nothingSent =
      notifications.length > 0
        ? null
        : action.id === EMAIL_ACTION
          ? 'nobody to email: it reaches no member of the project who takes alert email'
          : 'no URL to post to: the WebHooks plugin is disabled or has no URLs';
    return { index, action, notifications, nothingSent };
  });

  const now = ctx.now();
  // Claimed for as long as a worker's lease, so that no worker also sends them.
  const claimedUntil = now + 2 * ctx.config.notifyTimeoutMs + 30_000;
  const ids = await db.transaction().execute(async (trx) => {
    const lists: number[][] = [];
    for (const p of planned)
      lists.push(await enqueueNotifications(trx, p.notifications, now, { claimedUntil }));
    return lists;
  });
  const all = ids.flat();
  await delivery.sendNow(all);
  const deliveries = new Map(
    (await listDeliveries(db, { ids: all, limit: all.length })).map((d) => [d.id, d]),
  );
  return planned.map((p, i) => ({
    index: p.index,
    action: p.action,
    nothingSent: p.nothingSent,
    deliveries: (ids[i] ?? []).flatMap((id) => deliveries.get(id) ?? []),
  }));
}
