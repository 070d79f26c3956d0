import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import type { PageRequest } from '../store/types.js';

export const MAX_PER_PAGE = 100;

function first(value: unknown): string | undefined {
  return Array.isArray(value) ? (value[0] as string | undefined) : (value as string | undefined);
}

/**
 * Reads `per_page` and `cursor` (Sentry's `value:offset:is_prev`; Errata's lists are offset-based,
 * so value is always 0). Bad values get Sentry's 400 bodies.
 */
export function parsePage(query: Record<string, unknown>, defaultPerPage = MAX_PER_PAGE): PageRequest {
  const perPageText = first(query.per_page);
  let limit = defaultPerPage;
  if (perPageText !== undefined && perPageText !== '') {
    if (!/^\d+$/.test(perPageText)) throw badRequest('Invalid per_page parameter.');
    limit = Number(perPageText);
    if (limit > MAX_PER_PAGE) throw badRequest(`Invalid per_page value. Cannot exceed ${MAX_PER_PAGE}.`);
    if (limit < 1) throw badRequest('Invalid per_page parameter.');
  }
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
  const previous = `0:${Math.max(page.offset - page.limit, 0)}:1`;
  const next = `0:${page.offset + page.limit}:0`;
  reply.header(
    'Link',
    `<${pageUrl(baseUrl, request, previous)}>; rel="previous"; results="${page.offset > 0}"; cursor="${previous}", ` +
      `<${pageUrl(baseUrl, request, next)}>; rel="next"; results="${hasNext}"; cursor="${next}"`,
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
