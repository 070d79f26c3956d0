import type { IssueAlert } from './issue-alert.js';
import type { HttpMessage, NewNotification } from './notification-model.js';
import { renderIssueAlertEmail } from './render.js';
import type { EmailRecipient, HttpTarget } from './targets.js';
import {
  renderDiscordMessage,
  renderSlackMessage,
  renderTeamsMessage,
  renderWebhookPayload,
} from './webhooks.js';

/** A rule that fired for an issue: what its messages say, and everyone they go to. */
export interface FiredAlert {
  readonly ruleId: number;
  readonly projectId: number;
  readonly issueId: number;
  readonly alert: IssueAlert;
  readonly emails: readonly EmailRecipient[];
  readonly posts: readonly HttpTarget[];
}

const RENDER: Readonly<Record<HttpTarget['channel'], (alert: IssueAlert) => HttpMessage['body']>> = {
  webhook: renderWebhookPayload,
  slack: renderSlackMessage,
  discord: renderDiscordMessage,
  teams: renderTeamsMessage,
};

/** A fired rule's notifications for the outbox: one email per recipient, one post per target. */
export function alertNotifications(fired: FiredAlert): NewNotification[] {
  const ids = { ruleId: fired.ruleId, projectId: fired.projectId, issueId: fired.issueId };
  const notifications: NewNotification[] = [];
  if (fired.emails.length > 0) {
    const email = renderIssueAlertEmail(fired.alert);
    for (const { email: to } of fired.emails)
      notifications.push({ channel: 'email', message: { to, ...email }, ...ids });
  }
  for (const { channel, url } of fired.posts)
    notifications.push({ channel, message: { url, body: RENDER[channel](fired.alert) }, ...ids });
  return notifications;
}
