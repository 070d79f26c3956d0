import cookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import { settleAfterReply } from './api/after-reply.js';
import { registerHealthRoutes } from './api/health.js';
import type { Identity } from './api/identity.js';
import { registerMetricsEndpoint } from './api/metrics-endpoint.js';
import { registerApiRoutes } from './api/register.js';
import { API_ROUTES } from './api/routes.js';
import { registerUiRoutes } from './api/ui-static.js';
import { type IngestDeps, registerIngestRoutes } from './ingest/ingest-routes.js';
import { AppError, NOT_FOUND } from './lib/app-error.js';
import { newErrorId } from './lib/error-id.js';
import type { ServiceContext } from './services/context.js';
import type { ReadinessChecker } from './services/readiness.js';
import { isDatabaseUnavailable } from './store/unavailable.js';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
  }
  interface FastifyInstance {
    /** `/_health/ready/`'s checker: `stop()` makes the node unready before it closes. */
    readiness: ReadinessChecker;
  }
}

/** Renders an AppError's detail as Sentry does: a string or list under `detail`, or field errors as they are. */
function errorBody(error: AppError): unknown {
  if (typeof error.detail === 'string' || Array.isArray(error.detail)) return { detail: error.detail };
  return error.detail;
}

function fromFastifyError(error: FastifyError, apiMaxBodyBytes: number): AppError | null {
  if (error.validation) {
    const first = error.validation[0];
    const field = first?.instancePath
      ? first.instancePath.slice(1).replace(/\//g, '.')
      : (first?.params as { missingProperty?: string })?.missingProperty;
    const message = first?.message ?? 'is invalid';
    return new AppError(
      'bad_request',
      field
        ? { [field.split('.')[0] as string]: [message], detail: `Invalid request body: ${field} ${message}` }
        : `Invalid request body: ${message}`,
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('too_large', `Request body is larger than the limit of ${apiMaxBodyBytes} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        'unsupported_media_type',
        'Unsupported media type in request; send application/json.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('bad_request', 'Malformed request: the body is not valid JSON.');
    default:
      return null;
  }
}

/**
 * How often Node looks for requests past their timeout (its default, 30 s, would let a trickling
 * client overstay a short ERRATA_HTTP_REQUEST_TIMEOUT_MS by that much): a quarter of the timeout,
 * at most once a second.
 */
function timeoutCheckIntervalMs(requestTimeoutMs: number): number {
  return Math.max(25, Math.min(1000, Math.floor(requestTimeoutMs / 4)));
}

/**
 * Builds the HTTP application: the REST API, the ingest door and the web UI's static files. No port
 * is opened here; tests use `app.inject()`, main.ts calls `listen`.
 */
export async function buildApp(
  ctx: ServiceContext,
  ingest: Omit<IngestDeps, 'ctx'>,
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: ctx.config.logLevel,
      // Credentials never reach a log line, even at trace level.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-sentry-auth"]'],
    },
    // One line per request would cost ingest throughput; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.apiMaxBodyBytes,
    // A client that stalls or trickles its request loses the connection (see the settings).
    connectionTimeout: ctx.config.httpIdleTimeoutMs,
    requestTimeout: ctx.config.httpRequestTimeoutMs,
    http: {
      connectionsCheckingInterval: timeoutCheckIntervalMs(ctx.config.httpRequestTimeoutMs),
      // Node refuses a headers timeout longer than the request timeout.
      headersTimeout: Math.min(60_000, ctx.config.httpRequestTimeoutMs),
    },
    // A path parameter longer than Fastify's default 100 characters (a long release version, a
    // monitor slug past Sentry's limit) reaches its handler, which names what is wrong, not a 404.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    // While the server closes, a request that still arrives on an open connection is served (with
    // `Connection: close`), not refused: the pipeline stays up until the last connection is done.
    return503OnClosing: false,
    // A URL the router cannot decode (a stray `%`, invalid UTF-8) is the client's error: say so in
    // Sentry's shape rather than Fastify's.
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply).code(400).send({ detail: `Malformed URL: ${error.message}` });
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  await app.register(cookie);

  // JSON bodies: an empty body is "no body" (so DELETEs with a JSON content type work); anything else must parse.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('bad_request', 'Malformed request: the body is not valid JSON.'), undefined);
    }
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const known =
      error instanceof AppError ? error : fromFastifyError(error as FastifyError, ctx.config.apiMaxBodyBytes);
    if (known) {
      return reply.code(known.status).headers(known.headers).send(errorBody(known));
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .header('Retry-After', '5')
        .send({ detail: 'The database is unavailable right now; nothing was stored. Try again shortly.' });
    }
    const errorId = newErrorId();
    request.log.error(
      { err: error, errorId, method: request.method, url: request.routeOptions.url },
      'unhandled error',
    );
    return reply.code(500).send({ detail: 'Internal Error', errorId });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: NOT_FOUND }));

  const { metrics } = ingest;
  if (metrics) {
    // By route pattern, never the raw URL: one series per route, whatever the ids in the path.
    app.addHook('onResponse', async (request, reply) => {
      metrics.httpRequests.inc({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      });
    });
    if (ctx.config.metricsToken) registerMetricsEndpoint(app, metrics, ctx.config.metricsToken);
  }
  // Without a token the main port has no metrics: a 404, not the web app a scraper would parse.
  if (!metrics || !ctx.config.metricsToken) app.get('/metrics', (_request, reply) => reply.callNotFound());
  app.decorate('readiness', registerHealthRoutes(app, ctx));
  registerApiRoutes(app, ctx, API_ROUTES);
  // Work started after an answer (a password-reset email) finishes before the database closes.
  app.addHook('onClose', () => settleAfterReply(ctx));
  await registerIngestRoutes(app, { ctx, ...ingest });
  // The web app: static files from dist/ui, everything else under /api/ stays REST.
  registerUiRoutes(app);
  return app;
}
