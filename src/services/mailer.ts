import type { Kysely } from 'kysely';
import type { RegionSchema } from '../store/schema.js';
import { queueEmail } from './mail.js';

/**
 * One email as Errata composes it: a plain-text body and the same in HTML (the shape of the
 * alerts' `EmailMessage`, which services/ may not import).
 */
export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Where the API hands the email it decides to send. `queue` writes it to the outbox of the region
 * database `db` (durably, for a worker to send after the answer): pass the open transaction that
 * made the decision, so that the email exists exactly when the change that caused it does. Email
 * that concerns no organization (a password reset) goes to this node's region.
 *
 * @example await ctx.mailer.queue(trx, { to, subject, text, html }, ctx.now());
 */
export interface Mailer {
  queue(db: Kysely<RegionSchema>, email: OutgoingEmail, now: number): Promise<unknown>;
}

/** The Mailer of every Errata process: the email goes to the region's outbox, and from there to SMTP. */
export const outboxMailer: Mailer = {
  queue: (db, email, now) => queueEmail(db, email, now),
};
