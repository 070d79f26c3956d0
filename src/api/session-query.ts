import { badRequest } from '../lib/app-error.js';
import { parseStatsPeriod, parseTimeWindow } from '../protocol/issue-query.js';
import { queryValues as all, queryValue as one, parsing } from './params.js';

// The parameters of Sentry's sessions endpoint, read and checked: fields, groupBy, the time range
// rounded to the interval, and the release and environment filters its `query` may hold.

export const SESSION_FIELDS = [
  'sum(session)',
  'count_unique(user)',
  'crash_free_rate(session)',
  'crash_free_rate(user)',
  'crash_rate(session)',
  'crash_rate(user)',
] as const;
export type SessionField = (typeof SESSION_FIELDS)[number];

export const SESSION_GROUPS = ['project', 'release', 'environment', 'session.status'] as const;
export type SessionGroup = (typeof SESSION_GROUPS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;
/** Sentry's bounds: at most this many intervals, and this many data points (intervals × groups). */
export const MAX_INTERVALS = 1000;
export const MAX_POINTS = 10_000;
const DEFAULT_PERIOD = '24h';

export interface SessionQuery {
  readonly fields: readonly SessionField[];
  readonly groupBy: readonly SessionGroup[];
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly environments: readonly string[];
  readonly releases: { readonly in?: readonly string[]; readonly notIn?: readonly string[] };
  readonly orderBy?: { readonly field: SessionField; readonly descending: boolean };
  readonly perPage?: number;
  readonly includeTotals: boolean;
  readonly includeSeries: boolean;
  readonly queryText: string;
}

/**
 * The interval (a whole number of hours that divides a day, 1h by default) and the range rounded
 * to it as Sentry rounds: the end up to the next interval boundary, the start back by whole
 * intervals covering the asked range, then an end in the future cut back to the next minute.
 * Sentry's sessions and usage stats (stats_v2) read their range alike.
 */
export function readTimeRange(q: Record<string, unknown>, now: number) {
  const intervalText = one(q.interval) || '1h';
  const interval = parsing(() => parseStatsPeriod(intervalText));
  if (interval > DAY_MS) throw badRequest('The interval has to be less than one day.');
  if (DAY_MS % interval !== 0) throw badRequest('The interval should divide one day without a remainder.');
  if (interval % HOUR_MS !== 0) {
    throw badRequest('The interval has to be a multiple of the minimum interval of one hour.');
  }
  const hasRange = one(q.statsPeriod) || one(q.start) || one(q.end);
  const window = parsing(() =>
    parseTimeWindow(
      hasRange
        ? { statsPeriod: one(q.statsPeriod), start: one(q.start), end: one(q.end) }
        : { statsPeriod: DEFAULT_PERIOD },
      now,
    ),
  ) as { start: number; end: number };
  const span = Math.max(interval, Math.ceil((window.end - window.start) / interval) * interval);
  const roundedEnd = Math.ceil(window.end / interval) * interval;
  const start = roundedEnd - span;
  if (span / interval > MAX_INTERVALS) {
    throw badRequest(
      'Your interval and date range would create too many results. Use a larger interval, or a smaller date range.',
    );
  }
  const end = roundedEnd > now ? (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS : roundedEnd;
  return { start, end, interval };
}

/** Whitespace-separated `key:value` terms outside quotes; `key:[a,b]` lists values. */
function terms(text: string): { key: string; negated: boolean; values: string[] }[] {
  const out: { key: string; negated: boolean; values: string[] }[] = [];
  const pattern = /(!?)([\w.]+):(\[[^\]]*\]|"(?:[^"\\]|\\.)*"|\S+)|(\S+)/g;
  for (const m of text.matchAll(pattern)) {
    if (m[4] !== undefined) {
      if (m[4] === 'AND') continue;
      throw badRequest(`Invalid query: free text and OR are not supported here ("${m[4]}").`);
    }
    const raw = m[3] as string;
    const unquote = (v: string) => (v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);
    const values = raw.startsWith('[')
      ? raw
          .slice(1, -1)
          .split(',')
          .map((v) => unquote(v.trim()))
          .filter((v) => v !== '')
      : [unquote(raw)];
    out.push({ key: m[2] as string, negated: m[1] === '!', values });
  }
  return out;
}

/** `release:` and `environment:` (negatable, with lists) narrow the query; any other key is refused. */
function filters(text: string, environments: string[]) {
  const releases: { in?: string[]; notIn?: string[] } = {};
  const notEnvironments: string[] = [];
  for (const term of terms(text)) {
    if (term.key === 'release') {
      if (term.negated) releases.notIn = [...(releases.notIn ?? []), ...term.values];
      else releases.in = releases.in ? releases.in.filter((r) => term.values.includes(r)) : term.values;
    } else if (term.key === 'environment') {
      if (term.negated) notEnvironments.push(...term.values);
      else environments.push(...term.values);
    } else {
      throw badRequest(`Invalid query field: "${term.key}". Use release: or environment:.`);
    }
  }
  return { releases, notEnvironments };
}

/** Reads and checks a sessions request; a bad parameter is a 400 naming it, as in Sentry. */
export function readSessionQuery(query: Record<string, unknown>, now: number): SessionQuery {
  const fields = all(query.field);
  if (fields.length === 0) throw badRequest('Request is missing a "field"');
  for (const field of fields) {
    if (!(SESSION_FIELDS as readonly string[]).includes(field)) throw badRequest(`Invalid field: "${field}"`);
  }
  const groupBy = all(query.groupBy);
  for (const group of groupBy) {
    if (!(SESSION_GROUPS as readonly string[]).includes(group))
      throw badRequest(`Invalid groupBy: "${group}"`);
  }
  const range = readTimeRange(query, now);
  const environments = all(query.environment).filter((e) => e !== '');
  const queryText = one(query.query) ?? '';
  const { releases, notEnvironments } = filters(queryText, environments);
  if (notEnvironments.length > 0) throw badRequest('Invalid query: !environment: is not supported.');

  let orderBy: SessionQuery['orderBy'];
  const orderText = one(query.orderBy);
  if (orderText) {
    const field = orderText.replace(/^-/, '');
    if (!fields.includes(field)) throw badRequest("'orderBy' must be one of the provided 'fields'");
    if (groupBy.includes('session.status')) {
      throw badRequest("Cannot use 'orderBy' when grouping by sessions.status");
    }
    orderBy = { field: field as SessionField, descending: orderText.startsWith('-') };
  }
  const perPageText = one(query.per_page);
  if (perPageText !== undefined && !/^[1-9]\d{0,3}$/.test(perPageText)) {
    throw badRequest('per_page must be a whole number from 1 to 9999.');
  }
  const flag = (name: string) => {
    const text = one(query[name]);
    if (text === undefined || text === '1') return true;
    if (text === '0') return false;
    throw badRequest(`${name} must be 0 or 1.`);
  };
  return {
    fields: [...new Set(fields)] as SessionField[],
    groupBy: [...new Set(groupBy)] as SessionGroup[],
    ...range,
    environments: [...new Set(environments)],
    releases,
    ...(orderBy ? { orderBy } : {}),
    ...(perPageText ? { perPage: Number(perPageText) } : {}),
    includeTotals: flag('includeTotals'),
    includeSeries: flag('includeSeries'),
    queryText,
  };
}
