import { createServer } from 'node:http';
import type { ErrataMetrics } from './metrics.js';

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on an address of its own (ERRATA_METRICS_LISTEN), without credentials: the
 * address is meant for the monitoring network only. Anything else answers 404.
 */
export function startMetricsServer(
  metrics: ErrataMetrics,
  at: { host: string; port: number },
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/metrics/')) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => response.writeHead(200, { 'Content-Type': contentType }).end(body),
      (error: unknown) =>
        response
          .writeHead(500, { 'Content-Type': 'text/plain' })
          .end(`cannot collect metrics: ${String(error)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.removeListener('error', reject);
      const address = server.address() as { address: string; port: number };
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}/metrics`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
