import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import {
  renderDiscordMessage,
  renderSlackMessage,
  renderTeamsMessage,
  renderWebhookPayload,
  signWebhook,
  webhookSigningKey,
} from './webhooks.js';

const alert = makeAlert();

describe("Sentry's webhooks plugin payload", () => {
  it('has the fields receivers written for Sentry read', () => {
    expect(renderWebhookPayload(alert)).toEqual({
      id: '4242',
      project: 'backend',
      project_name: 'Backend & API',
      project_slug: 'backend',
      logger: null,
      level: 'error',
      culprit: 'app/handlers.js in handle<T>',
      message: 'Cannot read properties of undefined',
      url: 'https://errata.example/organizations/acme/issues/4242/?referrer=webhooks_plugin',
      triggering_rules: ['Errors in production'],
      event: {
        event_id: '0123456789abcdef0123456789abcdef',
        id: '0123456789abcdef0123456789abcdef',
        title: alert.issue.title,
        message: 'Cannot read properties of undefined',
        level: 'error',
        culprit: 'app/handlers.js in handle<T>',
        environment: 'production',
        release: 'backend@1.4.2',
        logger: null,
        timestamp: Date.UTC(2026, 11, 9, 15, 0, 0) / 1000,
        tags: [
          ['environment', 'production'],
          ['level', 'error'],
        ],
        frames: alert.frames,
      },
    });
  });
});

describe('chat messages', () => {
  it('Slack: Block Kit with the link, the facts, and event text that cannot open a link or mention', () => {
    const message = renderSlackMessage(
      makeAlert({ issue: { ...alert.issue, title: 'Error <!channel> <https://evil.example|click> & more' } }),
    ) as { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
    expect(message.text).toBe(
      '[backend] Error &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; more',
    );
    expect(message.blocks[0]?.text?.text).toBe(
      '*<https://errata.example/organizations/acme/issues/4242/?referrer=slack|Error &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; more>*\napp/handlers.js in handle&lt;T&gt;',
    );
    expect(message.blocks[1]?.fields?.map((f) => f.text)).toEqual([
      '*Project*\nBackend &amp; API',
      '*Environment*\nproduction',
      '*Release*\nbackend@1.4.2',
      '*Level*\nerror',
      '*Events*\n17',
      '*First seen*\n2026-12-09 14:03:51 UTC',
    ]);
    expect(message.blocks[2]?.text?.text).toBe('```handle (app/handlers.js:41:7)\n? (app.router)```');
    expect(message.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Rule: Errors in production' }],
    });
  });

  it('Discord: one embed linking to the issue, mentions off, markdown in event text neutralised', () => {
    const message = renderDiscordMessage(
      makeAlert({ issue: { ...alert.issue, title: '@everyone look', culprit: '**bold** `code`' } }),
    ) as { allowed_mentions: unknown; embeds: Record<string, unknown>[] };
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const [embed] = message.embeds;
    expect(embed).toMatchObject({
      title: '@everyone look',
      url: 'https://errata.example/organizations/acme/issues/4242/?referrer=discord',
      color: 0xe03e2f,
      footer: { text: 'Rule: Errors in production' },
      timestamp: '2026-12-09T15:00:00.000Z',
    });
    expect(embed?.description).toBe(
      '\\*\\*bold\\*\\* \\`code\\`\n```\nhandle (app/handlers.js:41:7)\n? (app.router)\n```',
    );
    expect(embed?.fields).toContainEqual({ name: 'Release', value: 'backend@1.4.2', inline: true });
  });

  it('Teams: an Adaptive Card with the facts and a button to the issue', () => {
    const message = renderTeamsMessage(alert) as {
      type: string;
      attachments: { contentType: string; content: Record<string, unknown> }[];
    };
    expect(message.type).toBe('message');
    const [card] = message.attachments;
    expect(card?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card?.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card?.content.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'View the issue',
        url: 'https://errata.example/organizations/acme/issues/4242/?referrer=teams',
      },
    ]);
    expect(card?.content.body).toContainEqual({
      type: 'FactSet',
      facts: expect.arrayContaining([{ title: 'Events', value: '17' }]),
    });
  });
});

describe('webhook signatures', () => {
  const secret = 'a-deployment-secret-of-at-least-32-characters';

  it('derive a key per project from the deployment secret', () => {
    const key = webhookSigningKey(secret, 7);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(webhookSigningKey(secret, 7)).toBe(key);
    expect(webhookSigningKey(secret, 8)).not.toBe(key);
    expect(webhookSigningKey(`${secret}!`, 7)).not.toBe(key);
  });

  it("sign the body as Sentry's integrations do, and the time with it", () => {
    const key = webhookSigningKey(secret, 7);
    const body = JSON.stringify(renderWebhookPayload(alert));
    const headers = signWebhook(key, body, 1_765_000_000);
    expect(headers).toEqual({
      'sentry-hook-timestamp': '1765000000',
      'sentry-hook-signature': createHmac('sha256', key).update(body, 'utf8').digest('hex'),
      'errata-signature': `t=1765000000,v1=${createHmac('sha256', key).update(`1765000000.${body}`).digest('hex')}`,
    });
  });
});
