import type { Kysely, Selectable } from 'kysely';
import type { Channel, EmailMessage, HttpMessage, NewNotification } from '../../alerts/notification-model.js';
import type { Engine } from '../db.js';
import type { NotificationOutboxTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** A notification a worker has claimed: what to send, and how many tries came before. */
export type ClaimedNotification = {
  readonly id: number;
  readonly attempts: number;
  readonly projectId: number | null;
  readonly dateCreated: number;
} & (
  | { readonly channel: 'email'; readonly message: EmailMessage }
  | { readonly channel: Exclude<Channel, 'email'>; readonly message: HttpMessage }
);

/** One try at delivering a notification, as the delivery history shows it. */
export interface DeliveryAttempt {
  readonly at: number;
  readonly ok: boolean;
  readonly error: string | null;
  readonly durationMs: number;
}

/** A notification in the delivery history: where it went, where it stands, every try. */
export interface Delivery {
  readonly id: number;
  readonly channel: Channel;
  /** The address, or the URL without its secret parts. */
  readonly target: string;
  readonly ruleId: number | null;
  readonly projectId: number | null;
  readonly issueId: number | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** Pending: when the next try is due. */
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
  readonly dateCreated: number;
  readonly dateSent: number | null;
  /** Oldest first. */
  readonly history: readonly DeliveryAttempt[];
}

/**
 * What the history shows of where a notification goes. Slack, Discord and Teams incoming webhooks
 * carry their credential in the path, and any URL may carry one in its query: the listing keeps
 * the host only, or the host and path. The message itself keeps the whole URL.
 */
function targetOf(notification: NewNotification): string {
  if (notification.channel === 'email') return notification.message.to;
  try {
    const url = new URL(notification.message.url);
    return notification.channel === 'webhook' ? `${url.origin}${url.pathname}` : `${url.origin}/…`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * Writes notifications to the outbox, due at once. Called inside the transaction that decided
 * them (digest, or a service that sends mail), so that they exist exactly when what caused them
 * was committed; the delivery worker sends them after the commit.
 *
 * @example
 * await db.region.transaction().execute((trx) => enqueueNotifications(trx, [notification], now));
 */
export async function enqueueNotifications(
  trx: Db,
  notifications: readonly NewNotification[],
  now: number,
  options: { readonly claimedUntil?: number } = {},
): Promise<number[]> {
  if (notifications.length === 0) return [];
  const rows = await trx
    .insertInto('notification_outbox')
    .values(
      notifications.map((n) => ({
        channel: n.channel,
        target: targetOf(n),
        message: JSON.stringify(n.message),
        rule_id: n.ruleId,
        project_id: n.projectId,
        issue_id: n.issueId,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        claimed_until: options.claimedUntil ?? null,
        last_error: null,
        date_created: now,
        date_sent: null,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

function toClaimed(row: Selectable<NotificationOutboxTable>): ClaimedNotification {
  return {
    id: row.id,
    attempts: row.attempts,
    projectId: row.project_id,
    dateCreated: row.date_created,
    channel: row.channel,
    message: JSON.parse(row.message),
  } as ClaimedNotification;
}

/**
 * Takes up to `limit` due notifications for `leaseMs`: until then no other worker claims them, and
 * after it (the worker stopped mid-send) any may. One statement picks the rows and sets the lease,
 * so of two workers reaching for a row one gets it: on PostgreSQL rows another node is claiming
 * are skipped (`FOR UPDATE SKIP LOCKED`); SQLite runs one writing statement at a time. Oldest due
 * first.
 */
export async function claimNotifications(
  db: Db,
  engine: Engine,
  options: { readonly now: number; readonly leaseMs: number; readonly limit: number },
): Promise<ClaimedNotification[]> {
  const { now, leaseMs, limit } = options;
  const due = db
    .selectFrom('notification_outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit);
  // A read first on SQLite: an idle poll takes no write lock from ingest and digest.
  if (engine === 'sqlite' && (await due.limit(1).execute()).length === 0) return [];
  const rows = await db
    .updateTable('notification_outbox')
    .set({ claimed_until: now + leaseMs })
    .where('id', 'in', engine === 'postgres' ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(toClaimed);
}

/** The notifications with these ids, as claimed ones, to send (those that exist, in id order). */
export async function findNotifications(db: Db, ids: readonly number[]): Promise<ClaimedNotification[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('notification_outbox')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id')
    .execute();
  return rows.map(toClaimed);
}

/** Records a successful try: the notification is sent and never claimed again. */
export async function markSent(
  db: Db,
  id: number,
  attempt: { readonly at: number; readonly durationMs: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('notification_outbox')
      .set((eb) => ({
        status: 'sent',
        attempts: eb('attempts', '+', 1),
        claimed_until: null,
        date_sent: attempt.at + Math.round(attempt.durationMs),
      }))
      .where('id', '=', id)
      // A worker whose lease ran out while it sent may finish after another did: the first outcome stands.
      .where('status', '=', 'pending')
      .execute();
    await insertAttempt(trx, id, { ...attempt, ok: true, error: null });
  });
}

/** How a failed try goes on: `retryAt` for another try then, or null to give up. */
export interface FailureOutcome {
  readonly retryAt: number | null;
}

/**
 * Records a failed try and keeps its reason: the notification is due again at `retryAt`, or
 * failed for good when that is null (its last reason stays in `last_error`).
 */
export async function markFailed(
  db: Db,
  id: number,
  attempt: { readonly at: number; readonly durationMs: number; readonly error: string },
  outcome: FailureOutcome,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('notification_outbox')
      .set((eb) => ({
        status: outcome.retryAt === null ? 'failed' : 'pending',
        attempts: eb('attempts', '+', 1),
        next_attempt_at: outcome.retryAt ?? attempt.at,
        claimed_until: null,
        last_error: attempt.error,
      }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    await insertAttempt(trx, id, { ...attempt, ok: false });
  });
}

async function insertAttempt(
  trx: Db,
  id: number,
  attempt: { at: number; durationMs: number; ok: boolean; error: string | null },
): Promise<void> {
  await trx
    .insertInto('notification_attempts')
    .values({
      outbox_id: id,
      at: attempt.at,
      ok: attempt.ok ? 1 : 0,
      error: attempt.error,
      duration_ms: Math.max(0, Math.round(attempt.durationMs)),
    })
    .execute();
}

/**
 * The delivery history, newest first: a rule's notifications, a project's, those of `ids`, or
 * (none given) all of the region's, with every try of each; `offset` pages through it.
 */
export async function listDeliveries(
  db: Db,
  filter: {
    readonly ruleId?: number;
    readonly projectId?: number;
    readonly ids?: readonly number[];
    readonly limit: number;
    readonly offset?: number;
  },
): Promise<Delivery[]> {
  if (filter.ids?.length === 0) return [];
  const rows = await db
    .selectFrom('notification_outbox')
    .select([
      'id',
      'channel',
      'target',
      'rule_id',
      'project_id',
      'issue_id',
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
      'date_created',
      'date_sent',
    ])
    .$if(filter.ruleId !== undefined, (q) => q.where('rule_id', '=', filter.ruleId as number))
    .$if(filter.projectId !== undefined, (q) => q.where('project_id', '=', filter.projectId as number))
    .$if(filter.ids !== undefined, (q) => q.where('id', 'in', [...(filter.ids as number[])]))
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset ?? 0)
    .execute();
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom('notification_attempts')
    .select(['outbox_id', 'at', 'ok', 'error', 'duration_ms'])
    .where(
      'outbox_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('outbox_id')
    .orderBy('at')
    .orderBy('id')
    .execute();
  const history = new Map<number, DeliveryAttempt[]>();
  for (const a of attempts) {
    const list = history.get(a.outbox_id) ?? [];
    list.push({ at: a.at, ok: a.ok === 1, error: a.error, durationMs: a.duration_ms });
    history.set(a.outbox_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel as Channel,
    target: r.target,
    ruleId: r.rule_id,
    projectId: r.project_id,
    issueId: r.issue_id,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
    lastError: r.last_error,
    dateCreated: r.date_created,
    dateSent: r.date_sent,
    history: history.get(r.id) ?? [],
  }));
}

/** Forgets sent and failed notifications created before `cutoff` (their tries go with them). */
export async function deleteDeliveriesBefore(db: Db, cutoff: number): Promise<number> {
  const result = await db
    .deleteFrom('notification_outbox')
    .where('status', '!=', 'pending')
    .where('date_created', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Notifications waiting to be sent (first tries and retries). */
export async function countPendingNotifications(db: Db): Promise<number> {
  const row = await db
    .selectFrom('notification_outbox')
    .where('status', '=', 'pending')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
