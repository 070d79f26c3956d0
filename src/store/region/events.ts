import type { Kysely } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

export interface NewEvent {
  readonly projectId: number;
  readonly issueId: number | null;
  readonly eventId: string;
  readonly type: string;
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly level: string;
  readonly title: string;
  readonly message: string;
  readonly culprit: string | null;
  readonly release: string | null;
  readonly environment: string | null;
  readonly platform: string | null;
  readonly transactionName: string | null;
  readonly traceId: string | null;
  readonly userKey: string | null;
  readonly tags: readonly (readonly [string, string])[];
  /** The stored event document (JSON text). */
  readonly data: string;
}

export async function eventExists(db: Db, projectId: number, eventId: string): Promise<boolean> {
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('project_id', '=', projectId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Inserts an event unless the project has one with the same id already; true when inserted. */
export async function insertEvent(db: Db, event: NewEvent): Promise<boolean> {
  const result = await db
    .insertInto('events')
    .values({
      project_id: event.projectId,
      issue_id: event.issueId,
      event_id: event.eventId,
      type: event.type,
      timestamp: event.timestamp,
      received_at: event.receivedAt,
      level: event.level,
      title: event.title,
      message: event.message,
      culprit: event.culprit,
      release: event.release,
      environment: event.environment,
      platform: event.platform,
      transaction_name: event.transactionName,
      trace_id: event.traceId,
      user_key: event.userKey,
      tags: JSON.stringify(event.tags),
      data: event.data,
    })
    .onConflict((oc) => oc.columns(['project_id', 'event_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function setProjectFirstEvent(db: Db, projectId: number, timestamp: number): Promise<void> {
  await db
    .updateTable('projects')
    .set({ first_event: timestamp })
    .where('id', '=', projectId)
    .where('first_event', 'is', null)
    .execute();
}
