import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../services/context.js';
import { ReadinessChecker } from '../services/readiness.js';

/**
 * The load balancer's two questions, without credentials and without project data:
 * `GET /_health/` (the process serves HTTP: always 200) and `GET /_health/ready/` (200 when the
 * databases answer within ERRATA_READY_TIMEOUT_MS and digest is not stuck; 503 naming the checks
 * that failed otherwise).
 */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServiceContext): ReadinessChecker {
  const readiness = new ReadinessChecker(ctx.db, {
    timeoutMs: ctx.config.readyTimeoutMs,
    digestStuckSeconds: ctx.config.readyDigestStuckSeconds,
    now: ctx.now,
  });
  app.addHook('onClose', async () => readiness.close());
  const noStore = { 'Cache-Control': 'no-store' };
  app.get('/_health/', async (_request, reply) => reply.headers(noStore).send({ status: 'ok' }));
  app.get('/_health/ready/', async (_request, reply) => {
    const result = await readiness.check();
    return reply
      .code(result.ready ? 200 : 503)
      .headers(noStore)
      .send({ status: result.ready ? 'ready' : 'unready', failed: result.failed, checks: result.checks });
  });
  return readiness;
}
