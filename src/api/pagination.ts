import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import type { PageRequest } from '../store/types.js';

export const MAX_PER_PAGE = 100;

function first(value: unknown): string | undefined {
  return Array.isArray(value) ? (value[0] as string | undefined) : (value as string | undefined);
}

/** Reads `per_page` with Sentry's 400s: not a whole number, or above 100. */
export function parsePerPage(query: Record<string, unknown>, defaultPerPage = MAX_PER_PAGE): number {
  const perPageText = first(query.per_page);
  if (perPageText === undefined || perPageText === '') return defaultPerPage;
  if (!/^\d+$/.test(perPageText)) throw badRequest('Invalid per_page parameter.');
  const limit = Number(perPageText);
  if (limit > MAX_PER_PAGE) throw badRequest(`Invalid per_page value. Cannot exceed ${MAX_PER_PAGE}.`);
  if (limit < 1) throw badRequest('Invalid per_page parameter.');
  return limit;
}

/**
 * Reads `per_page` and `cursor` (Sentry's `value:offset:is_prev`; Errata's lists are offset-based,
 * so value is always 0). Bad values get Sentry's 400 bodies.
 */
export function parsePage(query: Record<string, unknown>, defaultPerPage = MAX_PER_PAGE): PageRequest {
  const limit = parsePerPage(query, defaultPerPage);
  const cursor = first(query.cursor);
  if (cursor === undefined || cursor === '') return { limit, offset: 0 };
  const parts = cursor.split(':');
  const offset = parseId(parts[1] ?? '');
  // An offset past any safe integer would reach the database as a float and fail there (a 500).
  if (parts.length !== 3 || !parts.every((p) => /^-?\d+(\.\d+)?$/.test(p)) || offset === null) {
    throw badRequest('Invalid cursor parameter.');
  }
  return { limit, offset };
}

function pageUrl(baseUrl: string, request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, 'http://x');
  url.searchParams.delete('cursor');
  const query = url.searchParams.toString();
  return `${baseUrl}${url.pathname}?${query}&cursor=${cursor}`;
}

/**
 * Sets Sentry's `Link` header: both a `previous` and a `next` link, each saying whether it has
 * results, so that clients (sentry-cli included) follow `next` until `results="false"`.
 */
export function setLinkHeader(
  reply: FastifyReply,
  request: FastifyRequest,
  baseUrl: string,
  page: PageRequest,
  hasNext: boolean,
): void {
  setCursorLinks(reply, request, baseUrl, {
    previous: `0:${Math.max(page.offset - page.limit, 0)}:1`,
    hasPrevious: page.offset > 0,
    next: `0:${page.offset + page.limit}:0`,
    hasNext,
  });
}

/** The same header for lists that make their own cursors (keyset pagination of issues). */
export function setCursorLinks(
  reply: FastifyReply,
  request: FastifyRequest,
  baseUrl: string,
  links: { previous: string; hasPrevious: boolean; next: string; hasNext: boolean },
): void {
  reply.header(
    'Link',
    `<${pageUrl(baseUrl, request, links.previous)}>; rel="previous"; results="${links.hasPrevious}"; cursor="${links.previous}", ` +
      `<${pageUrl(baseUrl, request, links.next)}>; rel="next"; results="${links.hasNext}"; cursor="${links.next}"`,
  );
}

/** Fetches one page (asking for one row more to learn whether a next page exists) and sets the Link header. */
export async function paginate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  baseUrl: string,
  fetch: (page: PageRequest) => Promise<T[]>,
): Promise<T[]> {
  const page = parsePage(request.query as Record<string, unknown>);
  const rows = await fetch({ limit: page.limit + 1, offset: page.offset });
  const hasNext = rows.length > page.limit;
  setLinkHeader(reply, request, baseUrl, page, hasNext);
  return hasNext ? rows.slice(0, page.limit) : rows;
}
