import { ProtocolError } from './protocol-error.js';

/**
 * The parts of a DSN, `{scheme}://{publicKey}[:{secretKey}]@{host}[:{port}]{path}/{projectId}`.
 * All parts are strings, the project id included, as SDKs treat them.
 */
export interface Dsn {
  scheme: 'http' | 'https';
  publicKey: string;
  /** Deprecated by Sentry; parsed so old DSNs still work, never required. */
  secretKey?: string;
  /** Host name as written; an IPv6 literal keeps its brackets. */
  host: string;
  port?: number;
  /** Path before the project id: `''` or like `/sub/path`, never a trailing slash. */
  path: string;
  /** Decimal digits. */
  projectId: string;
}

// Public keys as the JS SDK accepts them (`\w+`); a DSN it would reject is useless to us.
const KEY = /^\w+$/;
const PROJECT_ID = /^\d+$/;

/**
 * Parses a DSN string. Throws a `ProtocolError` with code `invalid_dsn` naming the bad part.
 *
 * @example
 * parseDsn('https://abc@errata.example.com/sub/42')
 * // { scheme: 'https', publicKey: 'abc', host: 'errata.example.com', path: '/sub', projectId: '42' }
 */
export function parseDsn(input: string): Dsn {
  const fail = (why: string): never => {
    throw new ProtocolError('invalid_dsn', `invalid DSN: ${why}`);
  };
  // WHATWG URL parsing forgives `http:key@host/1` and other oddities; insist on the real shape.
  const scheme = /^(https?):\/\//i.exec(input)?.[1]?.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') fail('scheme must be http:// or https://');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail('not a URL');
  }
  if (url.search !== '' || url.hash !== '') fail('unexpected query or fragment');
  if (!KEY.test(url.username)) fail('missing or malformed public key');
  if (url.password !== '' && !KEY.test(url.password)) fail('malformed secret key');
  if (url.hostname === '') fail('missing host');

  const segments = url.pathname.replace(/\/$/, '').split('/');
  const projectId = segments.pop() ?? '';
  if (!PROJECT_ID.test(projectId)) fail('project id must be decimal digits');

  const dsn: Dsn = {
    scheme: scheme as Dsn['scheme'],
    publicKey: url.username,
    host: url.hostname,
    path: segments.join('/'),
    projectId,
  };
  if (url.password !== '') dsn.secretKey = url.password;
  if (url.port !== '') dsn.port = Number(url.port);
  return dsn;
}

/**
 * Writes a DSN back as a string; `formatDsn(parseDsn(s))` gives `s` in canonical form
 * (lowercase scheme and host, no default port, no trailing slash).
 */
export function formatDsn(dsn: Dsn): string {
  const secret = dsn.secretKey === undefined ? '' : `:${dsn.secretKey}`;
  const port = dsn.port === undefined ? '' : `:${dsn.port}`;
  return `${dsn.scheme}://${dsn.publicKey}${secret}@${dsn.host}${port}${dsn.path}/${dsn.projectId}`;
}

/**
 * Builds the DSN a project key is published under, from the server's public base URL.
 *
 * @example
 * buildDsn('https://errata.example.com/sub/', 'abc', '42') // → Dsn for https://abc@errata.example.com/sub/42
 */
export function buildDsn(baseUrl: string, publicKey: string, projectId: string): Dsn {
  const url = new URL(baseUrl);
  const base = `${url.protocol}//${publicKey}@${url.host}${url.pathname.replace(/\/$/, '')}`;
  return parseDsn(`${base}/${projectId}`);
}

/** Where SDKs send envelopes for this DSN: `{scheme}://{host}[:{port}]{path}/api/{projectId}/envelope/`. */
export function envelopeEndpoint(dsn: Dsn): string {
  const port = dsn.port === undefined ? '' : `:${dsn.port}`;
  return `${dsn.scheme}://${dsn.host}${port}${dsn.path}/api/${dsn.projectId}/envelope/`;
}
