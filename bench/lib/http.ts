import http from 'node:http';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Child } from './children.js';

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface Response {
  readonly status: number;
  readonly body: string;
}

/** One GET on a fresh connection (node:http, so the first call costs no fetch start-up). */
export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${url} timed out`)));
  });
}

/**
 * Polls a URL every few milliseconds until it answers `status`; resolves with the time since the
 * child was spawned. Rejects if the child exits or the time runs out.
 */
export async function waitForStatus(
  child: Child,
  url: string,
  status: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const response = await get(url);
      if (response.status === status) return performance.now() - child.spawnedAt;
    } catch {
      // Not listening yet.
    }
    if (child.exited())
      throw new Error(`${child.name} exited before answering ${url}:\n${child.output().slice(-4000)}`);
    if (performance.now() > deadline)
      throw new Error(`${child.name}: ${url} did not answer ${status} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
