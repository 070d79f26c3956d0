import { describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import { alertNotifications } from './alert-notifications.js';
import { renderIssueAlertEmail } from './render.js';
import {
  renderDiscordMessage,
  renderSlackMessage,
  renderTeamsMessage,
  renderWebhookPayload,
} from './webhooks.js';

describe('the notifications of a fired rule', () => {
  const alert = makeAlert();
  const ids = { ruleId: 3, projectId: 7, issueId: 4242 };

  it('mails each recipient the same rendered email and posts each target its channel’s body', () => {
    const notifications = alertNotifications({
      ...ids,
      alert,
      emails: [
        { userId: 1, email: 'a@example.com' },
        { userId: 2, email: 'b@example.com' },
      ],
      posts: [
        { channel: 'webhook', url: 'https://hooks.example.com/errata' },
        { channel: 'slack', url: 'https://hooks.slack.test/T1' },
        { channel: 'discord', url: 'https://discord.test/api/webhooks/1' },
        { channel: 'teams', url: 'https://teams.test/1' },
      ],
    });
    const email = renderIssueAlertEmail(alert);
    expect(notifications).toEqual([
      { channel: 'email', message: { to: 'a@example.com', ...email }, ...ids },
      { channel: 'email', message: { to: 'b@example.com', ...email }, ...ids },
      {
        channel: 'webhook',
        message: { url: 'https://hooks.example.com/errata', body: renderWebhookPayload(alert) },
        ...ids,
      },
      {
        channel: 'slack',
        message: { url: 'https://hooks.slack.test/T1', body: renderSlackMessage(alert) },
        ...ids,
      },
      {
        channel: 'discord',
        message: { url: 'https://discord.test/api/webhooks/1', body: renderDiscordMessage(alert) },
        ...ids,
      },
      { channel: 'teams', message: { url: 'https://teams.test/1', body: renderTeamsMessage(alert) }, ...ids },
    ]);
  });

  it('has nothing to send for a rule that reaches nobody', () => {
    expect(alertNotifications({ ...ids, alert, emails: [], posts: [] })).toEqual([]);
  });
});
