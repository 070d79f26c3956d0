import { asString } from '../../protocol/json-read.js';
import { insertAttachment } from '../../store/region/attachments.js';
import type { ItemDigester } from '../item-digester.js';

export const DEFAULT_ATTACHMENT_NAME = 'attachment';
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const DEFAULT_ATTACHMENT_TYPE = 'event.attachment';

/** The header text with U+0000 replaced: PostgreSQL text cannot hold it, and the insert would fail. */
const storable = (text: string | undefined) => text?.replaceAll('\u0000', '\ufffd');

/**
 * `attachment` items: the bytes as sent, filed under the envelope's event id, with the item
 * header's `filename`, `content_type` and `attachment_type` (defaults above). Skipped when the
 * envelope names no event.
 */
export const digestAttachment: ItemDigester = async (ctx, item) => {
  if (ctx.eventId === null) return;
  const { headers } = item;
  await insertAttachment(ctx.trx, {
    projectId: ctx.raw.projectId,
    eventId: ctx.eventId,
    name: storable(asString(headers.filename)) || DEFAULT_ATTACHMENT_NAME,
    contentType: storable(asString(headers.content_type)) || DEFAULT_CONTENT_TYPE,
    attachmentType: storable(asString(headers.attachment_type)) || DEFAULT_ATTACHMENT_TYPE,
    // The payload is a view into the whole envelope body: keep a copy of just these bytes.
    data: Buffer.from(item.payload),
    dateCreated: ctx.raw.receivedAt,
  });
};
