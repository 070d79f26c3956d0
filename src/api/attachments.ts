import { createHash } from 'node:crypto';
import { notFound } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import { type Attachment, findAttachmentById, findAttachmentsByEvent } from '../store/region/attachments.js';
import { eventExists } from '../store/region/events.js';
import { projectEndpoint } from './access.js';
import { eventIdParam } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { isoDate } from './serializers/dates.js';

function serializeAttachment(a: Attachment) {
  return {
    id: String(a.id),
    event_id: a.eventId,
    type: a.attachmentType,
    name: a.name,
    mimetype: a.contentType,
    dateCreated: isoDate(a.dateCreated),
    size: a.size,
    headers: { 'Content-Type': a.contentType },
    sha1: createHash('sha1').update(a.data).digest('hex'),
  };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `attachment; filename="…"; filename*=UTF-8''…` for a name as the SDK sent it: a header may carry
 * only printable ASCII, so `filename` gets an ASCII stand-in (anything else, and the quote and
 * backslash it would have to escape, become `_`) and `filename*` the exact name, percent-encoded
 * UTF-8 (RFC 5987; lone surrogates become U+FFFD first, as they are stored).
 */
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/gu, '_');
  const exact = encodeURIComponent(name.replace(LONE_SURROGATE, '\ufffd')).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** `GET /projects/:org/:project/events/:event/attachments/`: the files sent with an event. */
async function listAttachments(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectEvents);
  const eventId = eventIdParam(call);
  if (!(await eventExists(call.ctx.db.region, access.project.id, eventId))) throw notFound();
  const attachments = await findAttachmentsByEvent(call.ctx.db.region, access.project.id, eventId);
  return attachments.map(serializeAttachment);
}

/** One attachment's metadata, or its bytes with `?download=1`. */
async function getAttachment(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectEvents);
  const id = parseId(call.params.attachment as string);
  const attachment =
    id === null
      ? undefined
      : await findAttachmentById(call.ctx.db.region, access.project.id, eventIdParam(call), id);
  if (!attachment) throw notFound();
  const download = call.query.download;
  if (download === undefined || download === '0' || download === 'false')
    return serializeAttachment(attachment);
  call.reply
    .header('Content-Type', 'application/octet-stream')
    .header('Content-Disposition', contentDisposition(attachment.name))
    .header('X-Content-Type-Options', 'nosniff');
  return call.reply.send(Buffer.from(attachment.data));
}

export const attachmentRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/projects/:org/:project/events/:event/attachments/',
    auth: PERMISSIONS.projectEvents,
    handler: listAttachments,
  },
  {
    method: 'GET',
    url: '/projects/:org/:project/events/:event/attachments/:attachment/',
    auth: PERMISSIONS.projectEvents,
    handler: getAttachment,
  },
];
