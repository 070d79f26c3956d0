import { parseDsn } from './dsn.js';
import { compact } from './json-read.js';
import { ProtocolError } from './protocol-error.js';

/** The newest `sentry_version` we speak; a client asking for more is refused. */
export const SENTRY_PROTOCOL_VERSION = 7;

/** Who an ingest request says it is, from whichever place it put its credentials. */
export interface IngestAuth {
  publicKey: string;
  /** `sentry_version`; absent means the latest. */
  version?: number;
  /** `sentry_client`, usually `name/version`, e.g. `sentry.python/1.9.10`. */
  client?: string;
  /** Set when the credentials came as a full DSN (the envelope `dsn` header): check it against the URL's. */
  projectId?: string;
}

/** The request parts that may carry credentials, as the HTTP layer found them. */
export interface AuthSources {
  xSentryAuth?: string | undefined;
  authorization?: string | undefined;
  query?: URLSearchParams | undefined;
}

const SENTRY_PREFIX = /^sentry\s/i;
const BASIC_PREFIX = /^basic\s+/i;

function invalid(where: string, why: string): never {
  throw new ProtocolError('invalid_auth', `invalid ${where}: ${why}`);
}

function toAuth(where: string, fields: Map<string, string>): IngestAuth {
  const publicKey = fields.get('sentry_key');
  if (!publicKey) invalid(where, 'missing sentry_key');
  const auth: IngestAuth = { publicKey };
  const version = fields.get('sentry_version');
  if (version !== undefined && version !== '') {
    if (!/^\d+$/.test(version)) invalid(where, `bad sentry_version ${JSON.stringify(version)}`);
    auth.version = Number(version);
    if (auth.version > SENTRY_PROTOCOL_VERSION) {
      throw new ProtocolError('unsupported_protocol_version', `unsupported protocol version ${version}`);
    }
  }
  const client = fields.get('sentry_client');
  if (client) auth.client = client;
  return auth;
}

/**
 * Parses the `Sentry k=v, k=v` grammar of `X-Sentry-Auth` and `Authorization: Sentry …`.
 * Pairs are trimmed; `sentry_secret` and `sentry_timestamp` are read past and ignored.
 *
 * @example
 * parseSentryAuthHeader('Sentry sentry_key=abc, sentry_version=7') // { publicKey: 'abc', version: 7 }
 */
export function parseSentryAuthHeader(value: string): IngestAuth {
  return parseSentryGrammar(value, 'X-Sentry-Auth header');
}

function parseSentryGrammar(value: string, where: string): IngestAuth {
  if (!SENTRY_PREFIX.test(value)) invalid(where, 'must start with "Sentry "');
  const fields = new Map<string, string>();
  for (const pair of value.slice(7).split(',')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    fields.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return toAuth(where, fields);
}

/**
 * Reads `sentry_key`, `sentry_version` and `sentry_client` from the query string, as the JS SDK
 * sends them. Returns undefined when no `sentry_` parameter is present at all.
 */
export function parseAuthQuery(query: URLSearchParams): IngestAuth | undefined {
  const fields = new Map<string, string>();
  for (const [key, value] of query) {
    if (key.startsWith('sentry_') && !fields.has(key)) fields.set(key, value);
  }
  return fields.size === 0 ? undefined : toAuth('query string auth', fields);
}

function parseAuthorization(value: string): IngestAuth | undefined {
  if (SENTRY_PREFIX.test(value)) return parseSentryGrammar(value, 'Authorization header');
  if (!BASIC_PREFIX.test(value)) return undefined;
  // Basic auth carries `public_key:` (empty password); only the user part matters.
  const decoded = Buffer.from(value.replace(BASIC_PREFIX, ''), 'base64').toString('utf8');
  const publicKey = decoded.split(':', 1)[0];
  if (!publicKey) invalid('Authorization header', 'empty Basic user');
  return { publicKey };
}

function merge(found: IngestAuth[]): IngestAuth | undefined {
  const [first, ...rest] = found;
  if (first === undefined) return undefined;
  const merged = { ...first };
  for (const other of rest) {
    // Relay refuses any second credential; we accept duplicates that agree (ingestion.md §1.3).
    if (other.publicKey !== merged.publicKey) {
      throw new ProtocolError('conflicting_auth', 'multiple authorization payloads detected');
    }
    merged.version ??= other.version;
    merged.client ??= other.client;
    merged.projectId ??= other.projectId;
  }
  return compact(merged);
}

/**
 * Finds the credentials of an ingest request in `X-Sentry-Auth`, then `Authorization`
 * (`Sentry …` or `Basic`), then the query string. Several sources must name the same key
 * (`conflicting_auth` otherwise); a malformed one is `invalid_auth`. Returns undefined when the
 * request carries none, since an envelope may still authenticate itself with its `dsn` header.
 */
export function findRequestAuth(sources: AuthSources): IngestAuth | undefined {
  const found: IngestAuth[] = [];
  if (sources.xSentryAuth !== undefined) found.push(parseSentryAuthHeader(sources.xSentryAuth));
  const fromAuthorization =
    sources.authorization === undefined ? undefined : parseAuthorization(sources.authorization);
  if (fromAuthorization) found.push(fromAuthorization);
  const fromQuery = sources.query && parseAuthQuery(sources.query);
  if (fromQuery) found.push(fromQuery);
  return merge(found);
}

/**
 * The credentials in an envelope's `dsn` header (public key and project id), or undefined when the
 * header is absent. A `dsn` that is present but not a valid DSN is `invalid_auth`.
 */
export function authFromEnvelopeDsn(dsn: unknown): IngestAuth | undefined {
  if (dsn === undefined || dsn === null) return undefined;
  if (typeof dsn !== 'string') invalid('envelope dsn header', 'not a string');
  try {
    const { publicKey, projectId } = parseDsn(dsn);
    return { publicKey, projectId };
  } catch (err) {
    return invalid('envelope dsn header', (err as Error).message);
  }
}

/**
 * Final credentials of an envelope request: the request's own, checked against the envelope's
 * `dsn` header when both exist (`conflicting_auth` if the keys differ). Throws `missing_auth`
 * when neither exists.
 */
export function resolveEnvelopeAuth(requestAuth: IngestAuth | undefined, envelopeDsn: unknown): IngestAuth {
  const fromDsn = authFromEnvelopeDsn(envelopeDsn);
  const auth = merge([requestAuth, fromDsn].filter((found) => found !== undefined));
  if (auth === undefined) throw new ProtocolError('missing_auth', 'missing authorization information');
  return auth;
}

/** Credentials of a request that has no envelope header to fall back on (`/store/`). */
export function requireRequestAuth(sources: AuthSources): IngestAuth {
  const auth = findRequestAuth(sources);
  if (auth === undefined) throw new ProtocolError('missing_auth', 'missing authorization information');
  return auth;
}
