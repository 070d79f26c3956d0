import { describe, expect, it } from 'vitest';
import { buildDsn, envelopeEndpoint, formatDsn, parseDsn } from './dsn.js';
import { ProtocolError } from './protocol-error.js';

describe('parseDsn', () => {
  it.each([
    [
      'https://e12d836b15bb49d7bbf99e64295d995b@errata.example.com/42',
      {
        scheme: 'https',
        publicKey: 'e12d836b15bb49d7bbf99e64295d995b',
        host: 'errata.example.com',
        path: '',
        projectId: '42',
      },
    ],
    [
      'http://pub:sec@127.0.0.1:9000/sub/path/7',
      {
        scheme: 'http',
        publicKey: 'pub',
        secretKey: 'sec',
        host: '127.0.0.1',
        port: 9000,
        path: '/sub/path',
        projectId: '7',
      },
    ],
    [
      'HTTPS://k@Example.COM/1/',
      { scheme: 'https', publicKey: 'k', host: 'example.com', path: '', projectId: '1' },
    ],
    ['http://k@[::1]:80/1', { scheme: 'http', publicKey: 'k', host: '[::1]', path: '', projectId: '1' }],
    ['https://k:@host/1', { scheme: 'https', publicKey: 'k', host: 'host', path: '', projectId: '1' }],
  ])('parses %s', (input, expected) => {
    expect(parseDsn(input)).toEqual(expected);
  });

  it.each([
    ['', 'scheme'],
    ['ftp://k@host/1', 'scheme'],
    ['http:k@host/1', 'scheme'],
    ['https://host/1', 'public key'],
    ['https://k-y@host/1', 'public key'],
    ['https://k:s/x@host/1', 'not a URL'],
    ['https://k@host', 'project id'],
    ['https://k@host/abc', 'project id'],
    ['https://k@host/1?x=1', 'query'],
    ['https://k@host/1#frag', 'query or fragment'],
  ])('rejects %j (%s)', (input, why) => {
    expect(() => parseDsn(input)).toThrow(ProtocolError);
    expect(() => parseDsn(input)).toThrow(why);
  });
});

describe('formatDsn', () => {
  it.each([
    ['https://abc@errata.example.com/42', 'https://abc@errata.example.com/42'],
    ['http://abc:def@host:8000/a/b/1', 'http://abc:def@host:8000/a/b/1'],
    ['HTTP://abc@HOST:80/1/', 'http://abc@host/1'],
  ])('round-trips %s', (input, expected) => {
    expect(formatDsn(parseDsn(input))).toBe(expected);
  });
});

describe('buildDsn', () => {
  it.each([
    ['https://errata.example.com', 'https://abc@errata.example.com/42'],
    ['https://errata.example.com/sub/', 'https://abc@errata.example.com/sub/42'],
    ['http://127.0.0.1:8000/', 'http://abc@127.0.0.1:8000/42'],
  ])('from base URL %s', (base, expected) => {
    expect(formatDsn(buildDsn(base, 'abc', '42'))).toBe(expected);
  });
});

describe('envelopeEndpoint', () => {
  it.each([
    ['https://abc@errata.example.com/42', 'https://errata.example.com/api/42/envelope/'],
    ['http://abc:s@host:8000/sub/7', 'http://host:8000/sub/api/7/envelope/'],
  ])('for %s', (dsn, expected) => {
    expect(envelopeEndpoint(parseDsn(dsn))).toBe(expected);
  });
});
