import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { ErrataMetrics } from '../metrics/metrics.js';
import { parseEnvelope, parseEnvelopeHeader } from '../protocol/envelope.js';
import { envelopeUnits, invalidReason, type OutcomeUnit } from '../protocol/outcome.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { formatRateLimits, type RateLimitScope } from '../protocol/rate-limits.js';
import { findRequestAuth, type IngestAuth, resolveEnvelopeAuth } from '../protocol/sentry-auth.js';
import type { ServiceContext } from '../services/context.js';
import type { RawEnvelope, RawWriter } from '../store/region/raw-queue.js';
import type { ProjectKey } from '../store/types.js';
import { acceptEnvelope, acceptStoreBody } from './accept-envelope.js';
import { httpCheckIn } from './http-check-in.js';
import { asIngestError, rejected } from './ingest-error.js';
import type { KeyCache } from './key-cache.js';
import type { RateLimiter } from './rate-limiter.js';
import {
  type BodyLimits,
  decodeBody,
  decodeFirstLine,
  type RequestBody,
  readWireBody,
  type WireBody,
} from './read-body.js';
import { refusalReason } from './refusal-reason.js';
import { RefusalCounter } from './refusals.js';

export interface IngestDeps {
  readonly ctx: ServiceContext;
  readonly keys: KeyCache;
  readonly limiter: RateLimiter;
  readonly writer: RawWriter;
  /** Counts accepted and refused requests; null when the process keeps no metrics (tests). */
  readonly metrics: ErrataMetrics | null;
}

/** The ingest door's parts: its dependencies, and the counter of what it refuses. */
interface Door extends IngestDeps {
  readonly refusals: RefusalCounter;
}

/** What a store body counts as: one event; an HTTP check-in: one check-in. */
const STORE_UNITS: readonly OutcomeUnit[] = [{ category: 'error', quantity: 1 }];
const CHECK_IN_UNITS: readonly OutcomeUnit[] = [{ category: 'monitor', quantity: 1 }];

// Browser SDKs post from any origin and must be able to read the rate-limit headers (ingestion.md §1.4).
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'x-sentry-error, x-sentry-rate-limits, retry-after',
} as const;
const PREFLIGHT = {
  ...CORS,
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers':
    'x-sentry-auth, x-requested-with, x-forwarded-for, origin, referer, accept, content-type, authentication, authorization, content-encoding, transfer-encoding, sentry-trace, baggage',
  'Access-Control-Max-Age': '3600',
} as const;

function projectIdOf(request: FastifyRequest): number {
  const raw = (request.params as { projectId: string }).projectId;
  if (!/^\d{1,15}$/.test(raw)) throw new AppError('bad_request', 'bad project path parameter');
  return Number(raw);
}

function requestAuth(request: FastifyRequest): IngestAuth | undefined {
  const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
  const header = request.headers['x-sentry-auth'];
  return findRequestAuth({
    xSentryAuth: Array.isArray(header) ? header[0] : header,
    authorization: request.headers.authorization,
    query,
  });
}

async function enabledKey(deps: IngestDeps, auth: IngestAuth, projectId: number): Promise<ProjectKey> {
  if (auth.projectId !== undefined && auth.projectId !== String(projectId)) throw rejected('ProjectId');
  const key = await deps.keys.get(auth.publicKey);
  if (!key || key.projectId !== projectId) throw rejected('ProjectId');
  if (!key.isActive) throw rejected('ProjectKey');
  return key;
}

function limited(retryAfterSeconds: number, scope: RateLimitScope, reasonCode: string): AppError {
  return new AppError(
    'rate_limited',
    'Sentry dropped data due to a quota or internal rate limit being reached. This will not affect your application.',
    {
      'Retry-After': String(retryAfterSeconds),
      'X-Sentry-Rate-Limits': formatRateLimits([{ retryAfterSeconds, categories: [], scope, reasonCode }]),
    },
  );
}

/**
 * A key's own rate limit, then the project's quota: 429 with the headers SDKs back off by, the
 * units refused counted as `rate_limited` with the reason code the header gives.
 */
async function checkLimits(deps: Door, key: ProjectKey, units: readonly OutcomeUnit[]): Promise<void> {
  const now = deps.ctx.now();
  const refuse = async (retryAfterSeconds: number, scope: RateLimitScope) => {
    const reasonCode = `${scope}_limit`;
    await deps.refusals.refuse(key, now, units, 'rate_limited', reasonCode);
    return limited(retryAfterSeconds, scope, reasonCode);
  };
  if (key.rateLimit && key.rateLimit.count >= 0) {
    const decision = await deps.limiter.hit(`key:${key.id}`, key.rateLimit.count, key.rateLimit.window, now);
    if (!decision.allowed) throw await refuse(decision.retryAfterSeconds, 'key');
  }
  const quota = deps.ctx.config.projectQuotaPerMinute;
  if (quota > 0) {
    const decision = await deps.limiter.hit(`project:${key.projectId}`, quota, 60, now);
    if (!decision.allowed) throw await refuse(decision.retryAfterSeconds, 'project');
  }
}

/**
 * Runs a check of the payload; when it refuses the payload as broken (400) or too large (413),
 * counts the units as `invalid` first.
 */
async function checkPayload<T>(
  deps: Door,
  key: ProjectKey,
  units: readonly OutcomeUnit[],
  check: () => T | Promise<T>,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    const reason =
      error instanceof ProtocolError
        ? invalidReason(error.code)
        : error instanceof AppError && error.code === 'too_large'
          ? invalidReason('too_large')
          : undefined;
    if (reason !== undefined) await deps.refusals.refuse(key, deps.ctx.now(), units, 'invalid', reason);
    throw error;
  }
}

function bodyLimits(deps: IngestDeps): BodyLimits {
  const config = deps.ctx.config;
  return {
    maxCompressed: config.ingestMaxCompressedBytes,
    maxDecompressed: config.ingestMaxEnvelopeBytes,
    timeoutMs: config.ingestBodyTimeoutMs,
  };
}

async function wireBody(deps: IngestDeps, request: FastifyRequest): Promise<WireBody> {
  const read = await readWireBody(request.raw, request.headers['content-encoding'], bodyLimits(deps));
  if (read.wire.length === 0) throw new AppError('bad_request', 'empty request body');
  return read;
}

/**
 * The longest envelope header line read to find its `dsn` before the body is decompressed: far
 * more than a header (dsn, sdk, sent_at, trace context) needs, far less than a bomb.
 */
const ENVELOPE_HEADER_MAX_BYTES = 64 * 1024;

/**
 * The key of an envelope that names none in the request: its header's `dsn`, found by
 * decompressing that one line only, so that a body sent without a valid key is never inflated.
 */
async function envelopeHeaderKey(deps: IngestDeps, read: WireBody, projectId: number): Promise<ProjectKey> {
  const line = await decodeFirstLine(read, ENVELOPE_HEADER_MAX_BYTES);
  return enabledKey(deps, resolveEnvelopeAuth(undefined, parseEnvelopeHeader(line).dsn), projectId);
}

/** The raw envelope of a request: its body as it came (compressed when it came compressed). */
function rawEnvelope(
  request: FastifyRequest,
  key: ProjectKey,
  fields: Pick<RawEnvelope, 'kind' | 'receivedAt' | 'eventId'>,
  read: RequestBody,
): RawEnvelope {
  return {
    projectId: key.projectId,
    keyId: key.id,
    clientIp: request.ip,
    payload: read.wire,
    encoding: read.encoding,
    ...fields,
  };
}

/** `POST /api/:projectId/envelope/`: check, write the raw envelope durably, answer with the event id. */
async function envelopeHandler(deps: Door, request: FastifyRequest, reply: FastifyReply) {
  const projectId = projectIdOf(request);
  const headerAuth = requestAuth(request);
  // The key, project and sizes are checked before anything is decompressed: a key the request
  // names before a byte of the body is read, one in the envelope's header before the rest of it.
  const requestKey = headerAuth ? await enabledKey(deps, headerAuth, projectId) : undefined;
  const wire = await wireBody(deps, request);
  const key = requestKey ?? (await envelopeHeaderKey(deps, wire, projectId));
  const read = await decodeBody(wire, deps.ctx.config.ingestMaxEnvelopeBytes);
  const envelope = parseEnvelope(read.body);
  // Both credentials, when there are two, must name the same key (and this project).
  const auth = resolveEnvelopeAuth(headerAuth, envelope.headers.dsn);
  if (auth.projectId !== undefined && auth.projectId !== String(projectId)) throw rejected('ProjectId');
  const units = envelopeUnits(envelope.items);
  const { eventId, counted } = await checkPayload(deps, key, units, () =>
    acceptEnvelope(envelope, deps.ctx.config),
  );
  if (counted) await checkLimits(deps, key, units);
  const receivedAt = deps.ctx.now();
  await deps.writer.add(rawEnvelope(request, key, { kind: 'envelope', receivedAt, eventId }, read));
  return reply.send(eventId ? { id: eventId } : {});
}

/** `POST /api/:projectId/store/`: the legacy endpoint, one event JSON document per request. */
async function storeHandler(deps: Door, request: FastifyRequest, reply: FastifyReply) {
  const projectId = projectIdOf(request);
  const auth = requestAuth(request);
  if (!auth) throw new AppError('not_authenticated', 'missing authorization information');
  const key = await enabledKey(deps, auth, projectId);
  const { read, eventId } = await checkPayload(deps, key, STORE_UNITS, async () => {
    const read = await decodeBody(await wireBody(deps, request), deps.ctx.config.ingestMaxEnvelopeBytes);
    return { read, eventId: acceptStoreBody(read.body, deps.ctx.config) };
  });
  await checkLimits(deps, key, STORE_UNITS);
  const receivedAt = deps.ctx.now();
  await deps.writer.add(rawEnvelope(request, key, { kind: 'store', receivedAt, eventId }, read));
  return reply.send({ id: eventId });
}

/** The envelope an HTTP check-in is stored as, so that it takes the envelope check-in's path through digest. */
function checkInEnvelope(checkIn: Record<string, unknown>): Buffer {
  const payload = JSON.stringify(checkIn);
  const header = JSON.stringify({ type: 'check_in', length: Buffer.byteLength(payload) });
  return Buffer.from(`{}\n${header}\n${payload}\n`);
}

/**
 * `GET|POST /api/:projectId/cron/:monitorSlug/:publicKey/` (or the key in the request's auth):
 * Sentry's HTTP check-in, checked as an envelope's check-in and stored as one. 202 and no body,
 * as Relay answers; never 429, as Relay never refuses a check-in for a rate limit.
 */
async function cronHandler(deps: Door, request: FastifyRequest, reply: FastifyReply) {
  const projectId = projectIdOf(request);
  const params = request.params as { monitorSlug: string; publicKey?: string };
  const auth = params.publicKey ? { publicKey: params.publicKey } : requestAuth(request);
  if (!auth) throw new AppError('not_authenticated', 'missing authorization information');
  const key = await enabledKey(deps, auth, projectId);
  const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
  const json = String(request.headers['content-type'] ?? '').startsWith('application/json');
  let body: Buffer | null = null;
  if (request.method === 'POST' && json) {
    const read = await readWireBody(request.raw, request.headers['content-encoding'], bodyLimits(deps));
    body = (await decodeBody(read, deps.ctx.config.ingestMaxEventBytes)).body;
  }
  const checkIn = await checkPayload(deps, key, CHECK_IN_UNITS, () =>
    httpCheckIn(params.monitorSlug, query, body),
  );
  const envelope = checkInEnvelope(checkIn);
  const receivedAt = deps.ctx.now();
  await deps.writer.add(
    rawEnvelope(
      request,
      key,
      { kind: 'envelope', receivedAt, eventId: null },
      { wire: envelope, encoding: null, body: envelope },
    ),
  );
  return reply.code(202).send();
}

/**
 * Registers the ingest door: envelope and store endpoints with CORS for browser SDKs. Bodies are
 * read here as raw streams (any or no Content-Type), never by Fastify's parsers.
 */
export async function registerIngestRoutes(app: FastifyInstance, ingestDeps: IngestDeps): Promise<void> {
  const deps: Door = { ...ingestDeps, refusals: new RefusalCounter(ingestDeps.writer) };
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.addHook('onSend', async (request, reply, payload) => {
      reply.headers(request.method === 'OPTIONS' ? PREFLIGHT : CORS);
      if (reply.statusCode >= 400 && typeof payload === 'string') {
        // Relay repeats the reason in X-Sentry-Error, which SDKs log in debug mode.
        const detail = (JSON.parse(payload) as { detail?: unknown }).detail;
        if (typeof detail === 'string') reply.header('X-Sentry-Error', detail.replace(/[^\x20-\x7e]/g, '?'));
      }
      return payload;
    });
    const wrap =
      (endpoint: 'envelope' | 'store' | 'cron', handler: typeof envelopeHandler) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          const sent = await handler(deps, request, reply);
          deps.metrics?.ingestAccepted.inc({ endpoint });
          return sent;
        } catch (error) {
          const refused = asIngestError(error);
          deps.metrics?.ingestRefused.inc({ endpoint, reason: refusalReason(refused) });
          throw refused;
        }
      };
    for (const url of [
      '/api/:projectId/cron/:monitorSlug/:publicKey/',
      '/api/:projectId/cron/:monitorSlug/',
    ]) {
      scope.route({ method: ['GET', 'POST'], url, handler: wrap('cron', cronHandler) });
    }
    for (const endpoint of ['envelope', 'store'] as const) {
      const url = `/api/:projectId/${endpoint}/`;
      scope.post(url, wrap(endpoint, endpoint === 'envelope' ? envelopeHandler : storeHandler));
      scope.options(url, async (_request, reply) => reply.code(200).send());
    }
  });
}
