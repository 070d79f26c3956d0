import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isOutboundRefused, type OutboundPolicy, postJson } from './outbound-http.js';

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

describe('postJson', () => {
  let server: http.Server;
  let port: number;
  let received: Received[] = [];
  let answer: (request: http.IncomingMessage, response: http.ServerResponse) => void;

  beforeAll(async () => {
    server = http.createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(request, response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    received = [];
  });

  const open: OutboundPolicy = {
    allowPrivate: true,
    connectTimeoutMs: 2000,
    timeoutMs: 2000,
    maxResponseBytes: 1024,
  };
  const closed: OutboundPolicy = { ...open, allowPrivate: false };

  it('posts the JSON body with its headers and resolves with the status and the answer', async () => {
    answer = (_, response) => response.writeHead(201, { 'content-type': 'text/plain' }).end('thanks');
    const result = await postJson(`http://127.0.0.1:${port}/hook?x=1`, '{"a":1}', { 'x-extra': 'yes' }, open);
    expect(result).toEqual({ status: 201, body: 'thanks' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/hook?x=1', body: '{"a":1}' });
    expect(received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': '7',
      'x-extra': 'yes',
    });
  });

  it.each([
    ['a loopback address', () => `http://127.0.0.1:${port}/`],
    ['a name that resolves to loopback, checked when connecting', () => `http://localhost:${port}/`],
    ['IPv6 loopback', () => `http://[::1]:${port}/`],
    ['IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${port}/`],
    ['the unspecified address', () => `http://0.0.0.0:${port}/`],
  ])('refuses %s unless private addresses are allowed, and sends nothing', async (_, url) => {
    answer = (_, response) => response.end();
    const error = await postJson(url(), '{}', {}, closed).catch((e: unknown) => e);
    expect(isOutboundRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^refused: .* not a public address \(ERRATA_OUTBOUND_ALLOW_PRIVATE=1 allows it\)$/,
    );
    expect(received).toEqual([]);
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/x', 'not a url'])(
    'refuses %s: http and https only',
    async (url) => {
      const error = await postJson(url, '{}', {}, open).catch((e: unknown) => e);
      expect(isOutboundRefused(error)).toBe(true);
    },
  );

  it('does not follow a redirect', async () => {
    answer = (_, response) => response.writeHead(302, { location: '/elsewhere' }).end();
    expect((await postJson(`http://127.0.0.1:${port}/`, '{}', {}, open)).status).toBe(302);
    expect(received.map((r) => r.url)).toEqual(['/']);
  });

  it('reads no more of the answer than its limit', async () => {
    answer = (_, response) => {
      response.writeHead(500);
      const block = Buffer.alloc(64 * 1024, 'x');
      let left = 5 * 1024 * 1024;
      const more = () => {
        while (left > 0 && response.write(block)) left -= block.length;
        if (left > 0) response.once('drain', more);
        else response.end();
      };
      more();
    };
    const result = await postJson(`http://127.0.0.1:${port}/`, '{}', {}, open);
    expect(result.status).toBe(500);
    expect(result.body).toHaveLength(1024);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    answer = () => {};
    const started = Date.now();
    await expect(
      postJson(`http://127.0.0.1:${port}/`, '{}', {}, { ...open, timeoutMs: 300 }),
    ).rejects.toThrow('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
