import { createHash } from 'node:crypto';
import type { Multipart } from '@fastify/multipart';
import { AppError, badRequest } from '../lib/app-error.js';
import { decode } from '../lib/compression.js';
import { insertChunks, type NewChunk } from '../store/region/upload-chunks.js';
import { orgEndpoint } from './access.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';

// sentry-cli's chunk upload: it asks for the options, then posts chunks (gzip-compressed when
// offered) as multipart parts named after their SHA-1.

/**
 * What the upload accepts, as sentry-cli reads it: `release_files` makes 2.x upload source maps in
 * chunks at all, `artifact_bundles` makes both versions send artifact bundles, `_v2` lets them ask
 * which chunks are missing first, `debug_files` sends `debug-files upload` to its assemble endpoint
 * (which explains that native symbols are not kept).
 */
const ACCEPT = ['release_files', 'artifact_bundles', 'artifact_bundles_v2', 'debug_files'];

const SHA1 = /^[0-9a-f]{40}$/;

/**
 * What gzip and multipart headers may add to a chunk on the wire: sentry-cli fills a request up to
 * `maxRequestSize` counting chunks before compression.
 */
const PART_SLACK = 64 * 1024;

async function uploadOptions(call: ApiCall) {
  const { org } = await orgEndpoint(call, PERMISSIONS.releases);
  const { config } = call.ctx;
  return {
    // Absolute, from the public URL: sentry-cli posts chunks wherever this points.
    url: `${config.url}/api/0/organizations/${org.slug}/chunk-upload/`,
    chunkSize: config.uploadChunkBytes,
    chunksPerRequest: config.uploadChunksPerRequest,
    maxFileSize: config.uploadMaxBundleBytes,
    maxRequestSize: config.uploadMaxRequestBytes,
    concurrency: config.uploadConcurrency,
    hashAlgorithm: 'sha1',
    compression: ['gzip'],
    accept: ACCEPT,
  };
}

/** A multipart failure as Sentry's 4xx: @fastify/multipart's errors carry a status and a code. */
function multipartError(error: unknown, call: ApiCall): AppError | null {
  const code = (error as { code?: unknown } | null)?.code;
  const { config } = call.ctx;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError(
        'too_large',
        `A chunk is larger than the chunk size of ${config.uploadChunkBytes} bytes.`,
      );
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new AppError(
        'too_large',
        `Too many chunks: send at most ${config.uploadChunksPerRequest} per request.`,
      );
    case 'FST_FIELDS_LIMIT':
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
      return badRequest(`Malformed multipart body: ${(error as Error).message}.`);
    default:
      // busboy's own complaints (no boundary, a body cut short) are the client's errors too.
      if (error instanceof Error && /multipart|boundary|unexpected end/i.test(error.message)) {
        return badRequest(`Malformed multipart body: ${error.message}.`);
      }
      return null;
  }
}

async function chunkOf(call: ApiCall, part: Multipart & { type: 'file' }): Promise<NewChunk> {
  const { config } = call.ctx;
  if (part.fieldname !== 'file' && part.fieldname !== 'file_gzip') {
    throw badRequest(
      `Unexpected part "${part.fieldname}": send chunks as parts named "file" or "file_gzip".`,
    );
  }
  const checksum = (part.filename ?? '').toLowerCase();
  if (!SHA1.test(checksum)) throw badRequest(`Chunk name "${part.filename}" is not a SHA-1 checksum.`);
  const sent = await part.toBuffer();
  let data = sent;
  if (part.fieldname === 'file_gzip') {
    try {
      data = await decode('gzip', sent, config.uploadChunkBytes);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new AppError(
          'too_large',
          `Chunk ${checksum} is larger than the chunk size of ${config.uploadChunkBytes} bytes.`,
        );
      }
      throw badRequest(`Chunk ${checksum} is not valid gzip.`);
    }
  }
  const actual = createHash('sha1').update(data).digest('hex');
  if (actual !== checksum) throw badRequest(`Checksum mismatch: chunk ${checksum} has the SHA-1 ${actual}.`);
  return { checksum, data };
}

/** Reads every chunk of the request, checks each one's SHA-1, then stores them all or none. */
async function uploadChunks(call: ApiCall) {
  const { org } = await orgEndpoint(call, PERMISSIONS.releases);
  const { config } = call.ctx;
  if (!call.request.isMultipart()) {
    throw badRequest('Send chunks as multipart/form-data, one part named "file" or "file_gzip" per chunk.');
  }
  const declared = Number(call.request.headers['content-length']);
  if (declared > config.uploadMaxRequestBytes + config.uploadChunksPerRequest * PART_SLACK) {
    throw new AppError(
      'too_large',
      `Request body is larger than the limit of ${config.uploadMaxRequestBytes} bytes.`,
    );
  }
  const chunks: NewChunk[] = [];
  let received = 0;
  try {
    const parts = call.request.parts({
      limits: {
        files: config.uploadChunksPerRequest,
        fileSize: config.uploadChunkBytes + PART_SLACK,
        fields: 100,
        fieldSize: 1024,
        parts: config.uploadChunksPerRequest + 100,
      },
    });
    for await (const part of parts) {
      if (part.type !== 'file') continue;
      const chunk = await chunkOf(call, part);
      received += chunk.data.length;
      if (received > config.uploadMaxRequestBytes) {
        throw new AppError(
          'too_large',
          `The chunks of this request come to more than the limit of ${config.uploadMaxRequestBytes} bytes.`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw multipartError(error, call) ?? error;
  }
  if (chunks.length > 0) {
    await call.ctx.db.region
      .transaction()
      .execute((trx) => insertChunks(trx, org.id, chunks, call.ctx.now()));
  }
  return noContent(call, 200);
}

export const chunkUploadRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/chunk-upload/',
    auth: PERMISSIONS.releases,
    handler: uploadOptions,
  },
  {
    method: 'POST',
    url: '/organizations/:org/chunk-upload/',
    auth: PERMISSIONS.releases,
    multipart: true,
    handler: uploadChunks,
  },
];
