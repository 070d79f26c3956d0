import type { Kysely, Selectable } from 'kysely';
import type { AttachmentTable, RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** A file sent with an event: its bytes and what the SDK said about them. */
export interface NewAttachment {
  readonly projectId: number;
  readonly eventId: string;
  readonly name: string;
  readonly contentType: string;
  /** Sentry's `attachment_type`, e.g. `event.attachment` or `event.minidump`. */
  readonly attachmentType: string;
  /** Stored as given: pass a copy, not a view into a larger buffer. */
  readonly data: Uint8Array;
  readonly dateCreated: number;
}

export interface Attachment extends NewAttachment {
  readonly id: number;
  readonly size: number;
}

function toAttachment(row: Selectable<AttachmentTable>): Attachment {
  return {
    id: row.id,
    projectId: row.project_id,
    eventId: row.event_id,
    name: row.name,
    contentType: row.content_type,
    attachmentType: row.attachment_type,
    size: row.size,
    data: Buffer.from(row.data),
    dateCreated: row.date_created,
  };
}

export async function insertAttachment(db: Db, attachment: NewAttachment): Promise<number> {
  const row = await db
    .insertInto('attachments')
    .values({
      project_id: attachment.projectId,
      event_id: attachment.eventId,
      name: attachment.name,
      content_type: attachment.contentType,
      attachment_type: attachment.attachmentType,
      size: attachment.data.length,
      data: attachment.data,
      date_created: attachment.dateCreated,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The attachments of one event, in the order they were stored. */
export async function findAttachmentsByEvent(
  db: Db,
  projectId: number,
  eventId: string,
): Promise<Attachment[]> {
  const rows = await db
    .selectFrom('attachments')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('event_id', '=', eventId)
    .orderBy('id')
    .execute();
  return rows.map(toAttachment);
}

export async function findAttachmentById(
  db: Db,
  projectId: number,
  eventId: string,
  id: number,
): Promise<Attachment | undefined> {
  const row = await db
    .selectFrom('attachments')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('event_id', '=', eventId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toAttachment(row);
}
