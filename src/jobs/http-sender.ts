import { signWebhook, webhookSigningKey } from '../alerts/webhooks.js';
import { isOutboundRefused, type OutboundPolicy, postJson } from '../lib/outbound-http.js';
import { DeliveryFailure, type HttpSender } from './delivery-worker.js';

export interface HttpSenderOptions {
  readonly policy: Omit<OutboundPolicy, 'maxResponseBytes'>;
  /** The deployment secret webhook keys derive from (Config's `webhookSecret`); null: unsigned. */
  readonly webhookSecret: string | null;
  readonly now: () => number;
}

/** Bytes of a receiver's answer kept: enough for the reason of a failure. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const USER_AGENT = 'errata-webhooks/1';

/**
 * Whether an HTTP answer is the receiver's final word: a redirect (not followed) or a 4xx, except
 * those that ask to come back later (408, 425, 429). 5xx are tried again.
 */
function isFinal(status: number): boolean {
  return status < 400 || (status < 500 && status !== 408 && status !== 425 && status !== 429);
}

/**
 * Posts webhook, Slack, Discord and Teams messages. Generic webhooks carry the signature headers of
 * their project's key and a `Request-ID` that stays the same across retries, so a receiver can
 * drop a repeat; chat services authenticate by their URL and get the body alone.
 */
export function createHttpSender(options: HttpSenderOptions): HttpSender {
  return {
    async send(notification) {
      const body = JSON.stringify(notification.message.body);
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      if (notification.channel === 'webhook') {
        headers['request-id'] = `errata-notification-${notification.id}`;
        if (options.webhookSecret !== null) {
          const key = webhookSigningKey(options.webhookSecret, notification.projectId);
          Object.assign(headers, signWebhook(key, body, Math.floor(options.now() / 1000)));
        }
      }
      let status: number;
      let answer: string;
      try {
        ({ status, body: answer } = await postJson(notification.message.url, body, headers, {
          ...options.policy,
          maxResponseBytes: MAX_RESPONSE_BYTES,
        }));
      } catch (error) {
        if (isOutboundRefused(error)) throw new DeliveryFailure(error.message, true);
        throw new DeliveryFailure(`${notification.channel}: ${(error as Error).message}`, false);
      }
      if (status >= 200 && status < 300) return;
      const said = answer.replace(/\s+/g, ' ').trim().slice(0, 300);
      throw new DeliveryFailure(
        `${notification.channel}: HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}${said ? `: ${said}` : ''}`,
        isFinal(status),
      );
    },
  };
}
