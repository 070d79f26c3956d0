import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../services/context.js';
import type { RegionForwarding } from './forward.js';
import type { Identity } from './identity.js';
import type { Method, ScopeMap } from './permissions.js';

/** Everything a handler gets: the request, the caller, and the services' context. */
export interface ApiCall {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly identity: Identity;
  readonly ctx: ServiceContext;
  readonly method: Method;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** Forwarding to other regions; null on a one-region install. */
  readonly regions: RegionForwarding | null;
}

/**
 * One REST endpoint. `auth` says who may call it: anyone (`public`, the caller may still be
 * identified), a signed-in person only (`session`), or a token or person holding one of the
 * scopes listed for the method. The token-level check runs before the handler; the handler checks
 * the caller's access to the objects it loads (api/access.ts).
 */
export interface ApiRoute {
  readonly method: Method;
  /** Path below /api/0, with a trailing slash, e.g. `/organizations/:org/`. */
  readonly url: string;
  readonly auth: 'public' | 'session' | ScopeMap;
  /** JSON Schema of the body, checked before the handler runs. */
  readonly body?: Record<string, unknown>;
  /**
   * The route also takes `multipart/form-data`, which the handler reads as a stream
   * (`request.parts()` of @fastify/multipart) under limits of its own; other routes refuse it (415).
   */
  readonly multipart?: boolean;
  readonly handler: (call: ApiCall) => Promise<unknown>;
}

/** Sends nothing with the given status (204 for deletes and updates that answer nothing). */
export function noContent(call: ApiCall, status = 204): undefined {
  call.reply.code(status);
  return undefined;
}

export function created<T>(call: ApiCall, body: T): T {
  call.reply.code(201);
  return body;
}
