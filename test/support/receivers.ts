import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait.js';

/** A mail server on loopback that takes one user's login and keeps every message, parsed. */
export interface MailReceiver {
  readonly port: number;
  readonly messages: ParsedMail[];
  /** The envelope recipients of each message, in order. */
  readonly recipients: string[][];
  /** When each message was taken (epoch ms, once parsed), in order. */
  readonly receivedAt: number[];
  /** Logins it took (user names). */
  readonly logins: string[];
  /** The messages whose envelope named this recipient (compared case-insensitively), in order. */
  to(address: string): ParsedMail[];
  /** Waits for the `n`th message (1-based) to an address. */
  waitForMessage(address: string, n?: number): Promise<ParsedMail>;
  /** Stops listening (a mail server that went away); `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Recipients the mail server answers 550 to (no such mailbox). */
export const REFUSED_MAILBOX = 'nobody@example.com';

export async function startMailReceiver(user: string, password: string, port = 0): Promise<MailReceiver> {
  const messages: ParsedMail[] = [];
  const recipients: string[][] = [];
  const receivedAt: number[] = [];
  const logins: string[] = [];
  let server: SMTPServer | null = null;
  let bound = port;
  const listen = async () => {
    server = new SMTPServer({
      // Plain text on loopback: nodemailer would upgrade to TLS and refuse a self-signed certificate.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username !== user || auth.password !== password) return callback(new Error('Invalid login'));
        logins.push(auth.username as string);
        callback(null, { user: auth.username });
      },
      onRcptTo(address, _session, callback) {
        if (address.address === REFUSED_MAILBOX)
          return callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (parsed) => {
            messages.push(parsed);
            recipients.push(session.envelope.rcptTo.map((r) => r.address));
            receivedAt.push(Date.now());
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(bound, '127.0.0.1', () => resolve());
    });
    bound = (server.server.address() as AddressInfo).port;
  };
  await listen();
  const to = (address: string) =>
    messages.filter((_, i) => recipients[i]?.some((r) => r.toLowerCase() === address.toLowerCase()));
  return {
    to,
    waitForMessage: (address, n = 1) =>
      waitFor(() => to(address)[n - 1], { what: `message ${n} to ${address}` }),
    get port() {
      return bound;
    },
    messages,
    recipients,
    receivedAt,
    logins,
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    start: listen,
  };
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as sent (signatures are over these bytes). */
  readonly raw: string;
  readonly json: unknown;
  /** When the whole body had arrived (epoch ms). */
  readonly receivedAt: number;
}

/** An HTTP server on loopback that keeps every request; `answer` decides each reply (default 200). */
export interface HttpReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  answer: (request: ReceivedRequest, response: http.ServerResponse) => void;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver = {
    requests,
    answer: (_: ReceivedRequest, response: http.ServerResponse) => {
      response.writeHead(200).end('ok');
    },
  } as HttpReceiver;
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const received = {
      path: request.url ?? '',
      headers: request.headers,
      raw,
      json: JSON.parse(raw) as unknown,
      receivedAt: Date.now(),
    };
    requests.push(received);
    receiver.answer(received, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  Object.assign(receiver, {
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
  return receiver;
}
