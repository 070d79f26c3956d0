import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './public-address.js';

/** How far an outgoing request may go, and how long it may take. */
export interface OutboundPolicy {
  /** Lets requests reach loopback, private and link-local addresses (a webhook inside one's own network). */
  readonly allowPrivate: boolean;
  /** Resolving the name and opening the connection, within this. */
  readonly connectTimeoutMs: number;
  /** The whole exchange, the answer read included, within this. */
  readonly timeoutMs: number;
  /** Bytes of the answer read at most; the rest is dropped with the connection. */
  readonly maxResponseBytes: number;
}

/** A request refused before it left: a URL it may not go to. Trying again changes nothing. */
export class OutboundRefused extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED';
}

/** Whether an error is a refusal (also when it reached the caller through the socket). */
export function isOutboundRefused(error: unknown): error is OutboundRefused {
  return (error as { code?: unknown } | null)?.code === 'ERR_OUTBOUND_REFUSED';
}

export interface OutboundResponse {
  readonly status: number;
  /** The start of the answer's body (up to `maxResponseBytes`), as text. */
  readonly body: string;
}

function refusedAddress(host: string, address: string): OutboundRefused {
  return new OutboundRefused(
    `refused: ${host} is ${address}, not a public address (ERRATA_OUTBOUND_ALLOW_PRIVATE=1 allows it)`,
  );
}

/**
 * dns.lookup that keeps only public addresses, so that the address checked is the address
 * connected to: a name that resolved to a public address when a rule was saved and to 127.0.0.1
 * now (DNS rebinding) is refused here, at connect time.
 */
function publicLookup(host: string): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const allowed = addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) {
        const first = addresses[0]?.address ?? 'no address';
        return callback(refusedAddress(host, first), '', 0);
      }
      if (options.all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
      const [one] = allowed as [dns.LookupAddress];
      callback(null, one.address, one.family);
    });
  };
}

/**
 * POSTs a JSON body to an http(s) URL a user gave, within bounds: no redirect followed, no
 * loopback, private or link-local address unless the policy allows it (checked on the resolved
 * address, at connect time), bounded connect and total time, and a bounded answer. Resolves with
 * any HTTP status; rejects when there is none (refused, unreachable, timed out).
 *
 * @example
 * const { status } = await postJson('https://hooks.example/x', '{"a":1}', {}, policy);
 */
export function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  policy: OutboundPolicy,
): Promise<OutboundResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new OutboundRefused('refused: not a URL'));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new OutboundRefused(`refused: ${target.protocol} is not http or https`));
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  // A literal address is connected to without a lookup: it is checked here instead.
  if (isIP(host) !== 0 && !policy.allowPrivate && !isPublicAddress(host))
    return Promise.reject(refusedAddress(host, host));

  return new Promise<OutboundResponse>((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      },
      ...(policy.allowPrivate ? {} : { lookup: publicLookup(host) }),
    });
    const total = setTimeout(
      () => request.destroy(new Error(`no answer within ${policy.timeoutMs} ms`)),
      policy.timeoutMs,
    );
    request.once('socket', (socket) => {
      if (!socket.connecting) return;
      const connect = setTimeout(
        () => request.destroy(new Error(`could not connect within ${policy.connectTimeoutMs} ms`)),
        policy.connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connect));
      socket.once('close', () => clearTimeout(connect));
    });
    request.once('error', (error) => {
      clearTimeout(total);
      reject(error);
    });
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        clearTimeout(total);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      };
      response.on('data', (chunk: Buffer) => {
        if (size >= policy.maxResponseBytes) return;
        const kept = chunk.subarray(0, policy.maxResponseBytes - size);
        chunks.push(kept);
        size += kept.length;
        if (size >= policy.maxResponseBytes) {
          // Enough to say what went wrong: the rest is not read.
          finish();
          response.destroy();
        }
      });
      response.once('end', finish);
      response.once('error', (error) => {
        clearTimeout(total);
        reject(error);
      });
    });
    request.end(body);
  });
}
