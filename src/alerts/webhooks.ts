import { createHmac } from 'node:crypto';
import { ALERT_FRAMES, alertHeadline, frameLine, type IssueAlert, issueLink } from './issue-alert.js';
import { alertFields, oneLine } from './render.js';

// The bodies Errata posts for an issue alert: the payload of Sentry's webhooks plugin (what
// receivers written for Sentry parse), and the incoming-webhook message formats of Slack, Discord
// and Microsoft Teams. Each is rendered once, when the rule fires, and kept in the outbox as is.

/**
 * Sentry's webhooks plugin payload: the issue (`id`, `project`, `project_name`, `project_slug`,
 * `culprit`, `level`, `logger`, `message`, `url`, `triggering_rules`) and the `event` that fired
 * the rule (Sentry sends the whole event document; Errata its main fields and tags).
 */
export function renderWebhookPayload(alert: IssueAlert): Record<string, unknown> {
  const { event, issue, project } = alert;
  return {
    id: String(issue.id),
    project: project.slug,
    project_name: project.name,
    project_slug: project.slug,
    logger: event.logger,
    level: issue.level,
    culprit: issue.culprit,
    message: event.message,
    url: issueLink(alert, 'webhooks_plugin'),
    triggering_rules: [...alert.rules],
    ...(alert.test ? { test: true } : {}),
    event: {
      event_id: event.eventId,
      id: event.eventId,
      title: issue.title,
      message: event.message,
      level: issue.level,
      culprit: issue.culprit,
      environment: event.environment,
      release: event.release,
      logger: event.logger,
      timestamp: event.timestamp / 1000,
      tags: event.tags.map(([key, value]) => [key, value]),
      frames: alert.frames.slice(0, ALERT_FRAMES),
    },
  };
}

/** Slack's mrkdwn treats only these three as markup; event text must not open a link or mention. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Code blocks end at the first ``` in them. */
function codeSafe(text: string): string {
  return text.replace(/```/g, "'''");
}

/** A Slack incoming-webhook message: Block Kit, with `text` as the notification's fallback. */
export function renderSlackMessage(alert: IssueAlert): Record<string, unknown> {
  const link = issueLink(alert, 'slack');
  const title = oneLine(alert.issue.title, 250);
  const frames = alert.frames.slice(0, ALERT_FRAMES).map(frameLine);
  const blocks: Record<string, unknown>[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*<${link}|${slackEscape(title)}>*${alert.issue.culprit ? `\n${slackEscape(oneLine(alert.issue.culprit, 500))}` : ''}`,
      },
    },
    {
      type: 'section',
      fields: alertFields(alert).map(([label, value]) => ({
        type: 'mrkdwn',
        text: `*${label}*\n${slackEscape(oneLine(value, 500))}`,
      })),
    },
  ];
  if (frames.length > 0)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `\`\`\`${slackEscape(codeSafe(frames.join('\n'))).slice(0, 2900)}\`\`\``,
      },
    });
  if (alert.rules.length > 0)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: slackEscape(oneLine(`Rule: ${alert.rules.join(', ')}`, 500)) }],
    });
  if (alert.test)
    blocks.unshift({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: slackEscape(alertHeadline(alert)) }],
    });
  return { text: `${alert.test ? '[TEST] ' : ''}[${alert.project.slug}] ${slackEscape(title)}`, blocks };
}

/** Discord markdown, neutralised: event text shows as written. */
function discordEscape(text: string): string {
  return text.replace(/([\\*_~`|>#[\]()-])/g, '\\$1');
}

/** Discord's embed red. */
const DISCORD_COLOR = 0xe03e2f;

/**
 * A Discord webhook message: one embed linking to the issue. `allowed_mentions` is empty, so an
 * event that says `@everyone` pings nobody.
 */
export function renderDiscordMessage(alert: IssueAlert): Record<string, unknown> {
  const frames = alert.frames.slice(0, ALERT_FRAMES).map(frameLine);
  const description = [
    alert.issue.culprit ? discordEscape(oneLine(alert.issue.culprit, 500)) : '',
    frames.length > 0 ? `\`\`\`\n${codeSafe(frames.join('\n')).slice(0, 3000)}\n\`\`\`` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: oneLine(`${alert.test ? '[TEST] ' : ''}${alert.issue.title}`, 256),
        url: issueLink(alert, 'discord'),
        color: DISCORD_COLOR,
        ...(description ? { description } : {}),
        fields: alertFields(alert).map(([name, value]) => ({
          name,
          value: oneLine(value, 1024),
          inline: true,
        })),
        ...(alert.rules.length > 0
          ? { footer: { text: oneLine(`Rule: ${alert.rules.join(', ')}`, 2048) } }
          : {}),
        timestamp: new Date(alert.event.timestamp).toISOString(),
      },
    ],
  };
}

/**
 * A Microsoft Teams incoming-webhook message (also what a Teams workflow's "post to a channel when
 * a webhook request is received" takes): one Adaptive Card with the facts and a button to the issue.
 */
export function renderTeamsMessage(alert: IssueAlert): Record<string, unknown> {
  const frames = alert.frames.slice(0, ALERT_FRAMES).map(frameLine);
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: alertHeadline(alert), isSubtle: true, wrap: true },
    {
      type: 'TextBlock',
      text: oneLine(alert.issue.title, 500),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
    },
  ];
  if (alert.issue.culprit)
    body.push({ type: 'TextBlock', text: oneLine(alert.issue.culprit, 500), isSubtle: true, wrap: true });
  body.push({
    type: 'FactSet',
    facts: alertFields(alert).map(([title, value]) => ({ title, value: oneLine(value, 500) })),
  });
  if (frames.length > 0)
    body.push({
      type: 'TextBlock',
      text: frames.join('\n\n'),
      fontType: 'Monospace',
      size: 'Small',
      wrap: true,
    });
  if (alert.rules.length > 0)
    body.push({ type: 'TextBlock', text: `Rule: ${alert.rules.join(', ')}`, isSubtle: true, wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', title: 'View the issue', url: issueLink(alert, 'teams') }],
        },
      },
    ],
  };
}

/**
 * The key a project's webhooks are signed with: derived from the deployment's secret
 * (ERRATA_WEBHOOK_SECRET) and the project id, so that no key is stored anywhere, one project's
 * receiver cannot sign for another's, and changing the secret replaces every key. Shown to the
 * project's admins in the webhooks plugin's configuration; hex.
 */
export function webhookSigningKey(secret: string, projectId: number | null): string {
  return createHmac('sha256', secret)
    .update(`errata webhook signing key, project ${projectId ?? 'none'}`)
    .digest('hex');
}

/**
 * The signature headers of a webhook body, for a receiver holding the project's key:
 * `Sentry-Hook-Signature` is HMAC-SHA256(key, body) in hex, as Sentry's integration webhooks sign
 * (receivers written for Sentry check it as they are); `Errata-Signature` is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>`, which also binds the time, so that a
 * receiver can refuse a replayed request.
 *
 * @example
 * const expected = createHmac('sha256', key).update(`${t}.${rawBody}`).digest('hex');
 */
export function signWebhook(key: string, body: string, unixSeconds: number): Record<string, string> {
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('hex');
  return {
    'sentry-hook-timestamp': String(unixSeconds),
    'sentry-hook-signature': mac(body),
    'errata-signature': `t=${unixSeconds},v1=${mac(`${unixSeconds}.${body}`)}`,
  };
}
