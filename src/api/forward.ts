import type { IncomingHttpHeaders } from 'node:http';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { RegionConfig } from '../config/config.js';
import { type AppError, badRequest } from '../lib/app-error.js';
import type { ServiceContext } from '../services/context.js';
import { OrgRegionCache } from './org-region-cache.js';

// One base URL for every region, as Sentry's control silo does it: a request for an organization
// that lives in another region is passed to that region's nodes as it came, and their answer back
// as it comes, both streamed. The other region authenticates the caller itself (tokens and
// sessions are in the control database every region shares), so nothing is checked here first.

/**
 * Marks a request that one node forwarded to another; its value is the sender's region. A node
 * never forwards a request that carries it, so a request makes at most one hop even while two
 * nodes disagree about where an organization lives (a cache not yet expired).
 *
 * A client may send it too. That only keeps its request on the node it called, which still
 * authenticates it and answers from its own region (404 for an organization that lives
 * elsewhere): it skips no check and reaches no data, so it needs no secret.
 */
export const FORWARDED_FROM = 'x-errata-forwarded-from';

/**
 * Headers that describe one connection, never the next one (RFC 9110 7.6.1, and those RFC 2616
 * listed), and `expect`: this node has already answered `100-continue` itself. undici refuses
 * `keep-alive`, `upgrade`, `transfer-encoding` and `expect` in a request outright.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'expect',
]);

/** The headers without the hop-by-hop ones, including those the Connection header names. */
function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = typeof headers.connection === 'string' ? headers.connection.toLowerCase().split(',') : [];
  const listed = new Set(named.map((name) => name.trim()));
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && !listed.has(name)) kept[name] = value;
  }
  return kept;
}

const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the client sends a body with the request (a length above zero, or chunks). */
function sendsBody(request: FastifyRequest): boolean {
  if (NO_BODY.has(request.method)) return false;
  const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
  return chunked !== undefined || (length !== undefined && length !== '0');
}

/** The answer of another region as reply-from hands it over. */
interface Answer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly stream: NodeJS.ReadableStream;
}

interface Attempt {
  /** The body to send instead of the request's own stream: a parsed JSON body, or null for none. */
  readonly body?: unknown;
  /** Takes the answer instead of passing it on as it is. */
  readonly onAnswer?: (answer: Answer) => void;
  readonly onUnreachable: () => void;
}

export interface RegionForwarding {
  /**
   * The first onRequest hook of a route with `:org`: forwards the request, before anything reads
   * its body, when the organization lives in another region. Callback style, so that by never
   * calling `done` it ends the local lifecycle: no authentication, no body parsing, no handler.
   */
  forwardOrg(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  /**
   * For the `/issues/:issue/` routes, which name no organization, once the local handler found no
   * such issue: asks the other regions in turn and answers the first answer that is not a 404;
   * throws `notFound` again when none had it, or answers 503 when a region that might have it was
   * unreachable.
   */
  askOtherRegions(request: FastifyRequest, reply: FastifyReply, notFound: AppError): FastifyReply;
  /**
   * Sends a request this node has read (its body parsed) to the named region's nodes and passes
   * their answer back: for what names its region in the body (a new organization's `region`).
   */
  forwardTo(request: FastifyRequest, reply: FastifyReply, region: string): FastifyReply;
}

/**
 * Sets up forwarding on the app when the deployment has several regions; null with one region,
 * where nothing is ever forwarded and no request pays for a lookup.
 */
export function regionForwarding(app: FastifyInstance, ctx: ServiceContext): RegionForwarding | null {
  const { config } = ctx;
  if (config.regions.length < 2) return null;
  app.register(replyFrom, {
    disableRequestLogging: true,
    // The agent's sockets close with the app.
    destroyAgent: true,
    undici: {
      // reply-from turns certificate checks off unless told otherwise; a forwarded request carries
      // the caller's token and cookie, so the other region must prove who it is.
      connect: { timeout: config.regionConnectTimeoutMs, rejectUnauthorized: true },
      headersTimeout: config.regionRequestTimeoutMs,
      bodyTimeout: config.regionRequestTimeoutMs,
    },
  });
  const orgs = new OrgRegionCache(ctx.db.control, config.authCacheSeconds * 1000, ctx.now);
  const regions = new Map(config.regions.map((r) => [r.name, r]));
  const others = config.regions.filter((r) => r.name !== config.region);

  const unavailable = (request: FastifyRequest, reply: FastifyReply, names: readonly string[]) => {
    // A body the other region did not read is still on the connection: close it rather than
    // read the rest as the next request.
    if (!request.raw.complete) reply.header('connection', 'close');
    reply
      .code(503)
      .header('retry-after', '5')
      .send({
        detail:
          names.length === 1
            ? `The ${names[0]} region is unavailable right now; try again shortly.`
            : `The ${names.join(' and ')} regions are unavailable right now; try again shortly.`,
      });
  };

  const send = (request: FastifyRequest, reply: FastifyReply, region: RegionConfig, attempt: Attempt) => {
    // The path only: reply-from appends the query from the raw URL, as the client wrote it.
    const path = (request.raw.url ?? '/').split('?')[0] as string;
    const onAnswer = attempt.onAnswer;
    try {
      reply.from(`${region.url}${path}`, {
        ...(attempt.body === undefined ? {} : { body: attempt.body }),
        // Forwarded as they are, answers included: a retry would send a POST twice, and a 503 is
        // the caller's to retry.
        retryDelay: () => null,
        rewriteRequestHeaders: (_request, headers) => ({
          ...endToEnd(headers as IncomingHttpHeaders),
          [FORWARDED_FROM]: config.region,
        }),
        rewriteHeaders: (headers) => endToEnd(headers as IncomingHttpHeaders),
        onError: () => attempt.onUnreachable(),
        ...(onAnswer ? { onResponse: (_request, _reply, res) => onAnswer(res as unknown as Answer) } : {}),
      });
    } catch (error) {
      // reply-from refuses, before sending anything, a path with `..` in it (which the router took
      // for a parameter's value).
      reply.send(badRequest(`Malformed URL: ${(error as Error).message}.`));
    }
  };

  return {
    forwardOrg(request, reply, done) {
      if (request.headers[FORWARDED_FROM] !== undefined) return done();
      const org = (request.params as Record<string, string | undefined>).org ?? '';
      orgs.regionOf(org).then(
        (name) => {
          if (name === undefined || name === config.region) return done();
          const region = regions.get(name);
          if (!region) {
            request.log.error({ region: name }, 'an organization lives in a region this node does not list');
            return unavailable(request, reply, [name]);
          }
          // reply-from streams a body it finds as a stream; nothing here has read it. (undici
          // detaches the socket from a request body it fails to send, so the 503 still goes out.)
          if (sendsBody(request)) request.body = request.raw;
          send(request, reply, region, { onUnreachable: () => unavailable(request, reply, [name]) });
        },
        (error: Error) => done(error),
      );
    },

    forwardTo(request, reply, name) {
      const region = regions.get(name);
      if (!region || request.headers[FORWARDED_FROM] !== undefined) {
        // Sent here by another node, or a region this node does not list: nowhere to go.
        unavailable(request, reply, [name]);
        return reply;
      }
      const body = NO_BODY.has(request.method) ? undefined : (request.body ?? null);
      send(request, reply, region, { body, onUnreachable: () => unavailable(request, reply, [name]) });
      return reply;
    },

    askOtherRegions(request, reply, notFound) {
      if (request.headers[FORWARDED_FROM] !== undefined || others.length === 0) throw notFound;
      // The body was parsed by now: sent again as JSON (null: none).
      const body = NO_BODY.has(request.method) ? undefined : (request.body ?? null);
      const unreachable: string[] = [];
      const ask = (index: number) => {
        const region = others[index];
        if (!region) {
          if (unreachable.length > 0) unavailable(request, reply, unreachable);
          else reply.send(notFound);
          return;
        }
        send(request, reply, region, {
          body,
          onUnreachable: () => {
            unreachable.push(region.name);
            ask(index + 1);
          },
          onAnswer: (answer) => {
            if (answer.statusCode !== 404) {
              reply.send(answer.stream);
              return;
            }
            // Not there either: forget what reply-from copied of this answer and ask the next.
            for (const name of Object.keys(answer.headers)) reply.removeHeader(name);
            answer.stream.resume();
            ask(index + 1);
          },
        });
      };
      ask(0);
      return reply;
    },
  };
}
