import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { ErrataMetrics } from '../metrics/metrics.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` on the main port, for a Prometheus that presents ERRATA_METRICS_TOKEN as a bearer
 * token. Compared in constant time (over digests, so the length says nothing either).
 */
export function registerMetricsEndpoint(app: FastifyInstance, metrics: ErrataMetrics, token: string): void {
  const expected = digest(token);
  app.get('/metrics', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const presented = /^Bearer (\S+)$/i.exec(header)?.[1];
    if (presented === undefined)
      throw new AppError('not_authenticated', 'Authentication credentials were not provided.');
    if (!timingSafeEqual(digest(presented), expected)) throw new AppError('forbidden', 'Invalid token');
    const { contentType, body } = await metrics.render();
    return reply.header('Content-Type', contentType).header('Cache-Control', 'no-store').send(body);
  });
}
