import nodemailer from 'nodemailer';
import type { EmailMessage } from '../alerts/notification-model.js';
import { DeliveryFailure, type EmailSender } from './delivery-worker.js';

export interface SmtpSenderOptions {
  /** `smtp://user:password@host:port` or `smtps://…` (Config's `smtpUrl`). */
  readonly url: string;
  /** The From header of every email. */
  readonly from: string;
  readonly connectTimeoutMs: number;
  /** One message, connection to the server's acceptance, within this. */
  readonly timeoutMs: number;
}

/** Email is off without an SMTP server: emails are failed in the delivery history with this reason. */
export const EMAIL_OFF_REASON = 'email is off: ERRATA_SMTP_URL and ERRATA_EMAIL_FROM are not set';

/** The mail server as a log may name it: scheme, host and port, never the credentials. */
export function describeSmtpUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/**
 * Whether trying the same message again can succeed. A 5xx reply is the server's final word on
 * this message (no such mailbox, refused content), except a failed login, which an operator
 * fixes; everything else (no connection, a timeout, 4xx) may well pass later.
 */
function isPermanent(error: { code?: unknown; responseCode?: unknown }): boolean {
  if (error.code === 'EAUTH') return false;
  if (error.code === 'EENVELOPE' && typeof error.responseCode !== 'number') return true;
  return typeof error.responseCode === 'number' && error.responseCode >= 500;
}

/**
 * Sends email through one SMTP server with nodemailer: a connection per message (alerts are few,
 * and a connection left open to a server that went away fails the next message), STARTTLS when
 * the server offers it on smtp://, TLS from the start on smtps://, certificates verified.
 */
export function createSmtpSender(options: SmtpSenderOptions): EmailSender {
  const transport = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: options.connectTimeoutMs,
    greetingTimeout: options.connectTimeoutMs,
    socketTimeout: options.timeoutMs,
    dnsTimeout: options.connectTimeoutMs,
  });
  return {
    async send(message: EmailMessage): Promise<void> {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (info.rejected.length > 0) {
          throw new DeliveryFailure(
            `the mail server refused ${info.rejected.join(', ')}: ${info.response}`,
            true,
          );
        }
      } catch (error) {
        if (error instanceof DeliveryFailure) throw error;
        const e = error as Error & { code?: unknown; responseCode?: unknown };
        const reason =
          e.code === 'EABORT' ? `no answer from the mail server within ${options.timeoutMs} ms` : e.message;
        throw new DeliveryFailure(`email: ${reason}`, isPermanent(e));
      }
    },
  };
}
