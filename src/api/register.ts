import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { ServiceContext } from '../services/context.js';
import { NO_PERMISSION } from './access.js';
import { authenticate, CHALLENGE, CSRF_HEADER } from './authenticate.js';
import { type RegionForwarding, regionForwarding } from './forward.js';
import type { Identity } from './identity.js';
import type { Method } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Applies a route's `auth` rule to an established identity; throws Sentry's 401/403. */
export function checkRouteAuth(
  route: ApiRoute,
  method: Method,
  identity: Identity,
  csrfHeader: unknown,
): void {
  if (route.auth === 'public') return;
  if (identity.kind === 'anonymous') {
    throw new AppError('not_authenticated', 'Authentication credentials were not provided.', CHALLENGE);
  }
  if (identity.kind === 'session' && !SAFE.has(method) && csrfHeader !== identity.session.csrfToken) {
    throw new AppError('forbidden', 'CSRF Failed: CSRF token missing or incorrect.');
  }
  if (route.auth === 'session') {
    // Tokens are not credentials here at all, as with Sentry's session-only endpoints.
    if (identity.kind !== 'session')
      throw new AppError('forbidden', 'Authentication credentials were not provided.');
    return;
  }
  if (identity.kind === 'user-token' || identity.kind === 'org-token') {
    const allowed = route.auth[method] ?? [];
    if (!allowed.some((scope) => identity.scopes.has(scope))) {
      // RFC 6750: say which scopes would have been enough (Sentry does since mid-2026).
      throw new AppError('forbidden', NO_PERMISSION, {
        'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${allowed.join(' ')}"`,
      });
    }
  }
}

/**
 * Refuses U+0000 in path parameters and query values: no id, slug, key or search holds it, and
 * PostgreSQL refuses it in any text it is handed, which would surface as a 500.
 */
function refuseNul(params: unknown, query: unknown): void {
  for (const [where, values] of [
    ['path', params],
    ['query', query],
  ] as const) {
    for (const value of Object.values((values ?? {}) as Record<string, unknown>)) {
      if ([value].flat().some((v) => typeof v === 'string' && v.includes('\u0000')))
        throw new AppError('bad_request', `The request ${where} must not contain NUL (U+0000) characters.`);
    }
  }
}

/**
 * Registers the REST routes under /api/0 with authentication, the token scope gate and body
 * validation. Routes that take multipart bodies live in a scope of their own, so that the
 * multipart parser serves them only. With several regions, requests for another region's
 * organization are forwarded there first (api/forward.ts).
 */
export function registerApiRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  routes: readonly ApiRoute[],
): void {
  const regions = regionForwarding(app, ctx);
  addRoutes(
    app,
    ctx,
    routes.filter((r) => !r.multipart),
    regions,
  );
  const multipartRoutes = routes.filter((r) => r.multipart);
  if (multipartRoutes.length > 0) {
    app.register(async (scope) => {
      await scope.register(multipart);
      addRoutes(scope, ctx, multipartRoutes, regions);
    });
  }
}

function addRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  routes: readonly ApiRoute[],
  regions: RegionForwarding | null,
): void {
  for (const route of routes) {
    // Authentication runs before the body is parsed, so a bad credential is a 401 even with a bad body.
    const authenticated = async (request: FastifyRequest) => {
      const identity = await authenticate(ctx, request);
      checkRouteAuth(route, route.method, identity, request.headers[CSRF_HEADER]);
      request.identity = identity;
    };
    const byOrg = regions !== null && /:org(\/|$)/.test(route.url);
    // These name an issue by id alone, and each region numbers its issues itself: one not found
    // here may be another region's.
    const byIssueId = regions !== null && route.url.startsWith('/issues/:issue/');
    app.route({
      method: route.method,
      url: `/api/0${route.url}`,
      ...(route.body ? { schema: { body: route.body } } : {}),
      onRequest: byOrg ? [regions.forwardOrg, authenticated] : authenticated,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        refuseNul(request.params, request.query);
        const call: ApiCall = {
          request,
          reply,
          identity: request.identity as Identity,
          ctx,
          method: route.method,
          params: request.params as Record<string, string>,
          query: request.query as Record<string, string | string[] | undefined>,
          body: request.body,
          regions,
        };
        let result: unknown;
        try {
          result = await route.handler(call);
        } catch (error) {
          if (byIssueId && error instanceof AppError && error.code === 'not_found')
            return regions.askOtherRegions(request, reply, error);
          throw error;
        }
        if (result === undefined) return reply.send();
        return result;
      },
    });
  }
}
