import { describe, expect, it } from 'vitest';
import {
  type AuthSources,
  authFromEnvelopeDsn,
  findRequestAuth,
  parseAuthQuery,
  parseSentryAuthHeader,
  requireRequestAuth,
  resolveEnvelopeAuth,
} from './sentry-auth.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('parseSentryAuthHeader', () => {
  it.each([
    [
      'Sentry sentry_key=abc, sentry_version=7, sentry_client=sentry.python/1.9.10',
      { publicKey: 'abc', version: 7, client: 'sentry.python/1.9.10' },
    ],
    [
      // sentry-cli 3.8.0, verbatim shape
      'Sentry sentry_key=abc, sentry_version=7, sentry_timestamp=1795882178.25, sentry_client=sentry-cli/x86_64',
      { publicKey: 'abc', version: 7, client: 'sentry-cli/x86_64' },
    ],
    ['sentry sentry_key=abc,sentry_secret=s', { publicKey: 'abc' }],
    ['SENTRY   sentry_version=5 ,  sentry_key = abc ', { publicKey: 'abc', version: 5 }],
  ])('parses %s', (header, expected) => {
    expect(parseSentryAuthHeader(header)).toEqual(expected);
  });

  it.each([
    ['Bearer abc', 'invalid_auth', 'must start with "Sentry "'],
    ['Sentry sentry_version=7', 'invalid_auth', 'missing sentry_key'],
    ['Sentry sentry_key=, sentry_version=7', 'invalid_auth', 'missing sentry_key'],
    ['Sentry sentry_key=abc, sentry_version=seven', 'invalid_auth', 'bad sentry_version'],
    [
      'Sentry sentry_key=abc, sentry_version=8',
      'unsupported_protocol_version',
      'unsupported protocol version 8',
    ],
  ])('rejects %s', (header, code, message) => {
    expect(() => parseSentryAuthHeader(header)).toThrow(
      expect.objectContaining({ code, message: expect.stringContaining(message) }),
    );
  });
});

describe('parseAuthQuery', () => {
  it.each([
    [
      'sentry_version=7&sentry_key=abc&sentry_client=sentry.javascript.node%2F11.12.0',
      { publicKey: 'abc', version: 7, client: 'sentry.javascript.node/11.12.0' },
    ],
    ['foo=1', undefined],
    ['', undefined],
  ])('reads %j', (query, expected) => {
    expect(parseAuthQuery(new URLSearchParams(query))).toEqual(expected);
  });

  it('rejects sentry_ parameters without sentry_key', () => {
    expect(() => parseAuthQuery(new URLSearchParams('sentry_version=7'))).toThrow('missing sentry_key');
  });
});

describe('findRequestAuth', () => {
  it.each<[string, AuthSources, unknown]>([
    ['nothing', {}, undefined],
    ['X-Sentry-Auth', { xSentryAuth: 'Sentry sentry_key=abc' }, { publicKey: 'abc' }],
    [
      'Authorization: Sentry',
      { authorization: 'Sentry sentry_key=abc, sentry_version=7' },
      { publicKey: 'abc', version: 7 },
    ],
    ['Authorization: Basic', { authorization: basic('abc:') }, { publicKey: 'abc' }],
    ['Authorization: Bearer is not ingest auth', { authorization: 'Bearer tok' }, undefined],
    ['query', { query: new URLSearchParams('sentry_key=abc') }, { publicKey: 'abc' }],
    [
      'agreeing sources merge, first wins per field',
      {
        xSentryAuth: 'Sentry sentry_key=abc, sentry_version=7',
        query: new URLSearchParams('sentry_key=abc&sentry_client=js/1'),
      },
      { publicKey: 'abc', version: 7, client: 'js/1' },
    ],
  ])('%s', (_name, sources, expected) => {
    expect(findRequestAuth(sources)).toEqual(expected);
  });

  it.each<[string, AuthSources, string]>([
    [
      'header and query disagree',
      { xSentryAuth: 'Sentry sentry_key=abc', query: new URLSearchParams('sentry_key=xyz') },
      'conflicting_auth',
    ],
    ['Basic with empty user', { authorization: basic(':x') }, 'invalid_auth'],
    ['malformed X-Sentry-Auth', { xSentryAuth: 'abc' }, 'invalid_auth'],
  ])('%s', (_name, sources, code) => {
    expect(() => findRequestAuth(sources)).toThrow(expect.objectContaining({ code }));
  });
});

describe('requireRequestAuth', () => {
  it('throws missing_auth with Relay wording when nothing is sent', () => {
    expect(() => requireRequestAuth({})).toThrow(
      expect.objectContaining({ code: 'missing_auth', message: 'missing authorization information' }),
    );
  });
});

describe('authFromEnvelopeDsn', () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    ['https://abc@host/42', { publicKey: 'abc', projectId: '42' }],
    ['https://abc:secret@host/sub/7', { publicKey: 'abc', projectId: '7' }],
  ])('%j → %j', (dsn, expected) => {
    expect(authFromEnvelopeDsn(dsn)).toEqual(expected);
  });

  it.each([[42], ['not a dsn']])('rejects %j', (dsn) => {
    expect(() => authFromEnvelopeDsn(dsn)).toThrow(expect.objectContaining({ code: 'invalid_auth' }));
  });
});

describe('resolveEnvelopeAuth', () => {
  it.each([
    ['request only', { publicKey: 'abc', version: 7 }, undefined, { publicKey: 'abc', version: 7 }],
    ['dsn only', undefined, 'https://abc@host/42', { publicKey: 'abc', projectId: '42' }],
    [
      'both agree',
      { publicKey: 'abc', client: 'x' },
      'https://abc@host/42',
      { publicKey: 'abc', client: 'x', projectId: '42' },
    ],
  ])('%s', (_name, requestAuth, dsn, expected) => {
    expect(resolveEnvelopeAuth(requestAuth, dsn)).toEqual(expected);
  });

  it.each([
    ['neither', undefined, undefined, 'missing_auth'],
    ['request and dsn disagree', { publicKey: 'abc' }, 'https://xyz@host/42', 'conflicting_auth'],
  ])('%s', (_name, requestAuth, dsn, code) => {
    expect(() => resolveEnvelopeAuth(requestAuth, dsn)).toThrow(expect.objectContaining({ code }));
  });
});
