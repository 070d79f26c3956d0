import type { ServiceContext } from '../services/context.js';
import type { ApiCall } from './route.js';

/**
 * Work started after an answer and not yet finished, per database: the app's context may be a copy
 * of the process's with more in it (its delivery worker), and both must find the same work.
 */
const pending = new WeakMap<ServiceContext['db'], Set<Promise<void>>>();

/**
 * Runs `work` once the answer has gone out, so that how long the answer takes says nothing about
 * what the work found (whether an account exists). A failure is logged, since no one is left to
 * tell. The app waits for such work when it closes.
 */
export function afterReply(call: ApiCall, what: string, work: () => Promise<void>): void {
  let running = pending.get(call.ctx.db);
  if (!running) {
    running = new Set();
    pending.set(call.ctx.db, running);
  }
  const set = running;
  const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
    .then(work)
    .catch((error: unknown) => call.request.log.error({ err: error }, `${what} failed after the answer`))
    .finally(() => set.delete(done));
  set.add(done);
}

/** Waits for the work `afterReply` started on this context, for a clean close. */
export async function settleAfterReply(ctx: ServiceContext): Promise<void> {
  const running = pending.get(ctx.db);
  while (running && running.size > 0) await Promise.all([...running]);
}
