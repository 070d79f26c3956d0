/**
 * Relay's data category names (ingestion.md §4.5) plus `internal`, which SDKs use for client
 * reports and which is never limited. A rate limit names the categories it applies to.
 */
export const DATA_CATEGORIES = [
  'default',
  'error',
  'transaction',
  'security',
  'attachment',
  'session',
  'profile',
  'replay',
  'monitor',
  'span',
  'feedback',
  'metric_bucket',
  'profile_chunk',
  'replay_video',
  'log_item',
  'log_byte',
  'trace_metric',
  'internal',
] as const;

export type DataCategory = (typeof DATA_CATEGORIES)[number];

// Item type → category, as the JS SDK maps them, with Relay's names where the two differ.
const ITEM_CATEGORIES: Readonly<Record<string, DataCategory>> = {
  event: 'error',
  transaction: 'transaction',
  attachment: 'attachment',
  session: 'session',
  sessions: 'session',
  client_report: 'internal',
  user_report: 'default',
  feedback: 'feedback',
  profile: 'profile',
  profile_chunk: 'profile_chunk',
  replay_event: 'replay',
  replay_recording: 'replay',
  replay_video: 'replay_video',
  check_in: 'monitor',
  raw_security: 'security',
  security: 'security',
  log: 'log_item',
  span: 'span',
  statsd: 'metric_bucket',
  metric_buckets: 'metric_bucket',
  // The JS SDK says `metric`, which is no Relay category; Relay counts these as `trace_metric`.
  trace_metric: 'trace_metric',
};

/** The data category an envelope item type counts against, or undefined for unknown types. */
export function dataCategoryForItemType(itemType: string): DataCategory | undefined {
  return Object.hasOwn(ITEM_CATEGORIES, itemType) ? ITEM_CATEGORIES[itemType] : undefined;
}

export type RateLimitScope = 'organization' | 'project' | 'key';

export interface RateLimit {
  /** Seconds until the client may send again; written rounded up to a whole second. */
  retryAfterSeconds: number;
  /** Empty means every category. */
  categories: readonly DataCategory[];
  scope: RateLimitScope;
  /** Free text such as `quota_exceeded`; SDKs ignore it. No `:`, `,` or `;`. */
  reasonCode?: string;
  /** Only for `metric_bucket` limits. */
  namespaces?: readonly string[];
}

const FIELD = /^[a-z0-9_.-]*$/i;

/**
 * Formats the `X-Sentry-Rate-Limits` header value (ingestion.md §4.3) the way Relay writes it:
 * `<secs>:<cat;cat>:<scope>[:<reason>[:<ns;ns>]]`, limits joined by `", "`.
 * Throws `RangeError` for values that would break the grammar (a server bug, not client input).
 *
 * @example
 * formatRateLimits([{ retryAfterSeconds: 60, categories: ['error', 'default'], scope: 'organization',
 *   reasonCode: 'quota_exceeded' }])  // '60:error;default:organization:quota_exceeded'
 */
export function formatRateLimits(limits: readonly RateLimit[]): string {
  return limits.map(formatRateLimit).join(', ');
}

function formatRateLimit(limit: RateLimit): string {
  if (!Number.isFinite(limit.retryAfterSeconds) || limit.retryAfterSeconds < 0) {
    throw new RangeError(`bad retryAfterSeconds ${limit.retryAfterSeconds}`);
  }
  const fields = [String(Math.ceil(limit.retryAfterSeconds)), limit.categories.join(';'), limit.scope];
  const namespaces = limit.namespaces ?? [];
  for (const text of [limit.reasonCode ?? '', ...namespaces]) {
    if (!FIELD.test(text))
      throw new RangeError(`rate limit field ${JSON.stringify(text)} breaks the header grammar`);
  }
  // Relay writes an empty reason (`::`) when there are namespaces but no reason.
  if (limit.reasonCode !== undefined || namespaces.length > 0) fields.push(limit.reasonCode ?? '');
  if (namespaces.length > 0) fields.push(namespaces.join(';'));
  return fields.join(':');
}

/** The `Retry-After` value that goes with these limits: the longest one, in whole seconds. */
export function retryAfterHeader(limits: readonly RateLimit[]): string {
  return String(Math.max(0, ...limits.map((limit) => Math.ceil(limit.retryAfterSeconds))));
}
