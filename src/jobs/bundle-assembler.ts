import type { FastifyBaseLogger } from 'fastify';
import { newErrorId } from '../lib/error-id.js';
import type { Database } from '../store/db.js';
import { claimBundleAssembly } from '../store/region/bundle-assemblies.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
import { type AssemblyLimits, assembleBundle, failAssembly } from './assemble-bundle.js';

/**
 * An upload left `assembling` this long ago belongs to a process that stopped (or failed on the
 * database): another run takes it over. Assembling the largest bundle takes seconds.
 */
const STALE_MS = 5 * 60_000;

export interface BundleAssemblerOptions {
  readonly limits: AssemblyLimits;
  readonly pollMs: number;
  readonly now: () => number;
  readonly log: Pick<FastifyBaseLogger, 'error' | 'warn'>;
}

/**
 * Assembles uploaded artifact bundles off the request path, one at a time (each is held in memory
 * while it is read), from the queue in the database: what was queued before a restart, or on
 * another node, is assembled all the same.
 */
export class BundleAssembler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly db: Database,
    private readonly options: BundleAssemblerOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) void this.drain().catch(() => {});
    }, this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /**
   * Assembles everything queued, after any run under way (which may have looked at the queue
   * before the latest upload); resolves with how many it finished (ok or error).
   */
  async drain(): Promise<number> {
    while (this.running) await this.running.catch(() => {});
    const run = this.runAll().finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  private async runAll(): Promise<number> {
    const { db, options } = this;
    let done = 0;
    for (;;) {
      let assembly: Awaited<ReturnType<typeof claimBundleAssembly>>;
      try {
        const now = options.now();
        assembly = await claimBundleAssembly(db.region, now, now - STALE_MS);
      } catch (error) {
        options.log.warn({ err: error }, 'cannot read the bundle assembly queue; trying again later');
        return done;
      }
      if (!assembly) return done;
      try {
        const outcome = await assembleBundle(db.region, assembly, options.limits, options.now);
        if (outcome.state === 'error') {
          options.log.warn({ bundleChecksum: assembly.checksum, detail: outcome.detail }, 'bundle refused');
        }
        done++;
      } catch (error) {
        if (isTransient(error)) {
          // Left `assembling`: it is taken up again once stale.
          options.log.warn({ err: error, bundleChecksum: assembly.checksum }, 'bundle assembly interrupted');
          return done;
        }
        // Anything else would fail the same way again: the upload is told, rather than retried forever.
        const errorId = newErrorId();
        options.log.error(
          { err: error, errorId, bundleChecksum: assembly.checksum },
          'bundle assembly failed',
        );
        try {
          await failAssembly(
            db.region,
            assembly,
            `Errata could not assemble this bundle (error ${errorId}).`,
            options.now(),
          );
        } catch {
          return done;
        }
        done++;
      }
    }
  }
}

/** Errors after which the same bundle may well assemble: the database down, busy, deadlocked or conflicting. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isDatabaseUnavailable(error) || code === '40P01' || code === '40001';
}
