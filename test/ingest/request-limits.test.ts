import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestInflatedBytes } from '../../src/ingest/read-body.js';
import { createProject } from '../../src/services/projects.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeOrg, makeUser } from '../support/harness.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A listening server with short timeouts: a client that never finishes its request loses the
// connection within them, and an envelope whose key is wrong is refused before its body is
// decompressed (a gzip bomb costs nothing to refuse).

// Long enough for the first envelope to start the writer thread on a busy machine: an answer
// slower than the idle timeout loses its connection too.
const IDLE_MS = 15_000;
const REQUEST_MS = 800;
const BODY_MS = 400;
/** Node checks request timeouts on a timer; the settings above plus this much slack. */
const SLACK_MS = 700;

interface RawExchange {
  /** Everything the server sent. */
  readonly received: string;
  /** Milliseconds from connecting until the server closed the connection. */
  readonly closedAfterMs: number;
}

/** A raw HTTP/1.1 client: writes `head`, then `trickle` bytes one every `everyMs`, never finishing. */
function trickle(port: number, head: string, everyMs: number, limitMs: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(head));
    const timer = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write('x');
    }, everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${limitMs} ms; it sent: ${received}`));
    }, limitMs);
    socket.on('data', (d) => {
      received += d;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
  });
}

/**
 * Sends `head` and the first `sendFirst` bytes of `body`, then waits: resolves with what the server
 * answered and how many body bytes had been sent by then (the rest is sent only if it did not answer).
 */
function answerBeforeBody(
  port: number,
  head: string,
  body: Buffer,
  sendFirst: number,
): Promise<{ answer: string; sentBeforeAnswer: number }> {
  return new Promise((resolve, reject) => {
    let answer = '';
    let sent = 0;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      socket.write(body.subarray(0, sendFirst));
      sent = sendFirst;
    });
    const rest = setTimeout(() => {
      socket.write(body.subarray(sendFirst));
      sent = body.length;
    }, 1000);
    const done = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer'));
    }, 10_000);
    socket.on('error', () => {});
    socket.on('data', (d) => {
      if (answer === '') clearTimeout(rest);
      answer += d;
      if (answer.includes('\r\n\r\n') && /"detail"/.test(answer)) {
        clearTimeout(done);
        resolve({ answer, sentBeforeAnswer: sent });
        socket.destroy();
      }
    });
  });
}

/** A gzip bomb behind an envelope header: small on the wire, `inflatesTo` bytes decompressed. */
function bomb(headerLine: string, inflatesTo: number): Buffer {
  return gzipSync(Buffer.concat([Buffer.from(`${headerLine}\n`), Buffer.alloc(inflatesTo, 0x20)]), {
    level: 9,
  });
}

const MiB = 1024 * 1024;

describe.each(TEST_ENGINES)('request limits on a listening server on %s', (engine) => {
  let t: TestServer;
  let port: number;
  let projectId: number;
  let publicKey: string;

  beforeAll(async () => {
    t = await startTestServer(engine, {
      ERRATA_HTTP_IDLE_TIMEOUT_MS: String(IDLE_MS),
      ERRATA_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      ERRATA_INGEST_BODY_TIMEOUT_MS: String(BODY_MS),
    });
    port = Number(new URL(t.url).port);
    const ctx = t.server.ctx;
    const user = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, user);
    const made = await createProject(ctx, {
      organizationId: org.id,
      teamId: team.id,
      name: 'limits',
      slug: 'limits',
      platform: 'node',
    });
    projectId = made.project.id;
    publicKey = made.key.publicKey;
  });
  afterAll(() => t.close());

  it('closes an envelope whose body never completes within the body timeout, with a 408', async () => {
    const head =
      `POST /api/${projectId}/envelope/?sentry_key=${publicKey}&sentry_version=7 HTTP/1.1\r\n` +
      'Host: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{}\n';
    const exchange = await trickle(port, head, 100, 10_000);
    expect(exchange.closedAfterMs).toBeLessThan(BODY_MS + SLACK_MS);
    expect(exchange.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(exchange.received).toContain('"detail"');
  });

  it('closes a REST request whose body never completes within the request timeout', async () => {
    const head =
      'POST /api/0/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Content-Length: 100000\r\n\r\n{"username":"';
    const exchange = await trickle(port, head, 100, 10_000);
    expect(exchange.closedAfterMs).toBeLessThan(REQUEST_MS + SLACK_MS);
  });

  it('closes a connection whose headers never complete within the request timeout', async () => {
    const exchange = await trickle(port, 'GET /api/0/ HTTP/1.1\r\nX-Slow: ', 100, 10_000);
    expect(exchange.closedAfterMs).toBeLessThan(REQUEST_MS + SLACK_MS);
  });

  it('refuses a gzip bomb with an unknown key in the query before reading or inflating its body', async () => {
    const body = bomb('{}', 50 * MiB);
    const head =
      `POST /api/${projectId}/envelope/?sentry_key=${'f'.repeat(32)}&sentry_version=7 HTTP/1.1\r\n` +
      `Host: 127.0.0.1\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`;
    const inflatedBefore = ingestInflatedBytes();
    const { answer, sentBeforeAnswer } = await answerBeforeBody(port, head, body, 100);
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).toContain('event submission rejected with_reason: ProjectId');
    expect(sentBeforeAnswer).toBeLessThan(body.length);
    expect(ingestInflatedBytes() - inflatedBefore).toBe(0);
  });

  it('refuses a gzip bomb whose envelope header names an unknown key after inflating only that header', async () => {
    const dsn = `http://${'e'.repeat(32)}@127.0.0.1:${port}/${projectId}`;
    const body = bomb(JSON.stringify({ dsn }), 50 * MiB);
    const inflatedBefore = ingestInflatedBytes();
    const response = await fetch(`${t.url}/api/${projectId}/envelope/`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/ProjectId/);
    expect(ingestInflatedBytes() - inflatedBefore).toBeLessThan(MiB);
  });

  it('still inflates and accepts an envelope whose header carries the right key', async () => {
    const dsn = `http://${publicKey}@127.0.0.1:${port}/${projectId}`;
    const event = { event_id: 'a'.repeat(32), message: 'hello', level: 'error' };
    const plain = `${JSON.stringify({ dsn })}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
    const inflatedBefore = ingestInflatedBytes();
    const response = await fetch(`${t.url}/api/${projectId}/envelope/`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip' },
      body: gzipSync(plain),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: event.event_id });
    expect(ingestInflatedBytes() - inflatedBefore).toBeGreaterThanOrEqual(plain.length);
  });
});
