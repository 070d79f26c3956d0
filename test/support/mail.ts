import type { Kysely } from 'kysely';
import type { Mailer, OutgoingEmail } from '../../src/services/mailer.js';
import type { RegionSchema } from '../../src/store/schema.js';
import { waitFor } from './wait.js';

/** An email as a test saw it queued: where (the region database handed over) and when. */
export interface QueuedEmail extends OutgoingEmail {
  readonly db: Kysely<RegionSchema>;
  readonly queuedAt: number;
}

/**
 * The tests' Mailer: keeps what the API queues, in order, for tests to read (a reset link, an
 * invite). Unlike an outbox it keeps an email even when the transaction it was queued in rolls
 * back; tests that care check the change it came with too.
 */
export class RecordingMailer implements Mailer {
  readonly queued: QueuedEmail[] = [];

  async queue(db: Kysely<RegionSchema>, email: OutgoingEmail, now: number): Promise<void> {
    this.queued.push({ ...email, db, queuedAt: now });
  }

  /** The emails queued to an address so far (compared case-insensitively). */
  to(address: string): QueuedEmail[] {
    return this.queued.filter((e) => e.to.toLowerCase() === address.toLowerCase());
  }

  /**
   * Waits for the `n`th email (1-based) to an address: some are queued just after the answer (a
   * password reset), so a test waits rather than reads.
   */
  async waitForEmail(address: string, n = 1): Promise<QueuedEmail> {
    return waitFor(() => this.to(address)[n - 1], { what: `email ${n} to ${address}` });
  }
}

/** The first link in an email's text that starts with `prefix`. */
export function linkIn(email: Pick<OutgoingEmail, 'text'>, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}\\S*`).exec(email.text);
  if (!match) throw new Error(`no link starting ${prefix} in: ${email.text}`);
  return match[0];
}
