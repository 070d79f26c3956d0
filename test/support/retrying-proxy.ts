import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';

/**
 * An HTTP load balancer in front of several nodes, as nginx with
 * `proxy_next_upstream error http_503 non_idempotent` is: each request goes to the next node in
 * turn, over kept-alive connections; when a node refuses or drops the connection before any
 * answer, or answers 503, the request is sent to the next node, a few times over. It reads each
 * request body whole first, so that it can send it again.
 */
export interface RetryingProxy {
  readonly url: string;
  /** Requests sent again to another node, by why. */
  readonly retries: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

const MAX_TRIES = 6;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export async function startRetryingProxy(upstreams: readonly string[]): Promise<RetryingProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const retries: Record<string, number> = {};
  let next = 0;

  const send = (base: string, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<Answer>((resolve, reject) => {
      const target = new URL(path, base);
      const forwarded = Object.fromEntries(
        Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
      );
      const upstream = request(
        target,
        { method, agent, headers: { ...forwarded, 'content-length': String(body.length) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const body = Buffer.concat(chunks);
      let last: Answer | null = null;
      let failure = '';
      // Each try goes to the node after the last one this request tried.
      const first = next++;
      for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
        const base = upstreams[(first + attempt) % upstreams.length] as string;
        try {
          last = await send(base, incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, body);
          if (last.status !== 503) break;
          retries['503'] = (retries['503'] ?? 0) + 1;
        } catch (error) {
          failure = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          retries[failure] = (retries[failure] ?? 0) + 1;
          last = null;
        }
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
      if (last === null) {
        outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(`no node answered: ${failure}`);
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(last.headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
      );
      outgoing.writeHead(last.status, headers).end(last.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    retries,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
