import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { EmailMessage, HttpMessage } from '../alerts/notification-model.js';
import { type BackgroundWrites, backgroundWrites } from '../store/background-writes.js';
import type { Database } from '../store/db.js';
import {
  type ClaimedNotification,
  claimNotifications,
  findNotifications,
  markFailed,
  markSent,
} from '../store/region/notification-outbox.js';

/**
 * A try that failed. `permanent` when trying again cannot help (a refused address, a mail server's
 * 5xx answer, email not configured): the notification is failed at once with this reason.
 */
export class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** Sends emails; resolves once the mail server accepted the message. */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

/** Posts webhook, Slack, Discord and Teams messages; resolves on a 2xx answer. */
export interface HttpSender {
  send(notification: ClaimedNotification & { readonly message: HttpMessage }): Promise<void>;
}

export interface DeliveryWorkerOptions {
  /** Null when email is off: emails are failed with `emailOffReason`. */
  readonly email: EmailSender | null;
  readonly emailOffReason?: string;
  readonly http: HttpSender;
  readonly now: () => number;
  readonly log: Pick<FastifyBaseLogger, 'error' | 'warn'>;
  readonly pollMs: number;
  /** Notifications in flight at once. */
  readonly concurrency: number;
  /** Tries before giving up. */
  readonly maxAttempts: number;
  /** The longest one try can take (the senders' total timeout): the lease is longer. */
  readonly sendTimeoutMs: number;
  /** The wait after the first failed try; it doubles with each (default 30 s). */
  readonly retryBaseMs?: number;
}

const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 3_600_000;

/** The wait before try `attempts + 1`, after `attempts` failed ones: base, doubling, capped at an hour. */
export function retryDelayMs(attempts: number, baseMs = RETRY_BASE_MS): number {
  return Math.min(RETRY_MAX_MS, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** How a reason reads in the history: one line, bounded. */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const flat = text.replace(/\s+/g, ' ').trim() || 'failed';
  return flat.length > 1000 ? `${flat.slice(0, 999)}…` : flat;
}

/**
 * Sends what the outbox holds, off the request path: claims due notifications in small batches
 * (never more than `concurrency` in flight), sends each with bounded timeouts, and records every
 * try. A failed try is retried with exponential backoff until `maxAttempts`; a receiver that is
 * down delays only its own notifications. It runs when told there is work (`notify`, after a
 * digest committed some) and on a timer for work it was not told about (retries, other nodes).
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = true;
  /** The outbox's claims and outcomes are written without holding up requests on this thread. */
  private readonly outbox: BackgroundWrites;

  constructor(
    db: Database,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.outbox = backgroundWrites(db);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.notify(), this.options.pollMs);
    this.timer.unref();
    this.notify();
  }

  /** Stops claiming; resolves once the tries under way are recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.running) await this.running.catch(() => {});
    await this.outbox.close();
  }

  /** Says there may be due notifications; a run under way goes round once more. Ignored until started. */
  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run().catch(() => {});
  }

  /**
   * Sends everything due now, after any run under way (which may have looked before the latest
   * notification was written); resolves with how many tries it made. For tests and shutdown.
   */
  async drain(): Promise<number> {
    while (this.running) await this.running.catch(() => {});
    return this.run({ draining: true });
  }

  /**
   * Tries the notifications with these ids once each, now, and resolves when every try is
   * recorded (each bounded by the senders' timeouts). For notifications their caller enqueued
   * already claimed (a test notification): a failed try is final, as its caller reports it.
   */
  async sendNow(ids: readonly number[]): Promise<void> {
    const notifications = await this.outbox.run((db) => findNotifications(db, ids));
    await Promise.all(notifications.map((n) => this.deliver(n, { once: true })));
  }

  private run(mode: { draining?: boolean } = {}): Promise<number> {
    const run = (async () => {
      let tries = 0;
      do {
        this.again = false;
        tries += await this.sendDue(mode.draining === true);
      } while (this.again && !this.stopped);
      return tries;
    })().finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  /** Claims and sends until nothing is due, with at most `concurrency` notifications in flight. */
  private async sendDue(draining: boolean): Promise<number> {
    const { options } = this;
    const inFlight = new Set<Promise<void>>();
    let tries = 0;
    let empty = false;
    for (;;) {
      const room = options.concurrency - inFlight.size;
      if (!empty && room > 0 && (draining || !this.stopped)) {
        let claimed: ClaimedNotification[];
        try {
          const now = options.now();
          claimed = await this.outbox.run((db) =>
            claimNotifications(db, this.outbox.engine, {
              now,
              leaseMs: 2 * options.sendTimeoutMs + 30_000,
              limit: room,
            }),
          );
        } catch (error) {
          options.log.warn({ err: error }, 'cannot read the notification outbox; trying again later');
          claimed = [];
          empty = true;
        }
        if (claimed.length < room) empty = true;
        for (const notification of claimed) {
          const delivery: Promise<void> = this.deliver(notification).finally(() => inFlight.delete(delivery));
          inFlight.add(delivery);
          tries++;
        }
        if (!empty) continue;
      }
      if (inFlight.size === 0) return tries;
      await Promise.race(inFlight);
    }
  }

  /** One try at one notification, recorded whatever its outcome. */
  private async deliver(notification: ClaimedNotification, mode: { once?: boolean } = {}): Promise<void> {
    const { options } = this;
    const at = options.now();
    const started = performance.now();
    let failure: DeliveryFailure | null = null;
    try {
      await this.send(notification);
    } catch (error) {
      failure = error instanceof DeliveryFailure ? error : new DeliveryFailure(reasonOf(error), false);
    }
    const durationMs = Math.round(performance.now() - started);
    try {
      if (failure === null) {
        await this.outbox.run((db) => markSent(db, notification.id, { at, durationMs }));
        return;
      }
      const attempts = notification.attempts + 1;
      const giveUp = failure.permanent || mode.once === true || attempts >= options.maxAttempts;
      const retryAt = giveUp ? null : options.now() + retryDelayMs(attempts, options.retryBaseMs);
      await this.outbox.run((db) =>
        markFailed(db, notification.id, { at, durationMs, error: reasonOf(failure) }, { retryAt }),
      );
      if (giveUp && mode.once !== true) {
        options.log.warn(
          {
            notificationId: notification.id,
            channel: notification.channel,
            attempts,
            reason: failure.message,
          },
          'notification failed for good',
        );
      }
    } catch (error) {
      // Left claimed: once its lease runs out it is tried again, and may then be sent twice.
      options.log.error({ err: error, notificationId: notification.id }, 'cannot record a delivery try');
    }
  }

  private async send(notification: ClaimedNotification): Promise<void> {
    if (notification.channel === 'email') {
      const { email } = this.options;
      if (!email) throw new DeliveryFailure(this.options.emailOffReason ?? 'email is not configured', true);
      await email.send(notification.message);
      return;
    }
    await this.options.http.send(notification);
  }
}
